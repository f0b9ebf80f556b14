"""The action server as `make run` starts it (services/launch.py): compressed bodies inflate
only up to a cap."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from harness.bot_servers import running_action_server
from services.action_server import MAX_INFLATED_BYTES, MAX_REQUEST_BYTES


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def action_server() -> Iterator[tuple[str, int]]:
    with running_action_server() as (url, pid, log):
        yield url, pid
    assert "Traceback" not in log.read_text()


def post(url: str, body: bytes, compressed: bool = True) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if compressed:
        headers["Content-Encoding"] = "deflate"
    return requests.post(f"{url}/webhook", data=body, headers=headers, timeout=30)


def test_a_compression_bomb_is_refused_without_inflating_it(action_server):
    url, pid = action_server
    before = rss_mb(pid)
    # 200 MB of zeros deflates to about 200 KB: rasa-sdk alone inflated all of it.
    bomb = zlib.compress(b"0" * (200 * 1024 * 1024), 9)
    assert len(bomb) < MAX_REQUEST_BYTES
    answer = post(url, bomb)
    assert answer.status_code == 413
    assert "too large" in answer.json()["error"]
    assert rss_mb(pid) - before < MAX_INFLATED_BYTES / 1024 / 1024 + 30


def test_a_compressed_call_within_the_cap_still_reaches_the_actions(action_server):
    url, _ = action_server
    call = {"next_action": "action_that_does_not_exist", "sender_id": "x", "tracker": {},
            "domain": {}, "version": "3.6.21"}
    answer = post(url, zlib.compress(json.dumps(call).encode()))
    assert answer.status_code == 404  # inflated, parsed and looked up: no such action
    assert answer.json()["action_name"] == "action_that_does_not_exist"


def test_a_body_that_is_not_deflate_data_is_a_clear_400(action_server):
    url, _ = action_server
    answer = post(url, b"this is not compressed")
    assert answer.status_code == 400
    assert answer.json() == {"error": "The body is not deflate data."}


def test_a_body_over_the_cap_is_refused_before_it_is_read(action_server):
    url, _ = action_server
    answer = post(url, b"x" * (MAX_REQUEST_BYTES + 1), compressed=False)
    assert answer.status_code == 413


def test_the_real_actions_are_served(action_server):
    url, _ = action_server
    names = {action["name"] for action in requests.get(f"{url}/actions", timeout=10).json()}
    assert "action_answer_in_context" in names
