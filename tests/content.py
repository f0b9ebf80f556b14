"""Helpers for tests about what the bot says: the domain and responses as Rasa merges them."""

from __future__ import annotations

import functools
from pathlib import Path

from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def domain():
    """The domain as Rasa assembles it: domain.yml plus the responses in data/topics/."""
    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(ROOT / "data")],
    )
    return importer.get_domain()


def responses() -> dict[str, str]:
    """Response name -> its text (the first variation)."""
    return {name: variations[0]["text"] for name, variations in domain().responses.items()}


def all_variations() -> dict[str, dict]:
    """"name" or "name (sms)" -> that variation, for checks every variation must pass."""
    return {
        name + (f" ({variation['channel']})" if variation.get("channel") else ""): variation
        for name, variations in domain().responses.items()
        for variation in variations
    }
