"""`make bench-neighbours`: does a hostile sender slow a patient down? The real bot (make run's
servers) answers a patient's questions over REST, one every 1.2 s, first alone, then while two
other addresses each send messages of 1,000 `$` at the most the limits allow (60 a minute an
address, spread over senders of 20 a minute). Prints the patient's reply times, p50 and p95.
Prints figures; asserts nothing.

Issue 22's target: the patient's p95 stays at most 100 ms.

Usage: python -m scripts.noisy_neighbours [--seconds N]   (make bench-neighbours)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from channels.limits import MAX_MESSAGE_CHARS
from channels.rest import ADDRESS_RATE_LIMIT, SENDER_RATE_LIMIT
from harness.bot_servers import running_bot
from scripts.measuring import model_is_missing
from services.launch import MODEL

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["what is MISS?", "how long is recovery?", "do you offer telehealth?",
             "what conditions do you treat?"]
NOISE = "$" * MAX_MESSAGE_CHARS
NOISY_ADDRESSES = ["203.0.113.1", "203.0.113.2"]
PATIENT_ADDRESS = "198.51.100.7"
# Seconds between the patient's questions: within the address's limit, however timed.
PATIENT_INTERVAL = 1.2


def post(url: str, sender: str, message: str, address: str) -> float:
    """Seconds the bot took to answer (the address as nginx would name the client)."""
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": address})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.read()
    return time.perf_counter() - began


def noise(url: str, address: str, stop: threading.Event) -> None:
    """ADDRESS_RATE_LIMIT messages a minute from one address, over senders within theirs."""
    senders = [f"noise-{uuid.uuid4().hex[:8]}"
               for _ in range(-(-ADDRESS_RATE_LIMIT // SENDER_RATE_LIMIT))]
    interval, sent = 60 / ADDRESS_RATE_LIMIT, 0
    while not stop.is_set():
        post(url, senders[sent % len(senders)], NOISE, address)
        sent += 1
        stop.wait(interval)


def patient(url: str, seconds: int) -> list[float]:
    sender, times = f"patient-{uuid.uuid4().hex[:8]}", []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # Within the limits of one sender (20 a minute): a new one every 20 questions.
        if len(times) % SENDER_RATE_LIMIT == SENDER_RATE_LIMIT - 1:
            sender = f"patient-{uuid.uuid4().hex[:8]}"
        times.append(post(url, sender, QUESTIONS[len(times) % len(QUESTIONS)], PATIENT_ADDRESS))
        time.sleep(max(0.0, PATIENT_INTERVAL - times[-1]))
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"{len(times)} replies, p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, worst {ordered[-1] * 1000:.1f} ms")


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args(argv)
    if model_is_missing():
        return 1
    with running_bot(MODEL) as bot:
        patient(bot.rasa_url, 5)  # warm up
        alone = patient(bot.rasa_url, args.seconds)
        stop = threading.Event()
        noisy = [threading.Thread(target=noise, args=(bot.rasa_url, address, stop))
                 for address in NOISY_ADDRESSES]
        for thread in noisy:
            thread.start()
        try:
            crowded = patient(bot.rasa_url, args.seconds)
        finally:
            stop.set()
            for thread in noisy:
                thread.join()
    print(f"A patient's reply time over REST, a question every {PATIENT_INTERVAL} s:")
    print(f"  alone:                                        {summary(alone)}")
    print(f"  while two addresses send 1,000 `$` at the limit: {summary(crowded)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
