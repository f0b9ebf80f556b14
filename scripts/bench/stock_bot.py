"""The stock `rasa init` bot, as the benchmark's yardstick: built once per installed Rasa
version into models/bench/ (git ignores models/), and run as `rasa run` runs it, with a SQL
tracker store like ours.

    stock = stock_bot()                       # builds it the first time: minutes
    with running_stock_bot(stock, workdir) as server:
        send(server.rasa_url, "sender", "hi")
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import yaml

from harness.bot_servers import RASA, ROOT, free_port, stop_process, wait_until_ready
from scripts.bench.training import full_training, rasa_env

CACHE = ROOT / "models" / "bench"
FOLDER = CACHE / "stock-bot"
# Written last, so a build that was interrupted is simply built again.
RECORD = CACHE / "stock-bot.json"
# What the stock bot is built for: the dialogue of its own training data (data/nlu.yml,
# data/stories.yml of the template), one conversation of twelve messages.
MESSAGES = [
    "hi", "how are you", "I am sad", "no", "very sad", "yes", "hello there",
    "I am great", "are you a bot?", "perfect", "goodbye", "bye",
]


@dataclass
class StockBot:
    folder: Path
    model: Path
    rasa_version: str
    training: dict  # the figures of its timed `rasa train --force`, as in RECORD


@dataclass
class RunningStockBot:
    rasa_url: str
    rasa_pid: int


def stock_env() -> dict[str, str]:
    """Our PYTHONPATH left out: the stock bot imports nothing of this project."""
    env = rasa_env()
    env.pop("PYTHONPATH", None)
    return env


def stock_bot() -> StockBot:
    """The cached stock bot for the installed Rasa; built (and its training timed) if missing."""
    installed = version("rasa")
    if RECORD.exists():
        record = json.loads(RECORD.read_text(encoding="utf-8"))
        if record["rasa_version"] == installed and (FOLDER / record["model"]).is_file():
            return StockBot(FOLDER, FOLDER / record["model"], installed, record)
    return build_stock_bot(installed)


def build_stock_bot(installed: str) -> StockBot:
    print(f"Building the stock `rasa init` bot for Rasa {installed} in {FOLDER} (once: minutes)")
    RECORD.unlink(missing_ok=True)
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    # `rasa init --no-prompt` also trains, with no way to time the training alone: the model
    # it leaves is the one served, and training is timed on its own by a second run.
    subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(FOLDER)], cwd=FOLDER,
                   env=stock_env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    model = max((FOLDER / "models").glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return time_training(StockBot(FOLDER, model, installed, {}))


def time_training(stock: StockBot) -> StockBot:
    """Times the stock bot's full training and records it (also to re-time on a quiet machine:
    python -m scripts.bench.stock_bot --retime)."""
    # Kept with the figures: a training timed while the machine was busy reads slow for good.
    load = os.getloadavg()[0]
    stock.training = {**full_training(stock.folder, stock_env()), "command": "rasa train --force",
                      "load_average_before": round(load, 2),
                      "timed": time.strftime("%Y-%m-%d %H:%M:%S")}
    RECORD.write_text(json.dumps({"rasa_version": stock.rasa_version,
                                  "model": str(stock.model.relative_to(stock.folder)),
                                  **stock.training}, indent=1), encoding="utf-8")
    print(f"Stock bot's full training: {stock.training['train_seconds']:.0f} s "
          f"({stock.training['train_cpu_seconds']:.0f} s of CPU).")
    return stock


def stock_endpoints(workdir: Path) -> Path:
    """The stock bot's endpoints, with conversations in a SQLite file as ours keeps them."""
    endpoints = {"tracker_store": {"type": "SQL", "dialect": "sqlite",
                                   "db": str(workdir / "stock-conversations.db")},
                 "lock_store": {"type": "in_memory"}}
    path = workdir / "stock-endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@contextlib.contextmanager
def running_stock_bot(stock: StockBot, workdir: Path) -> Iterator[RunningStockBot]:
    """`rasa run` of the stock bot from its folder, REST channel, on a free loopback port."""
    port, log = free_port(), workdir / "stock-rasa-server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [RASA, "run", "--model", str(stock.model), "--interface", "127.0.0.1",
             "--port", str(port), "--endpoints", str(stock_endpoints(workdir)),
             "--credentials", str(stock.folder / "credentials.yml")],
            cwd=stock.folder, env=stock_env(), stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{url}/", process, log)
        yield RunningStockBot(url, process.pid)
    finally:
        stop_process(process)


if __name__ == "__main__":
    built = stock_bot()
    if sys.argv[1:] == ["--retime"]:
        time_training(built)
    print(f"{built.model} (Rasa {built.rasa_version}): {built.training}")
