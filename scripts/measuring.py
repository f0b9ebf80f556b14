"""What the benchmarks and release gates do alike: check the model is there before starting
servers, keep Rasa's logging out of what is timed, and end with the targets and floors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import structlog

from services.launch import MODEL


def model_is_missing(model: Path = MODEL) -> bool:
    """True, having said what to do, when `make train` has not made the model yet."""
    if model.exists():
        return False
    print(f"{model} is missing: run `make train` first.")
    return True


def quiet_rasa_logs() -> None:
    """Only warnings: Rasa's parse logs each message at debug level through structlog, which
    would be timed with it."""
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def verdict(figures: dict, out: Path, targets: str, short: list[str], failed: list[str],
            enforce_floors: bool = True) -> int:
    """Write `figures` to `out`, print whether the targets are met, and fail (1) on figures
    below the floors, the last measured ones."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1))
    print(f"\n{targets}: " + ("all met." if not short else
                             "not yet met:\n  " + "\n  ".join(short)))
    if failed and enforce_floors:
        print("\nBelow the floors (worse than the last measured figures):\n  "
              + "\n  ".join(failed))
        return 1
    return 0
