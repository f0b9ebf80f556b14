"""Measure the running bot: reply latency over REST and the memory of both servers.
With --train, also time a full training run. Prints its figures; asserts nothing.

Usage: python -m scripts.benchmark [--rounds N] [--train]   (make bench)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scripts.bot_servers import RASA, ROOT, running_bot

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


def measure_replies(rounds: int) -> None:
    with running_bot(MODEL) as bot:
        for question in QUESTIONS[:3]:  # warm-up: first calls load lazily
            bot.send("warm-up", question)
        latencies = []
        for round_number in range(rounds):
            sender = f"bench-{round_number}-{uuid.uuid4().hex[:6]}"
            for question in QUESTIONS:
                start = time.perf_counter()
                bot.send(sender, question)
                latencies.append((time.perf_counter() - start) * 1000)
        print(f"replies measured:        {len(latencies)} ({rounds} conversations of "
              f"{len(QUESTIONS)} messages, one at a time)")
        print(f"reply latency p50:       {statistics.median(latencies):.0f} ms")
        print(f"reply latency p95:       {percentile(latencies, 0.95):.0f} ms")
        print(f"reply latency max:       {max(latencies):.0f} ms")
        print(f"Rasa server memory:      {rss_mib(bot.rasa_pid):.0f} MiB RSS")
        print(f"action server memory:    {rss_mib(bot.action_pid):.0f} MiB RSS")


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
