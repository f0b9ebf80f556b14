"""Helpers for tests about what the bot says: the domain and responses as Rasa merges them."""

from __future__ import annotations

import functools
from pathlib import Path

from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def importer() -> TrainingDataImporter:
    """The training data as `rasa train` reads it (config.yml's importer)."""
    return TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(ROOT / "data")],
    )


@functools.cache
def domain():
    """The domain as Rasa assembles it: domain.yml plus the responses in data/topics/."""
    return importer().get_domain()


def responses() -> dict[str, str]:
    """Response name -> its text (the variation given when no condition holds)."""
    return {name: next((v for v in variations if not v.get("condition")), variations[0])["text"]
            for name, variations in domain().responses.items()}


def variation_label(name: str, variation: dict) -> str:
    """"name", "name (sms)" or "name (procedure=mig_lif)": one label per variation."""
    qualifiers = [f"{c['name']}={c['value']}" for c in variation.get("condition") or []]
    if variation.get("channel"):
        qualifiers.insert(0, variation["channel"])
    return name + (f" ({', '.join(qualifiers)})" if qualifiers else "")


def all_variations() -> dict[str, dict]:
    """Label (variation_label) -> that variation, for checks every variation must pass."""
    return {
        variation_label(name, variation): variation
        for name, variations in domain().responses.items()
        for variation in variations
    }
