"""Evaluation sets measure patients the bot was not trained on: none may hold a near-copy of a
training example (data/), or it measures memory, not understanding.

A near-copy is within MAX_EDITS character edits of a training example, or shares at least
MIN_OVERLAP of its words with one (Jaccard: shared words / all words of the two), both after
lowercasing and dropping punctuation.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
MAX_EDITS = 3
MIN_OVERLAP = 0.8


def normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) for each example of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (block["intent"], line[2:].strip())
        for block in data.get("nlu") or [] if "intent" in block
        for line in (block.get("examples") or "").splitlines() if line.startswith("- ")
    ]


@functools.cache
def training_examples() -> tuple[str, ...]:
    """Every training example in data/, normalised."""
    return tuple(
        normalised(example)
        for path in sorted((ROOT / "data").rglob("*.yml"))
        for _, example in nlu_examples(path)
    )


def near_copy_of(text: str, examples: tuple[str, ...] | None = None) -> str | None:
    """The training example this text nearly copies, if any."""
    mine = normalised(text)
    words = set(mine.split())
    for example in training_examples() if examples is None else examples:
        if Levenshtein.distance(mine, example, score_cutoff=MAX_EDITS) <= MAX_EDITS:
            return example
        theirs = set(example.split())
        if words and theirs and len(words & theirs) / len(words | theirs) >= MIN_OVERLAP:
            return example
    return None


def near_copies(texts: list[str], examples: tuple[str, ...]) -> dict[str, str]:
    """text -> the example it nearly copies, for each text that nearly copies one (the same
    test as near_copy_of, with each example's words worked out once: thousands of examples)."""
    prepared = [(example, set(example.split())) for example in examples]
    found = {}
    for text in texts:
        mine = normalised(text)
        words = set(mine.split())
        for example, theirs in prepared:
            if (Levenshtein.distance(mine, example, score_cutoff=MAX_EDITS) <= MAX_EDITS
                    or (words and theirs
                        and len(words & theirs) / len(words | theirs) >= MIN_OVERLAP)):
                found[text] = example
                break
    return found
