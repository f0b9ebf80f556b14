"""The fuzz suite: over a thousand hostile inputs each against REST, socket.io and the signed SMS
webhook of one real Rasa server (and its action server), while a patient keeps asking questions.

Passes when no request got a 5xx, neither server logged a traceback, the bot still answers on
every channel afterwards, and the Rasa server's memory grew by at most 100 MB. The figures
(inputs and answers per channel, the patient's slowest reply, memory) are printed and written to
tests/output/fuzz.json for the closing note. Inputs come from tests/support/hostile.py, seeded.
"""

from __future__ import annotations

import json
import random
import socket
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import socketio
import socketio.exceptions
from twilio.request_validator import RequestValidator

from harness.bot_servers import free_port, running_bot
from tests.conftest import MODEL, OUTPUT
from tests.support import hostile
from tests.support.web_chat import Chat

pytestmark = pytest.mark.e2e
SEED = 20261128
INPUTS_PER_CHANNEL = 1000
WORKERS = 4
MAX_MEMORY_GROWTH_MB = 100
TOKEN = "fuzz-auth-token"
ORIGIN = "http://localhost:8080"
QUESTION, ANSWER = "how long is recovery?", "two weeks"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def address(number: int) -> str:
    """A client address as nginx names it (documentation ranges, one per simulated client)."""
    return f"198.18.{number // 250}.{number % 250 + 1}"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    port = free_port()
    state = tmp_path_factory.mktemp("sms-state")
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "SMS_STATE_DIR": str(state), "SMS_ID_KEY": "f0" * 32,
           "SMS_PUBLIC_URL": f"http://127.0.0.1:{port}/webhooks/sms/webhook"}
    with running_bot(MODEL, env=env, rasa_port=port,
                     workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


class Patient(threading.Thread):
    """A patient asking a question over REST every two seconds, from an address of their own,
    a new conversation every few questions (as a person types, never a flood)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = f"{url}/webhooks/rest/webhook"
        self.latencies: list[float] = []
        self.wrong: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        sender = ""
        while not self.stopping.is_set():
            if len(self.latencies) % 6 == 0:
                sender = f"patient-{uuid.uuid4().hex}"
            started = time.monotonic()
            try:
                answer = requests.post(self.url, json={"sender": sender, "message": QUESTION},
                                       headers={"X-Forwarded-For": "192.0.2.50"}, timeout=120)
                text = " ".join(m.get("text", "") for m in answer.json())
            except (requests.RequestException, ValueError) as error:
                text = f"failed: {error!r}"
            self.latencies.append(time.monotonic() - started)
            if ANSWER not in text:
                self.wrong.append(text[:200])
            self.stopping.wait(2)


def raw_http(port: int, payload: bytes) -> int:
    """Status of a raw request (0: the server closed the connection without one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        try:
            connection.sendall(payload)
            connection.shutdown(socket.SHUT_WR)
            first = connection.recv(64)
        except OSError:
            return 0
    try:
        return int(first.split(b" ")[1])
    except (IndexError, ValueError):
        return 0


def raw_cases() -> list[bytes]:
    path = b"/webhooks/rest/webhook"
    return [
        b"GARBAGE\r\n\r\n", b"\x00" * 100, b"POST " + path + b" HTTP/9.9\r\n\r\n",
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{",
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 500 + b"\r\n",
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\n",
    ]


def fuzz_rest(url: str, port: int, rng: random.Random) -> Counter:
    statuses: Counter = Counter()
    cases = list(hostile.rest_cases(rng, INPUTS_PER_CHANNEL))

    def send(numbered: tuple[int, hostile.HttpCase]) -> int:
        number, case = numbered
        # 25 requests per simulated client address, so most inputs get past the address limit.
        headers = {"X-Forwarded-For": address(number // 25), **case.headers}
        try:
            return requests.request(case.method, f"{url}/webhooks/rest/webhook{case.query}",
                                    data=case.body, headers=headers, timeout=120).status_code
        except requests.ConnectionError:
            return 0  # the server closed the connection: refused, not failed

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses.update(pool.map(send, enumerate(cases)))
    # A flood from one address: the limit answers 429, cheaply.
    flood = {"X-Forwarded-For": "203.0.113.99"}
    for _ in range(100):
        statuses[requests.post(f"{url}/webhooks/rest/webhook", headers=flood, timeout=30,
                               json={"sender": f"f{uuid.uuid4().hex}", "message": "hi"})
                 .status_code] += 1
    for payload in raw_cases():
        statuses[raw_http(port, payload)] += 1
    return statuses


class FuzzSocket:
    def __init__(self, url: str, client_address: str) -> None:
        self.replies = 0
        self.last_reply = time.monotonic()
        self.client = socketio.Client(reconnection=False,
                                      websocket_extra_options={"origin": ORIGIN})
        self.client.on("bot_uttered", self._reply)
        self.client.on("session_confirm", self._reply)
        self.client.connect(url, transports=["websocket"], wait_timeout=20,
                            headers={"X-Forwarded-For": client_address})

    def _reply(self, *_data: object) -> None:
        self.replies += 1
        self.last_reply = time.monotonic()

    def settle(self, quiet: float = 1.0, limit: float = 60) -> None:
        """Wait until the bot has stopped answering this socket."""
        deadline = time.monotonic() + limit
        while time.monotonic() - self.last_reply < quiet and time.monotonic() < deadline:
            time.sleep(0.1)


def fuzz_socketio(url: str, rng: random.Random) -> Counter:
    outcomes: Counter = Counter()
    events = list(hostile.socket_events(rng, INPUTS_PER_CHANNEL))
    batches = [events[start:start + 20] for start in range(0, len(events), 20)]

    def run(numbered: tuple[int, list]) -> Counter:
        number, batch = numbered
        seen: Counter = Counter()
        chat = FuzzSocket(url, address(1000 + number))
        try:
            chat.client.emit("session_request", {"session_id": None})
            for event, data in batch:
                try:
                    chat.client.emit(event, data)
                    seen["event sent"] += 1
                except socketio.exceptions.SocketIOError:
                    seen["event refused by the client library"] += 1
                time.sleep(0.01)
            chat.settle()
            seen["replies"] += chat.replies
        finally:
            chat.client.disconnect()
        return seen

    with ThreadPoolExecutor(WORKERS) as pool:
        for seen in pool.map(run, enumerate(batches)):
            outcomes.update(seen)
    # Messages over the socket buffer: the server closes that socket.
    for number in range(5):
        chat = FuzzSocket(url, address(1500 + number))
        chat.client.emit("user_uttered", {"message": "x" * 100_000})
        time.sleep(0.5)
        outcomes["oversized message sent"] += 1
        chat.client.disconnect()
    # A connection flood from one address: refused past the limit.
    for _ in range(40):
        try:
            FuzzSocket(url, "203.0.113.98").client.disconnect()
            outcomes["flood connection accepted"] += 1
        except socketio.exceptions.ConnectionError:
            outcomes["flood connection refused"] += 1
    # The engine.io transport itself, over plain HTTP.
    for query in ["", "?EIO=4", "?EIO=4&transport=polling&sid=nope", "?EIO=99&transport=x",
                  "?EIO=4&transport=websocket", "?EIO=4&transport=polling&t=" + "a" * 5000]:
        for method, body in [("GET", b""), ("POST", b"garbage"), ("POST", b"4" * 100_000)]:
            status = requests.request(method, f"{url}/socket.io/{query}", data=body,
                                      headers={"Origin": ORIGIN}, timeout=30).status_code
            outcomes[f"http {status}"] += 1
    return outcomes


def fuzz_sms(url: str, rng: random.Random) -> Counter:
    webhook = f"{url}/webhooks/sms/webhook"
    validator = RequestValidator(TOKEN)
    cases = list(hostile.sms_params(rng, INPUTS_PER_CHANNEL))

    def send(case: tuple[dict[str, str], str]) -> int:
        params, signing = case
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signing == "sign":
            headers["X-Twilio-Signature"] = validator.compute_signature(webhook, params)
        elif signing == "wrong":
            headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
        return requests.post(webhook, data=params, headers=headers, timeout=120).status_code

    statuses: Counter = Counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        statuses.update(pool.map(send, cases))
    for body in [b"", b"\xff\xfe", b"Body=" + b"%" * 1000, b"a=" + b"b" * 300_000]:
        statuses[requests.post(webhook, data=body, timeout=30, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": "x"}).status_code] += 1
    return statuses


def still_answers(bot) -> None:
    rest = requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", timeout=60,
                         json={"sender": f"after-{uuid.uuid4().hex}", "message": QUESTION})
    assert ANSWER in rest.json()[0]["text"]

    chat = Chat(bot)  # a new conversation: the privacy notice first, then the answer
    try:
        answers = chat.ask(QUESTION)
        assert chat.notice and answers and ANSWER in answers[0]
    finally:
        chat.close()

    webhook = f"{bot.rasa_url}/webhooks/sms/webhook"
    params = {"From": "+15015550199", "To": "+15016610077", "Body": QUESTION,
              "MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "AC123"}
    signature = RequestValidator(TOKEN).compute_signature(webhook, params)
    sms = requests.post(webhook, data=params, headers={"X-Twilio-Signature": signature},
                        timeout=60)
    assert sms.status_code == 200 and ANSWER in sms.text


def test_hostile_input_on_every_channel_hurts_no_patient(bot):
    for _ in range(10):  # warm up: the first answers allocate what every later one reuses
        still_answers(bot) if _ == 0 else requests.post(
            f"{bot.rasa_url}/webhooks/rest/webhook", timeout=60,
            json={"sender": f"warm-{uuid.uuid4().hex}", "message": QUESTION})
    memory_before = rss_mb(bot.rasa_pid)
    port = int(bot.rasa_url.rsplit(":", 1)[1])
    rng = random.Random(SEED)
    patient = Patient(bot.rasa_url)
    patient.start()
    figures: dict[str, dict] = {}
    try:
        for channel, fuzz in [("rest", lambda: fuzz_rest(bot.rasa_url, port, rng)),
                              ("socketio", lambda: fuzz_socketio(bot.rasa_url, rng)),
                              ("sms", lambda: fuzz_sms(bot.rasa_url, rng))]:
            started = time.monotonic()
            outcomes = fuzz()
            figures[channel] = {"seconds": round(time.monotonic() - started, 1),
                                "outcomes": {str(k): v for k, v in sorted(outcomes.items(),
                                                                           key=str)}}
    finally:
        patient.stopping.set()
        patient.join(timeout=130)
    still_answers(bot)
    memory_after = rss_mb(bot.rasa_pid)
    latencies = sorted(patient.latencies)
    figures["patient"] = {
        "questions": len(latencies), "wrong": len(patient.wrong),
        "median_s": round(statistics.median(latencies), 3),
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "max_s": round(latencies[-1], 3)}
    figures["rasa_rss_mb"] = {"before": round(memory_before), "after": round(memory_after)}
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "fuzz.json").write_text(json.dumps(figures, indent=2))
    print("\nFuzz figures:", json.dumps(figures, indent=2))

    rest, sms = figures["rest"]["outcomes"], figures["sms"]["outcomes"]
    assert sum(rest.values()) >= INPUTS_PER_CHANNEL and sum(sms.values()) >= INPUTS_PER_CHANNEL
    assert figures["socketio"]["outcomes"].get("event sent", 0) >= INPUTS_PER_CHANNEL
    server_errors = {channel: {status: count for status, count in outcomes.items()
                               if status.isdigit() and int(status) >= 500}
                     for channel, outcomes in [("rest", rest), ("sms", sms)]}
    server_errors["socketio"] = {
        key: count for key, count in figures["socketio"]["outcomes"].items()
        if key.startswith("http 5")}
    assert not any(server_errors.values()), server_errors
    assert rest.get("429", 0) >= 40  # the flood met the address limit
    assert figures["socketio"]["outcomes"].get("flood connection refused", 0) >= 20
    for log in ("rasa-server.log", "action-server.log"):
        text = (bot.workdir / log).read_text(errors="replace")
        assert "Traceback" not in text, f"{log}:\n{text[text.index('Traceback') - 500:][:4000]}"
    assert not patient.wrong, patient.wrong[:3]
    assert memory_after - memory_before <= MAX_MEMORY_GROWTH_MB, figures["rasa_rss_mb"]
