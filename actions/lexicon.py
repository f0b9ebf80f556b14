"""The spine-term lexicon (lexicon/spine_terms.yml): plain Python, shared by the spaCy
pipeline build (scripts/build_spacy_pipeline.py) and the actions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

LEXICON_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "spine_terms.yml"

# Lexicon section -> the entity label the NLU reports (domain.yml entities).
ENTITY_LABELS = {"conditions": "condition", "procedures": "procedure"}


@dataclass(frozen=True)
class Description:
    """A condition as patients describe it: a word for the body part ("canal") and one for
    what is wrong with it ("narrow"), a few words apart in either order."""

    parts: tuple[str, ...]
    states: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    name: str
    label: str
    phrases: tuple[str, ...]
    descriptions: tuple[Description, ...] = ()


def load_terms(path: Path = LEXICON_PATH) -> list[Term]:
    """Every term of the lexicon. Raises OSError or yaml.YAMLError on an unreadable file."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = []
    for section, label in ENTITY_LABELS.items():
        for name, entry in (spec.get(section) or {}).items():
            terms.append(
                Term(
                    name=name,
                    label=label,
                    phrases=tuple(str(phrase).lower() for phrase in entry.get("phrases", [])),
                    descriptions=tuple(
                        Description(parts=_words(described.get("parts")),
                                    states=_words(described.get("states")))
                        for described in entry.get("described_as") or []
                    ),
                )
            )
    return terms


def _words(words: list[str] | None) -> tuple[str, ...]:
    return tuple(str(word).lower() for word in words or [])
