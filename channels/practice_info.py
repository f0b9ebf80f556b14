"""Facts the channels need outside a conversation, read from their one home (domain.yml)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"


@functools.cache
def practice_phone(domain_path: Path = DOMAIN) -> str:
    """The practice's phone number: slot practice_phone's initial value in domain.yml."""
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return str(domain["slots"]["practice_phone"]["initial_value"])
