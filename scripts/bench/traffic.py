"""Messages sent to a bot's REST channel, timed: one at a time, or from many senders at once."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# A reply slower than this counts as an error: the figures would mean nothing past it.
TIMEOUT_SECONDS = 60


def send(rasa_url: str, sender: str, text: str, source: str | None = None) -> list[dict]:
    """The bot's messages in answer to `text`, over Rasa's REST channel, sent from the
    address `source` (any 127.x.y.z is this host) or the default one, as a turn with a
    message id of its own (so a proxy may send it on again). An answer other than 200 raises
    OSError."""
    host, port = rasa_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=TIMEOUT_SECONDS,
        source_address=(source, 0) if source else None)
    try:
        connection.request("POST", "/webhooks/rest/webhook",
                           json.dumps({"sender": sender, "message": text,
                                       "message_id": uuid.uuid4().hex}),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        return json.loads(body)
    finally:
        connection.close()


def patient_address(number: int) -> str:
    """A loopback address of its own for patient `number` (up to 62,500): behind nginx, the
    bot sees one client per patient, as in real traffic, each within its per-address limit."""
    return f"127.0.{1 + number // 250}.{1 + number % 250}"


def reply_text(rasa_url: str, sender: str, text: str) -> str:
    return " ".join(message.get("text") or "" for message in send(rasa_url, sender, text))


def new_sender(kind: str) -> str:
    # A fresh sender per conversation: our REST channel allows 20 messages a minute to each.
    return f"bench-{kind}-{uuid.uuid4().hex[:10]}"


def timed_send(rasa_url: str, sender: str, text: str, source: str | None = None) -> float:
    """Milliseconds until the whole reply has arrived."""
    start = time.perf_counter()
    send(rasa_url, sender, text, source)
    return (time.perf_counter() - start) * 1000


def conversation_latencies(rasa_url: str, messages: list[str],
                           source: str | None = None) -> list[float]:
    """One conversation, each message sent when the previous one is answered."""
    sender = new_sender("solo")
    return [timed_send(rasa_url, sender, text, source) for text in messages]


@dataclass
class ConcurrentRound:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def concurrent_round(rasa_url: str, messages: list[str], senders: int,
                     sources: list[str] | None = None) -> ConcurrentRound:
    """`senders` conversations at once, each sending `messages` one after another (sender
    `i` from `sources[i]` when given)."""
    result, lock, started = ConcurrentRound(), threading.Lock(), []
    # The clock starts when the last sender is ready, not while threads are being created.
    start_together = threading.Barrier(senders, action=lambda: started.append(time.perf_counter()))

    def one_sender(source: str | None) -> None:
        sender = new_sender("crowd")
        start_together.wait()
        for text in messages:
            try:
                latency = timed_send(rasa_url, sender, text, source)
            except OSError:
                with lock:
                    result.errors += 1
                continue
            with lock:
                result.latencies_ms.append(latency)

    with ThreadPoolExecutor(max_workers=senders) as pool:
        for future in [pool.submit(one_sender, sources[index] if sources else None)
                       for index in range(senders)]:
            future.result()
    result.seconds = time.perf_counter() - started[0]
    return result


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")
