"""How well the not-on-page answer names the nearest page topic (components/nearest_topic.py).

Scores lexicon/nearest_topics.yml on tests/not_on_page_nearest_topics.yml, development
questions labelled by a helper with the topic a receptionist would point to, or none. Prints
how often a named topic is the right one, how often one that should be named is, and how often
a topic is named where none fits, with each miss (a development set: read freely).

Usage: python -m scripts.check_nearest_topics [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import spacy
import yaml

from components.nearest_topic import PROCEDURE_ENTITY, nearest_topic
from scripts.build_spacy_pipeline import DEFAULT_OUT as SPACY_PIPELINE

LABELS = Path(__file__).resolve().parent.parent / "tests" / "not_on_page_nearest_topics.yml"
NONE = "none"


def procedures(nlp: spacy.Language, text: str) -> list[dict[str, str]]:
    """The procedures the question names, as the spine entity extractor gives them (it reads
    the lowercased text)."""
    return [{"entity": PROCEDURE_ENTITY, "value": ent.ent_id_} for ent in nlp(text.lower()).ents
            if ent.label_ == PROCEDURE_ENTITY]


@dataclass
class Score:
    questions: int = 0
    named: int = 0  # a topic named
    right: int = 0  # the labelled one
    wanted: int = 0  # labelled with a topic
    nones: int = 0  # labelled with none
    on_none: int = 0  # a topic named where none fits
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / max(self.named, 1)

    @property
    def named_on_none(self) -> float:
        return self.on_none / max(self.nones, 1)


def score(labels: list[dict[str, str]], nlp: spacy.Language) -> Score:
    result = Score(questions=len(labels))
    for label in labels:
        got = nearest_topic(label["text"], procedures(nlp, label["text"]))
        truth = label["nearest"]
        result.named += got is not None
        result.right += got is not None and got == truth
        result.wanted += truth != NONE
        result.nones += truth == NONE
        result.on_none += truth == NONE and got is not None
        if got != (None if truth == NONE else truth):
            result.misses.append(f"  {truth:<28} named {got}: {label['text']}")
    return result


def labelled() -> list[dict[str, str]]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))["labels"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args(argv)
    result = score(labelled(), spacy.load(SPACY_PIPELINE))
    if not args.quiet:
        print("\n".join(result.misses))
    found = result.right  # a named topic that is right is one that should be named
    print(f"named a topic for {result.named} of {result.questions} questions; right "
          f"{result.right} of {result.named} ({result.precision:.0%})")
    print(f"of {result.wanted} with a nearest topic, named it for {found} "
          f"({found / max(result.wanted, 1):.0%}); of {result.nones} with none, named one for "
          f"{result.on_none} ({result.named_on_none:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
