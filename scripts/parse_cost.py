"""`make bench-parse`: what one message can cost the NLU. Parses a normal patient question and a
seeded fuzz of adversarial messages within the length cap (long runs of symbols and emoji,
mixed scripts, combining marks, zero-width characters, direction overrides, nested brackets,
URLs, base64, random code points, red-flag words repeated, long stories) with the trained
model, in process, one at a time, and prints the parse time per kind: median, 99th percentile,
worst, and the worst over a normal question. A message's cost is the least of REPEATS parses
(as `timeit` does: what is above it is the machine's noise, not the message); the RECHECKED
slowest are then parsed RECHECK_REPEATS times more, so that the worst reported is a message's
cost and not a pause of the machine's. Prints figures; asserts nothing.

Issue 22's target: the worst message costs at most 20 ms to parse (a normal question: about 2).

Usage: python -m scripts.parse_cost [--messages N] [--seed S]   (make bench-parse)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from channels.limits import MAX_MESSAGE_CHARS
from scripts.measuring import model_is_missing, quiet_rasa_logs
from services.launch import MODEL

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
RECHECKED = 50
RECHECK_REPEATS = 9
QUESTION = "how long is recovery after a MIG-LIF?"
STORY = ("I had my fusion two weeks ago and it went fine, I walk twice a day and the incision "
         "looks clean. My wife asks if I can drive yet and when I can go back to work. ")
RED_FLAG_WORDS = ["cant feel my legs", "numb", "bleeding", "suicide", "911", "pills", "chest",
                  "breathe", "fever", "pus", "fell", "stroke", "kill", "overdose", "groin"]


def _fill(unit: str) -> str:
    return (unit * (MAX_MESSAGE_CHARS // max(len(unit), 1) + 1))[:MAX_MESSAGE_CHARS]


def _random_points(rng: random.Random, low: int, high: int) -> str:
    size = rng.randint(1, MAX_MESSAGE_CHARS)
    points = (rng.randint(low, high) for _ in range(size))
    return "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF)


# Each kind of adversarial message: a function of a seeded random source.
KINDS: dict[str, Callable[[random.Random], str]] = {
    "symbol run": lambda rng: _fill(rng.choice("$#@!?*-_=+~^%&.,;:/\\|<>")),
    "emoji run": lambda rng: _fill(rng.choice(["😀", "🦴", "👨‍👩‍👧‍👦", "❤️", "🇺🇸"])),
    "mixed scripts": lambda rng: _fill("".join(rng.choice(
        ["a", "ж", "中", "ع", "😀", "$", "é", "1", "ß", "Ω", "ñ", " "]) for _ in range(12))),
    "combining marks": lambda rng: _fill(rng.choice("aeoxn") + "".join(
        chr(rng.randint(0x300, 0x36F)) for _ in range(rng.randint(1, 60)))),
    "zero-width": lambda rng: _fill(rng.choice("ab ") + rng.choice(
        ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])),
    "direction overrides": lambda rng: _fill(rng.choice(["\u202e", "\u202d", "\u2067"])
                                             + rng.choice(["pain", "ok", "a"])),
    "nested brackets": lambda rng: _fill(rng.choice(["(", "[", "{", "<"])) [:MAX_MESSAGE_CHARS // 2]
    + _fill(rng.choice([")", "]", "}", ">"]))[:MAX_MESSAGE_CHARS // 2],
    "alternating brackets": lambda rng: _fill(rng.choice(["()", "[]", "{}", "(a)", "[(", "<b>"])),
    "urls": lambda rng: _fill(f"https://example.com/{rng.randint(0, 9**9)}?q=spine&x=1 "),
    "base64": lambda rng: base64.b64encode(rng.randbytes(MAX_MESSAGE_CHARS * 3 // 4)).decode()
    [:MAX_MESSAGE_CHARS],
    "random code points": lambda rng: _random_points(rng, 0x20, 0x10FFFF)[:MAX_MESSAGE_CHARS],
    "random ascii": lambda rng: _random_points(rng, 0x20, 0x7E)[:MAX_MESSAGE_CHARS],
    "one-letter words": lambda rng: _fill(" ".join(rng.choice("abcxyz") for _ in range(20))
                                          + " "),
    "red-flag words": lambda rng: _fill(" ".join(rng.sample(RED_FLAG_WORDS, 5)) + ". "),
    "long story": lambda rng: _fill(STORY),
    "story without punctuation": lambda rng: _fill(
        STORY.replace(".", "").replace(",", "").lower()),
}


def parse_times(agent, messages: list[tuple[str, str]],
                repeats: int = REPEATS) -> dict[str, list[float]]:
    """Seconds each message took to parse (the least of `repeats`), by kind."""
    times: dict[str, list[float]] = defaultdict(list)

    async def run() -> None:
        await agent.parse_message(QUESTION)  # warm up
        for kind, text in messages:
            least = float("inf")
            for _ in range(repeats):
                began = time.perf_counter()
                await agent.parse_message(text)
                least = min(least, time.perf_counter() - began)
            times[kind].append(least)

    asyncio.run(run())
    return times


def slowest(agent, fuzz: list[tuple[str, str]], times: dict[str, list[float]]
            ) -> tuple[float, str]:
    """The worst cost among the RECHECKED slowest messages, parsed RECHECK_REPEATS times more,
    and its kind."""
    order = {kind: 0 for kind in times}
    measured = []
    for kind, text in fuzz:
        measured.append((times[kind][order[kind]], kind, text))
        order[kind] += 1
    candidates = [(kind, text) for _, kind, text in sorted(measured, reverse=True)[:RECHECKED]]
    again = parse_times(agent, candidates, RECHECK_REPEATS)
    return max((cost, kind) for kind, costs in again.items() for cost in costs)


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    if model_is_missing():
        return 1
    quiet_rasa_logs()
    from rasa.core.agent import Agent  # slow to import: after the arguments are checked

    agent = Agent.load(str(MODEL))
    rng = random.Random(args.seed)
    names = list(KINDS)
    fuzz = [(kind, KINDS[kind](rng)) for kind in (names[i % len(names)]
                                                 for i in range(args.messages))]
    normal = parse_times(agent, [("normal question", QUESTION)] * 200)["normal question"]
    times = parse_times(agent, fuzz)
    question = statistics.median(normal)
    print(f"{len(fuzz)} adversarial messages of at most {MAX_MESSAGE_CHARS} characters, "
          f"seed {args.seed}; parse time in ms, in process, each the least of {REPEATS} parses "
          "(the machine's pauses still show in p99 and worst):")
    print(f"{'kind':<28}{'n':>6}{'median':>8}{'p99':>8}{'worst':>8}")
    print(f"{'normal question':<28}{len(normal):>6}{milliseconds(question)} "
          f"{milliseconds(sorted(normal)[int(len(normal) * 0.99)])} {milliseconds(max(normal))}")
    for kind in names:
        found = sorted(times[kind])
        print(f"{kind:<28}{len(found):>6}{milliseconds(statistics.median(found))} "
              f"{milliseconds(found[int(len(found) * 0.99)])} {milliseconds(found[-1])}")
    every = [t for found in times.values() for t in found]
    worst, kind = slowest(agent, fuzz, times)
    print(f"99th percentile {sorted(every)[int(len(every) * 0.99)] * 1000:.1f} ms; the "
          f"{RECHECKED} slowest parsed {RECHECK_REPEATS} times more: the worst message costs "
          f"{worst * 1000:.1f} ms ({worst / question:.0f}x a normal question; {kind})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
