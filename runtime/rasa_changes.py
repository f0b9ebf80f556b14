"""Every change this project makes to how Rasa behaves, in one list, applied when the server
starts (runtime/serve.py), whatever channels credentials.yml lists, once Rasa has set up its
logging (log_privacy changes that set-up).

Each replaces a function or method of Rasa 3.6 with one that does the same job better for a
patient (the module of each says why). They were written against the Rasa version below, and
read its internals: a server started on any other version stops at once with a clear error,
rather than run with a change that no longer fits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import rasa

from runtime import (
    action_failures,
    action_validation,
    further_look_ups,
    graph_runner,
    lock_tickets,
    log_privacy,
    model_swap,
    rule_lookups,
)

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # constraints.txt pins it; each change below was checked against it


@dataclass(frozen=True)
class Change:
    name: str
    what: str
    install: Callable[[], None]


CHANGES = (
    Change("model_swap", "a new model loaded beside the live one, then swapped in",
           model_swap.install),
    Change("action_validation", "the action server's answers checked without rebuilding a "
           "validator", action_validation.install),
    Change("action_failures", "an answer within seconds when a custom action fails",
           action_failures.install),
    Change("further_look_ups", "the further questions' look-up called only when a message "
           "asks some", further_look_ups.install),
    Change("log_privacy", "no traceback locals (a patient's words) in the logs",
           log_privacy.install),
    Change("lock_tickets", "a conversation never left locked by expired tickets",
           lock_tickets.install),
    Change("graph_runner", "the model's graph run in order, without dask's scheduler",
           graph_runner.install),
    Change("rule_lookups", "the rule policy's look-up by text skipped when no rule has text",
           rule_lookups.install),
)

_applied: list[str] = []


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the one the changes were written for."""


def check_version(version: str | None = None) -> None:
    version = version or rasa.__version__
    if version != RASA_VERSION:
        raise RasaVersionError(
            f"This bot changes Rasa {RASA_VERSION}'s behaviour (runtime/rasa_changes.py) and "
            f"Rasa {version} is installed. Install the pinned packages (make install), or "
            f"check each change against Rasa {version} and update RASA_VERSION.")


def apply(version: str | None = None) -> list[str]:
    """Install every change once; the names of those applied."""
    version = version or rasa.__version__
    check_version(version)
    if not _applied:
        for change in CHANGES:
            change.install()
            _applied.append(change.name)
        logger.info("Rasa %s with %d changes: %s.", version, len(_applied),
                    "; ".join(f"{c.name} ({c.what})" for c in CHANGES))
    return list(_applied)
