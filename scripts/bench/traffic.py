"""Messages sent to a bot's REST channel, timed: one at a time, or from many senders at once."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# A reply slower than this counts as an error: the figures would mean nothing past it.
TIMEOUT_SECONDS = 60


def send(rasa_url: str, sender: str, text: str) -> list[dict]:
    """The bot's messages in answer to `text`, over Rasa's REST channel."""
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.load(response)


def reply_text(rasa_url: str, sender: str, text: str) -> str:
    return " ".join(message.get("text") or "" for message in send(rasa_url, sender, text))


def new_sender(kind: str) -> str:
    # A fresh sender per conversation: our REST channel allows 20 messages a minute to each.
    return f"bench-{kind}-{uuid.uuid4().hex[:10]}"


def timed_send(rasa_url: str, sender: str, text: str) -> float:
    """Milliseconds until the whole reply has arrived."""
    start = time.perf_counter()
    send(rasa_url, sender, text)
    return (time.perf_counter() - start) * 1000


def conversation_latencies(rasa_url: str, messages: list[str]) -> list[float]:
    """One conversation, each message sent when the previous one is answered."""
    sender = new_sender("solo")
    return [timed_send(rasa_url, sender, text) for text in messages]


@dataclass
class ConcurrentRound:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def concurrent_round(rasa_url: str, messages: list[str], senders: int) -> ConcurrentRound:
    """`senders` conversations at once, each sending `messages` one after another."""
    result, lock, started = ConcurrentRound(), threading.Lock(), []
    # The clock starts when the last sender is ready, not while threads are being created.
    start_together = threading.Barrier(senders, action=lambda: started.append(time.perf_counter()))

    def one_sender() -> None:
        sender = new_sender("crowd")
        start_together.wait()
        for text in messages:
            try:
                latency = timed_send(rasa_url, sender, text)
            except (urllib.error.URLError, OSError):
                with lock:
                    result.errors += 1
                continue
            with lock:
                result.latencies_ms.append(latency)

    with ThreadPoolExecutor(max_workers=senders) as pool:
        for future in [pool.submit(one_sender) for _ in range(senders)]:
            future.result()
    result.seconds = time.perf_counter() - started[0]
    return result


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")
