"""Training runs, timed, and what Rasa's cache saved in them."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from harness.bot_servers import RASA

# Rasa 3.6 logs one of these per graph component (rasa/engine/training/hooks.py).
TRAINED = re.compile(r"Starting to train component '(\w+)'")
RESTORED = re.compile(r"Restored component '(\w+)' from cache")


def rasa_env(**extra: str) -> dict[str, str]:
    """The environment every Rasa command of the benchmark runs in."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            **extra}


def full_training(project: Path, env: dict[str, str]) -> dict[str, float]:
    """`rasa train --force` in `project`: every component trained, nothing from the cache.
    The same command for both bots, so CLI start-up counts the same on each side. CPU time
    beside wall time: it changes far less when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as out:
        start = time.perf_counter()
        result = subprocess.run([RASA, "train", "--force", "--out", out], cwd=project, env=env,
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"rasa train failed in {project}:\n{result.stdout[-3000:]}"
                           f"{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"train_seconds": round(seconds, 1), "train_cpu_seconds": round(cpu, 1)}


def cache_use(training_output: str) -> dict[str, list[str]]:
    """Which components a training run trained and which it took from Rasa's cache."""
    return {"trained": sorted(TRAINED.findall(training_output)),
            "from_cache": sorted(RESTORED.findall(training_output))}
