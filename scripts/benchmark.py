"""Measure the running bot: reply latency over REST and over the SMS webhook, and the memory
of both servers. With --train, also time a full training run. Prints figures; asserts nothing.

Usage: python -m scripts.benchmark [--rounds N] [--train]   (make bench)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

from tests.support.bot_servers import RASA, ROOT, free_port, running_bot

MODEL = ROOT / "models" / "spine-assistant.tar.gz"
QUESTIONS = [
    "hi", "what is minimally invasive spine surgery?", "how long is recovery",
    "do you treat slipped discs?", "what about sciatica", "what is MIG-LIF",
    "what are the benefits", "do you offer telehealth", "how much does it cost",
    "i suddenly can't control my bladder", "what's the weather", "thanks",
]


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(label: str, latencies: list) -> None:
    print(f"{label} p50:{'':<{8 - len(label)}} {statistics.median(latencies):6.0f} ms")
    print(f"{label} p95:{'':<{8 - len(label)}} {percentile(latencies, 0.95):6.0f} ms")
    print(f"{label} max:{'':<{8 - len(label)}} {max(latencies):6.0f} ms")


def measure_replies(rounds: int) -> None:
    token, port = "benchmark-token", free_port()
    sms_url = f"http://127.0.0.1:{port}/webhooks/sms/webhook"
    env = {"TWILIO_AUTH_TOKEN": token, "SMS_PUBLIC_URL": sms_url, "SMS_RATE_LIMIT": "1000",
           "SMS_STATE_DIR": tempfile.mkdtemp(prefix="bench-sms-")}
    with running_bot(MODEL, env=env, rasa_port=port) as bot:
        for question in QUESTIONS[:3]:  # warm-up: first calls load lazily
            bot.send("warm-up", question)
        latencies = []
        for round_number in range(rounds):
            sender = f"bench-{round_number}-{uuid.uuid4().hex[:6]}"
            for question in QUESTIONS:
                start = time.perf_counter()
                bot.send(sender, question)
                latencies.append((time.perf_counter() - start) * 1000)
        print(f"replies measured: {len(latencies)} over REST and as many by SMS "
              f"({rounds} conversations of {len(QUESTIONS)} messages, one at a time)")
        report("REST", latencies)
        report("SMS", sms_latencies(sms_url, token, rounds))
        print(f"Rasa server memory:      {rss_mib(bot.rasa_pid):.0f} MiB RSS")
        print(f"action server memory:    {rss_mib(bot.action_pid):.0f} MiB RSS")


def sms_latencies(url: str, token: str, rounds: int) -> list:
    """Signed webhook posts, as the SMS gateway sends them; ms to the TwiML answer."""
    validator, latencies = RequestValidator(token), []
    for round_number in range(rounds):
        sender = f"+1501555{round_number:04d}"
        for question in QUESTIONS:
            params = {"From": sender, "Body": question, "MessageSid": f"SM{uuid.uuid4().hex}"}
            request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(),
                                             headers={"X-Twilio-Signature": validator
                                                      .compute_signature(url, params)})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=20) as response:
                response.read()
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def measure_training() -> None:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([RASA, "train", "--force", "--out", out], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"training time (--force): {time.perf_counter() - start:.0f} s")


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--train", action="store_true", help="also time a full training run")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train` first.")
        return 1
    measure_replies(args.rounds)
    if args.train:
        measure_training()
    return 0


if __name__ == "__main__":
    sys.exit(main())
