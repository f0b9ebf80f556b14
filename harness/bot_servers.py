"""Start the real action server and Rasa server on free ports, for tests and the benchmark.

    with running_bot(model_path, env={"PRACTICE_NOTICE_URL": url}) as bot:
        bot.send("sender-id", "hello")  # -> the bot's messages
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services import launch
from services.endpoints import endpoints_with
from services.processes import free_port, is_up, start, wait_for
from services.processes import stop as stop_process

ROOT = Path(__file__).resolve().parents[1]
RASA = str(Path(sys.executable).parent / "rasa")


def wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    wait_for(lambda: is_up(url), process, url, log)


def wait_until(condition, seconds: float = 10) -> bool:
    """Whether `condition()` came true within `seconds` (the bot writes conversations to the
    database a moment after it replies: storage/event_writer.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@dataclass
class RunningBot:
    rasa_url: str
    action_url: str
    rasa_pid: int
    action_pid: int
    workdir: Path

    def send(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """Messages the bot answers over the REST channel."""
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)


@contextlib.contextmanager
def running_action_server(env: dict[str, str] | None = None) -> Iterator[tuple[str, int, Path]]:
    """The action server alone, as `make run` starts it: (its URL, its pid, its log)."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="actions-")) / "action-server.log"
    process = start(launch.action_server(port), log, {**launch.SERVER_ENV, **(env or {})})
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/health", process, log)
        yield f"http://127.0.0.1:{port}", process.pid, log
    finally:
        stop_process(process)


def endpoints_for(workdir: Path, action_url: str, model_server_url: str | None) -> Path:
    """endpoints.yml as shipped, with the helpers on this run's ports and the conversations
    in `workdir`; without a model server, the bot keeps the model it started with."""
    return endpoints_with(workdir / "endpoints.yml", action_url, model_server_url,
                          {"db": str(workdir / "conversations.db")})


@contextlib.contextmanager
def running_bot(
    model: Path, env: dict[str, str] | None = None, workdir: Path | None = None,
    rasa_port: int | None = None, model_server_url: str | None = None,
    action_url: str | None = None, credentials: Path | None = None, enable_api: bool = False,
) -> Iterator[RunningBot]:
    """The action server and the Rasa server (every channel in credentials.yml), on loopback,
    as `make run` starts them (services/launch.py), stopped on exit. Their logs go to
    `workdir`. With `action_url`, the Rasa server calls that instead of the action server it
    started; with `credentials`, it has those channels instead of credentials.yml's."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bot-"))
    workdir.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), rasa_port or free_port()
    endpoints = endpoints_for(workdir, action_url or f"http://127.0.0.1:{action_port}/webhook",
                              model_server_url)
    servers_env = {**launch.SERVER_ENV, **(env or {})}
    action_log, rasa_log = workdir / "action-server.log", workdir / "rasa-server.log"
    actions = start(launch.action_server(action_port), action_log, servers_env)
    rasa = None
    try:
        rasa = start(launch.rasa_server(model, rasa_port, endpoints,
                                        credentials or ROOT / "credentials.yml",
                                        enable_api=enable_api),
                     rasa_log, servers_env)
        wait_until_ready(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_until_ready(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        yield RunningBot(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}",
                         rasa.pid, actions.pid, workdir)
    finally:
        if rasa is not None:
            stop_process(rasa)
        stop_process(actions)
