"""The practice's facts (practice/facts.yml): their one home, read here for everyone.

Answers get the phone number and name from here (components/topic_importer.py fills the
slots), the SMS channel and the demo page show the number, the actions know which
conditions the practice lists, and `make check` allows no number in an answer that is not here.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

FACTS_PATH = Path(__file__).resolve().parent / "facts.yml"


@functools.cache
def facts(path: Path = FACTS_PATH) -> dict[str, Any]:
    """The whole facts file, parsed. Raises OSError or yaml.YAMLError if it is unreadable."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def practice_phone() -> str:
    return str(facts()["practice"]["phone"])


def practice_name() -> str:
    return str(facts()["practice"]["name"])


def conditions_treated(language: str = "en") -> dict[str, str]:
    """Lexicon name -> how the bot names it, for each condition the practice lists, in English
    or ("es") in Spanish."""
    key = "conditions_treated" if language != "es" else "conditions_treated_es"
    return {str(name): str(words) for name, words in facts()[key].items()}


def bundled_notice() -> dict[str, Any]:
    """The notice answered from when no live one can be read: published (a date), title, text."""
    notice = dict(facts()["notice"])
    if not isinstance(notice["published"], date):
        notice["published"] = date.fromisoformat(str(notice["published"]))
    return notice


def date_label(day: date) -> str:
    """A date as patients read it: "April 30, 2020"."""
    return f"{day:%B} {day.day}, {day.year}"


def _scalars(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _scalars(item)]
    if isinstance(value, list):
        return [text for item in value for text in _scalars(item)]
    return [str(value)]


# A number and the unit after it: "20 mm", "3 inches", "2 weeks".
MEASURE = re.compile(r"\b(\d+)\s*(mm|millimet(?:er|re)s?|cm|inch(?:es)?|in\b|days?|nights?|"
                     r"weeks?|months?|years?|hours?|minutes?|percent|%)", re.IGNORECASE)


def measures(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs in a text, units in the singular: {("20", "mm"), ("3", "inch")}."""
    return {(number, singular(unit)) for number, unit in MEASURE.findall(text)}


def singular(unit: str) -> str:
    unit = unit.lower()
    return {"inches": "inch", "in": "inch", "percent": "%"}.get(unit, unit.rstrip("s") or unit)


@functools.cache
def numbers() -> frozenset[str]:
    """Every number the facts give (figures, the date's parts, 911, ...): the only numbers an
    answer may say."""
    return frozenset(number for text in _scalars(facts()) for number in re.findall(r"\d+", text))


@functools.cache
def figures() -> frozenset[tuple[str, str]]:
    """Every number-and-unit the facts give: the only ones an answer may say ("15 days" is not
    "15 mm")."""
    return frozenset(pair for text in _scalars(facts()) for pair in measures(text))
