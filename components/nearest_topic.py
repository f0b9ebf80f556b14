"""For a question the page does not answer, the page topic a receptionist would point to.

"Where did Dr. Schlesinger train?" gets "Our page doesn't answer that ... call us", and then
"I can tell you what our page says about our surgeons", with that topic as a button. Which
topic fits is decided by the question's words (lexicon/nearest_topics.yml), not by the intent
classifier's runner-up, which named the right topic in only 17 of 40 offers
(tests/not_on_page_nearest_topics.yml).
components/courteous_nlg.py adds the line to the not-on-page answer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LEXICON = Path(__file__).resolve().parent.parent / "lexicon" / "nearest_topics.yml"
# The entity the spine entity extractor gives a named procedure (lexicon/spine_terms.yml).
PROCEDURE_ENTITY = "procedure"
ANY_WORDS = "*"


@dataclass(frozen=True)
class Pointer:
    intent: str | None  # None: the question is about what no page topic is near
    words: re.Pattern[str] | None  # None: any question that names the procedure
    procedure: str | None


def _word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        stem = r"\s+".join(map(re.escape, word.rstrip("*").split()))
        alternatives.append(stem + (r"\w*" if word.endswith("*") else ""))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.IGNORECASE)


@functools.cache
def pointers(path: Path = LEXICON) -> tuple[Pointer, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    return tuple(
        Pointer(entry["intent"],
                None if entry["words"] == [ANY_WORDS] else _word_pattern(entry["words"]),
                entry.get("procedure"))
        for entry in entries)


def nearest_topic(text: str, entities: Iterable[dict[str, Any]] = ()) -> str | None:
    """The intent of the page topic nearest to this question, or None if none fits: the
    first entry of the lexicon that fits decides."""
    procedures = {entity.get("value") for entity in entities
                  if entity.get("entity") == PROCEDURE_ENTITY}
    for pointer in pointers():
        if pointer.procedure is not None and pointer.procedure not in procedures:
            continue
        if pointer.words is None or pointer.words.search(text):
            return pointer.intent
    return None
