"""`make bench`: this bot beside the stock `rasa init` bot, in one run, as a Markdown table
with ratios: reply latency, throughput with many senders at once, server memory, training
time, and (this bot only) how long a staff edit takes to go live and the longest wait a
patient sees while a new model is swapped in. Prints figures; asserts nothing.

Both bots' servers run at the same time and are measured in alternation, so whatever else the
machine is doing slows both alike. The stock bot is built once per Rasa version
(scripts/bench/stock_bot.py). Writes results/bench.json (raw figures) and results/bench.md.

Usage: python -m scripts.benchmark [--quick] [--rounds N] [--crowd-rounds N]   (make bench)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import yaml

from harness.bot_servers import ROOT, running_bot
from scripts.bench.edit_to_live import measure_edits_to_live
from scripts.bench.figures import comparison_rows, latency_summary, markdown_table, number
from scripts.bench.results import publish
from scripts.bench.stock_bot import MESSAGES as STOCK_MESSAGES
from scripts.bench.stock_bot import StockBot, running_stock_bot, stock_bot
from scripts.bench.traffic import concurrent_round, conversation_latencies, rss_mib
from scripts.bench.training import full_training, rasa_env
from scripts.measuring import model_is_missing
from services.launch import MODEL

# What patients ask this bot: one conversation of twelve messages.
QUESTIONS = [
    "hi", "what is minimally invasive spine surgery?", "how long is recovery",
    "do you treat slipped discs?", "what about sciatica", "what is MIG-LIF",
    "what are the benefits", "do you offer telehealth", "how much does it cost",
    "i suddenly can't control my bladder", "what's the weather", "thanks",
]
SENDERS = 10


@dataclass
class Measured:
    """One bot's replies: one at a time, and from many senders at once."""

    messages: list[str]
    solo_ms: list[float] = field(default_factory=list)
    crowd_ms: list[float] = field(default_factory=list)
    crowd_seconds: float = 0.0
    crowd_errors: int = 0

    def figures(self) -> dict:
        return {
            "solo_ms": latency_summary(self.solo_ms),
            # Which messages the slow replies were: each one's median, one at a time.
            "solo_median_ms_by_message": {
                text: round(statistics.median(self.solo_ms[index::len(self.messages)]), 1)
                for index, text in enumerate(self.messages)},
            "crowd_ms": latency_summary(self.crowd_ms),
            "crowd_messages_per_second": round(len(self.crowd_ms) / self.crowd_seconds, 1),
            "crowd_errors": self.crowd_errors}


def measure_in_alternation(urls: dict[str, str], measured: dict[str, Measured], rounds: int,
                           crowd_rounds: int) -> None:
    for url, bot in zip(urls.values(), measured.values(), strict=True):
        # Warm-up: the first replies load things lazily.
        conversation_latencies(url, bot.messages)
        concurrent_round(url, bot.messages[:2], SENDERS)
    for round_number in range(max(rounds, crowd_rounds)):
        # Who goes first alternates too, so neither bot always follows the other's load.
        order = list(urls) if round_number % 2 == 0 else list(reversed(urls))
        for name in order:
            url, bot = urls[name], measured[name]
            if round_number < rounds:
                bot.solo_ms += conversation_latencies(url, bot.messages)
            if round_number < crowd_rounds:
                crowd = concurrent_round(url, bot.messages, SENDERS)
                bot.crowd_ms += crowd.latencies_ms
                bot.crowd_seconds += crowd.seconds
                bot.crowd_errors += crowd.errors


def measure_traffic(stock: StockBot, rounds: int, crowd_rounds: int, workdir: Path) -> dict:
    """Both bots up at once, each asked what it is built for; memory read at the end."""
    measured = {"ours": Measured(QUESTIONS), "stock": Measured(STOCK_MESSAGES)}
    with ExitStack() as servers:
        ours = servers.enter_context(running_bot(MODEL, workdir=workdir / "ours"))
        theirs = servers.enter_context(running_stock_bot(stock, workdir))
        measure_in_alternation({"ours": ours.rasa_url, "stock": theirs.rasa_url}, measured,
                               rounds, crowd_rounds)
        memory = {"ours": {"rasa_rss_mib": round(rss_mib(ours.rasa_pid), 1),
                           "action_rss_mib": round(rss_mib(ours.action_pid), 1)},
                  "stock": {"rasa_rss_mib": round(rss_mib(theirs.rasa_pid), 1)}}
    return {name: {**bot.figures(), **memory[name]} for name, bot in measured.items()}


def tracker_store_type() -> str:
    """What endpoints.yml keeps this bot's conversations in (running_bot uses it as shipped)."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    return endpoints["tracker_store"]["type"]


def report_markdown(results: dict) -> str:
    settings, ours = results["settings"], results["ours"]
    lines = ["## `make bench`: this bot beside the stock `rasa init` bot", "",
             markdown_table(comparison_rows(results)), "",
             f"Measured {settings['date']} on {settings['cores']} cores, Rasa "
             f"{settings['rasa_version']}. Both Rasa servers ran at once, measured in "
             "alternation, each keeping conversations in SQLite (this bot: endpoints.yml's "
             f"`{settings['tracker_stores']['ours']}`; the stock bot: Rasa's "
             f"`{settings['tracker_stores']['stock']}`). One at a time: "
             f"{settings['rounds']} conversations of 12 messages per bot (this bot: patient "
             "questions; the stock bot: its own greetings and moods). At once: "
             f"{settings['crowd_rounds']} rounds of {settings['senders']} senders × 12 messages. "
             f"This bot's action server adds {number(ours['action_rss_mib'])} MiB (the stock bot "
             "has none). Training: `rasa train --force` from the command line; the stock "
             f"bot's was timed once and kept ({settings['stock_training_timed']}, "
             f"load average {settings['stock_train_load_average_before']} before).", ""]
    edits = results.get("edits_to_live")
    if edits:
        lines += ["Edit to live: on a clone of the project with its bot running, from saving the "
                  "topic file to the bot giving the new answer: `make train FINETUNE=1` as the "
                  "staff studio publishes (checks beside training from the running model's "
                  "weights, with Rasa's cache), then the bot pulls the new model (every 2 s) and "
                  "swaps it in. The longest wait is of a patient asking all along, from the "
                  "model's publication to the new answer. The clone's first `make train` (cold "
                  f"cache) took {number(edits['first_make_train_seconds'])} s. Rasa's cache:", ""]
        for edit in edits["edits"]:
            cache = edit.get("cache") or {}
            lines.append(f"- {edit['edit']}: trained {', '.join(cache.get('trained', [])) or '—'}"
                         f"; from the cache {', '.join(cache.get('from_cache', [])) or '—'}.")
        lines.append("")
    return "\n".join(lines)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and no edit-to-live (for development)")
    parser.add_argument("--rounds", type=int, help="conversations one at a time per bot")
    parser.add_argument("--crowd-rounds", type=int, help=f"rounds of {SENDERS} senders per bot")
    args = parser.parse_args(argv)
    if model_is_missing():
        return 1
    rounds = args.rounds or (3 if args.quick else 20)
    crowd_rounds = args.crowd_rounds or (1 if args.quick else 5)
    began = time.monotonic()
    stock = stock_bot()
    results: dict = {"settings": {
        "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
        "rasa_version": version("rasa"), "rounds": rounds, "crowd_rounds": crowd_rounds,
        "senders": SENDERS, "quick": args.quick,
        "stock_training_timed": stock.training.get("timed"),
        "tracker_stores": {"ours": tracker_store_type(), "stock": "SQLTrackerStore"},
        "load_average_before": round(os.getloadavg()[0], 2),
        "stock_train_load_average_before": stock.training.get("load_average_before")}}
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        print("Replies: both bots running, measured in alternation ...", flush=True)
        results.update(measure_traffic(stock, rounds, crowd_rounds, Path(workdir)))
    print("Training this bot (rasa train --force) ...", flush=True)
    results["ours"].update(full_training(ROOT, rasa_env(PYTHONPATH=str(ROOT))))
    results["stock"].update(train_seconds=stock.training["train_seconds"],
                            train_cpu_seconds=stock.training.get("train_cpu_seconds"))
    if not args.quick:
        print("Edits to live on a clone of the project (three trainings) ...", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-edits-") as workdir:
            results["edits_to_live"] = measure_edits_to_live(Path(workdir))
    results["settings"]["run_seconds"] = round(time.monotonic() - began)
    publish("bench", results, report_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
