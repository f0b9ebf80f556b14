"""`make bench-length`: does a reply slow down as a conversation grows? One conversation of
--turns patient messages, answered by the trained model with the project's tracker store
(storage/conversation_store.py, on a scratch SQLite file) in process, and the reply time
printed at points along it beside a new conversation's. Prints figures; asserts nothing.

Issue 22's target: after 3,000 turns, within 2x of a new conversation's reply time (sessions
end after storage/session_limit.py's MAX_SESSION_TURNS messages).

Usage: python -m scripts.conversation_length [--turns N]   (make bench-length)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scripts.measuring import model_is_missing, quiet_rasa_logs
from services.launch import MODEL
from storage.session_limit import MAX_SESSION_TURNS

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["what is MISS?", "what are the benefits?", "how long is recovery?", "thanks"]
# Replies timed around each point: enough for a median the machine's noise does not move.
SAMPLE = 20


async def measure(turns: int) -> dict[str, float]:
    from rasa.core.agent import Agent  # slow to import: after the arguments are checked

    from storage.conversation_store import ConversationStore

    agent = Agent.load(str(MODEL))
    with tempfile.TemporaryDirectory(prefix="bench-length-") as folder:
        store = ConversationStore(agent.domain, dialect="sqlite", db=f"{folder}/c.db",
                                  cache_conversations=1000)
        agent.tracker_store = agent.processor.tracker_store = store

        async def reply_time(sender: str, text: str) -> float:
            began = time.perf_counter()
            await agent.handle_text(text, sender_id=sender)
            return time.perf_counter() - began

        for index in range(3):  # warm up
            await reply_time(f"warm-{index}", QUESTIONS[0])
        new = [await reply_time(f"new-{index}", QUESTIONS[0]) for index in range(SAMPLE)]
        figures = {"new conversation": statistics.median(new)}
        points = sorted({point for point in (100, 1000, 2000, 3000, turns) if point <= turns})
        times: list[float] = []
        for turn in range(1, turns + 1):
            times.append(await reply_time("long", QUESTIONS[turn % len(QUESTIONS)]))
            if turn in points:
                figures[f"after {turn} turns"] = statistics.median(times[-SAMPLE:])
        store.writer.close()
    return figures


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3000)
    args = parser.parse_args(argv)
    if model_is_missing():
        return 1
    quiet_rasa_logs()
    figures = asyncio.run(measure(args.turns))
    new = figures["new conversation"]
    print(f"Reply time in process (median of {SAMPLE} replies), sessions of at most "
          f"{MAX_SESSION_TURNS} messages:")
    for name, seconds in figures.items():
        print(f"  {name:<22} {seconds * 1000:7.1f} ms  ({seconds / new:.1f}x a new conversation)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
