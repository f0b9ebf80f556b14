"""`make run` as a practice runs it from a lone clone (services/run.py): every process listens
on loopback only, the Rasa server answers and serves the widget, the demo page loads the widget
from it, conversations are kept where endpoints.yml says, and Ctrl-C stops everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.bot_servers import free_port, wait_until_ready
from harness.clone import lone_clone
from tests.conftest import MODEL, ROOT

pytestmark = pytest.mark.e2e
PHONE = "501-661-0077"


def listening_addresses(pids: set[int]) -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket that one of `pids` holds (from /proc)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (FileNotFoundError, PermissionError):
            continue
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            found.append((decode_address(address, width), int(port, 16)))
    return found


def decode_address(hex_address: str, width: int) -> str:
    if width == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return "ipv6:" + hex_address


def session_pids(session: int) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == session:
                    pids.add(int(entry.name))
            except ProcessLookupError:
                continue
    return pids


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    clone = lone_clone(tmp_path_factory.mktemp("lone"))
    (clone / "models").symlink_to(ROOT / "models")
    ports = {"actions": free_port(), "models": free_port(), "rasa": free_port(),
             "demo": free_port()}
    # Only the helpers' ports change: another bot (a developer's `make run`) may hold 5055.
    endpoints = clone / "endpoints.yml"
    text = endpoints.read_text()
    for default, port in (("127.0.0.1:5055", ports["actions"]),
                          ("127.0.0.1:5056", ports["models"])):
        assert default in text
        text = text.replace(default, f"127.0.0.1:{port}")
    endpoints.write_text(text)
    log = clone / "run.log"
    env = {**os.environ, "RASA_PORT": str(ports["rasa"]), "DEMO_PORT": str(ports["demo"])}
    process = subprocess.Popen([sys.executable, "-m", "services.run",
                                "models/spine-assistant.tar.gz"], cwd=clone,
                               env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_until_ready(f"http://127.0.0.1:{ports['rasa']}/", process, log)
        wait_until_ready(f"http://127.0.0.1:{ports['actions']}/health", process, log)
        wait_until_ready(f"http://127.0.0.1:{ports['demo']}/", process, log)
        yield clone, ports, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def get(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def test_every_process_listens_on_loopback_only(bot):
    _, ports, process = bot
    addresses = listening_addresses(session_pids(process.pid))
    assert {port for _, port in addresses} == set(ports.values()), addresses
    assert all(address == "127.0.0.1" for address, _ in addresses), addresses


def test_the_rasa_server_answers_and_keeps_the_conversation_where_endpoints_yml_says(bot):
    clone, ports, _ = bot
    request = urllib.request.Request(
        f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook",
        data=json.dumps({"sender": "patient-1", "message": "what is your phone number?"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert PHONE in json.load(response)[0]["text"]
    assert (clone / "state" / "conversations.db").stat().st_size > 0
    assert (clone / "state").stat().st_mode & 0o777 == 0o700


def test_the_demo_page_loads_the_widget_from_the_rasa_server(bot):
    _, ports, _ = bot
    _, _, page = get(f"http://127.0.0.1:{ports['demo']}/")
    src = f"http://localhost:{ports['rasa']}/widget/spine-chat.js"
    assert f'src="{src}"'.encode() in page
    status, headers, script = get(src)
    assert status == 200 and b"SpineChatConfig" in script
    assert headers["Cache-Control"] == "no-cache"
    # The widget's routes serve web/static/ and nothing beside it.
    for path in ["/widget/../endpoints.yml", "/widget/%2e%2e/credentials.yml", "/widget/"]:
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(f"http://127.0.0.1:{ports['rasa']}{path}")
        assert missing.value.code == 404
    # The demo server serves the page and nothing else.
    with pytest.raises(urllib.error.HTTPError):
        get(f"http://127.0.0.1:{ports['demo']}/widget/spine-chat.js")


def test_ctrl_c_stops_every_process(bot):
    _, ports, process = bot
    pids = session_pids(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
