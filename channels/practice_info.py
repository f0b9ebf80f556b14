"""Facts the channels need outside a conversation, read from their one home (domain.yml)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"


@functools.cache
def _slot_value(name: str, domain_path: Path = DOMAIN) -> str:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return str(domain["slots"][name]["initial_value"])


def practice_phone() -> str:
    """The practice's phone number: slot practice_phone's initial value in domain.yml."""
    return _slot_value("practice_phone")


def practice_name() -> str:
    """The practice's name as its page signs it: slot practice_name in domain.yml."""
    return _slot_value("practice_name")
