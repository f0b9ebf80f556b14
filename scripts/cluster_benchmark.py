"""`make bench-cluster`: the cluster (services/cluster.py, `make run-cluster`) with one and
with two Rasa servers, beside the single-host bot (`make run`), on this machine: reply latency
one message at a time, throughput and latency with many patients at once, and the servers'
memory. Prints a Markdown table; asserts nothing.

Every patient writes from a loopback address of their own (127.0.x.y), as real patients come
from their own addresses: through nginx, the bot limits messages per address, and one address
for all would be refused after 60 messages a minute. The three set-ups run one after another
(each alone on the machine). Writes results/bench-cluster.json and results/bench-cluster.md.

Usage: python -m scripts.cluster_benchmark [--quick] [--patients N] [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from harness.bot_servers import running_bot
from scripts.bench import traffic
from scripts.bench.figures import latency_summary, markdown_table, number
from scripts.bench.results import publish
from scripts.benchmark import QUESTIONS
from scripts.measuring import model_is_missing
from services.cluster import running_cluster, scratch_postgres_folder
from services.launch import MODEL
from services.processes import free_port

PATIENTS = 20  # at once; each a conversation of the twelve questions


@dataclass
class Running:
    """A set-up answering on `url`, with the processes whose memory counts."""

    url: str
    pids: dict[str, int]


@dataclass
class Setup:
    name: str
    start: Callable[[Path], contextlib.AbstractContextManager[Running]]
    solo_ms: list[float] = field(default_factory=list)
    crowd_ms: list[float] = field(default_factory=list)
    crowd_seconds: float = 0.0
    errors: int = 0
    memory_mib: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict:
        return {"solo_ms": latency_summary(self.solo_ms),
                "crowd_ms": latency_summary(self.crowd_ms),
                "crowd_messages_per_second": round(len(self.crowd_ms) / self.crowd_seconds, 1),
                "errors": self.errors,
                "memory_mib": self.memory_mib,
                "memory_total_mib": round(sum(self.memory_mib.values()), 1)}


@contextlib.contextmanager
def single_host(workdir: Path) -> Iterator[Running]:
    with running_bot(MODEL, workdir=workdir) as bot:
        yield Running(bot.rasa_url, {"rasa-0": bot.rasa_pid, "actions-0": bot.action_pid})


def cluster_of(replicas: int) -> Callable[[Path], contextlib.AbstractContextManager[Running]]:
    @contextlib.contextmanager
    def start(workdir: Path) -> Iterator[Running]:
        with scratch_postgres_folder() as postgres_folder, running_cluster(
                MODEL, replicas=replicas, port=free_port(), folder=workdir,
                postgres_folder=postgres_folder, model_server=False) as cluster:
            # Memory of the bot's own servers; PostgreSQL, Redis and nginx are counted by
            # their own tools and are small here.
            yield Running(cluster.url, {name: process.pid
                                        for name, process in cluster.processes.items()
                                        if name.startswith(("rasa-", "actions-"))})
    return start


def measure(setup: Setup, rounds: int, crowd_rounds: int, patients: int,
            addresses: Iterator[int], workdir: Path) -> None:
    with setup.start(workdir) as running:
        def next_addresses(count: int) -> list[str]:
            return [traffic.patient_address(next(addresses)) for _ in range(count)]

        # Warm-up: the first replies load things lazily, on every server.
        traffic.concurrent_round(running.url, QUESTIONS[:3], patients, next_addresses(patients))
        for _ in range(rounds):
            setup.solo_ms += traffic.conversation_latencies(running.url, QUESTIONS,
                                                            next_addresses(1)[0])
        for _ in range(crowd_rounds):
            crowd = traffic.concurrent_round(running.url, QUESTIONS, patients,
                                             next_addresses(patients))
            setup.crowd_ms += crowd.latencies_ms
            setup.crowd_seconds += crowd.seconds
            setup.errors += crowd.errors
        setup.memory_mib = {name: round(traffic.rss_mib(pid), 1)
                            for name, pid in running.pids.items()}


def table(results: dict, patients: int) -> str:
    names = list(results["setups"])
    header = ("", *names)
    setups = results["setups"]

    def row(label: str, value: Callable[[dict], float]) -> tuple[str, ...]:
        return (label, *(number(value(setups[name])) for name in names))

    rows = [
        row("reply latency p50, one patient at a time (ms)", lambda s: s["solo_ms"]["p50"]),
        row("reply latency p95, one patient at a time (ms)", lambda s: s["solo_ms"]["p95"]),
        row(f"throughput, {patients} patients at once (messages/s)",
            lambda s: s["crowd_messages_per_second"]),
        row(f"reply latency p50, {patients} patients at once (ms)",
            lambda s: s["crowd_ms"]["p50"]),
        row(f"reply latency p95, {patients} patients at once (ms)",
            lambda s: s["crowd_ms"]["p95"]),
        row("messages not answered", lambda s: s["errors"]),
        row("Rasa and action servers' memory (MiB RSS, all)", lambda s: s["memory_total_mib"]),
    ]
    return markdown_table(rows, header)


def report_markdown(results: dict) -> str:
    settings = results["settings"]
    return "\n".join([
        "## `make bench-cluster`: one host, and the cluster with one and two Rasa servers", "",
        table(results, settings["patients"]), "",
        f"Measured {settings['date']} on {settings['cores']} cores, Rasa "
        f"{settings['rasa_version']}; load average {settings['load_average_before']} before. "
        "One host: `make run`'s bot (one Rasa server keeping conversations in SQLite and in "
        "memory), asked directly. Cluster: `make run-cluster` (PostgreSQL, Redis lock store, "
        "nginx in front, sticky per client address; every turn written to PostgreSQL before "
        "the reply, a remembered conversation used only while PostgreSQL holds nothing newer), "
        f"asked through nginx. One at a time: {settings['rounds']} conversations of 12 "
        f"messages; at once: {settings['crowd_rounds']} rounds of {settings['patients']} "
        "patients × 12 messages, each patient from a loopback address of its own. Every "
        "set-up ran alone on the machine, one after another.", ""])


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (for development)")
    parser.add_argument("--patients", type=int, default=PATIENTS, help="patients at once")
    parser.add_argument("--rounds", type=int, help="rounds of patients at once per set-up")
    args = parser.parse_args(argv)
    if model_is_missing():
        return 1
    rounds = 3 if args.quick else 10
    crowd_rounds = args.rounds or (1 if args.quick else 5)
    began = time.monotonic()
    results: dict = {"settings": {
        "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
        "rasa_version": version("rasa"), "rounds": rounds, "crowd_rounds": crowd_rounds,
        "patients": args.patients, "load_average_before": round(os.getloadavg()[0], 2)},
        "setups": {}}
    setups = [Setup("one host (`make run`)", single_host),
              Setup("cluster, 1 Rasa server", cluster_of(1)),
              Setup("cluster, 2 Rasa servers", cluster_of(2))]
    addresses = itertools.count()
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as workdir:
        for number_, setup in enumerate(setups):
            print(f"{setup.name} ...", flush=True)
            measure(setup, rounds, crowd_rounds, args.patients, addresses,
                    Path(workdir) / str(number_))
            results["setups"][setup.name] = setup.figures()
    results["settings"]["run_seconds"] = round(time.monotonic() - began)
    publish("bench-cluster", results, report_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
