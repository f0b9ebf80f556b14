"""Build the bot's own English spaCy pipeline from packages, with no model download.

blank English tokenizer + lookup lemmatizer (tables from spacy-lookups-data) + an entity
ruler whose patterns come from lexicon/spine_terms.yml. Rasa's SpacyNLP loads the result
from disk by path (config.yml).

Usage: python -m scripts.build_spacy_pipeline [--lexicon PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import spacy
import yaml

from actions.lexicon import LEXICON_PATH, Term, load_terms

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "spacy-en-spine"

logger = logging.getLogger(__name__)


# A description's two words ("the canal my spinal cord goes thru is too narrow") may have up
# to this many words between them, within one sentence.
DESCRIPTION_GAP = 10
SENTENCE_ENDS = [".", "!", "?", ";"]


def ruler_patterns(terms: list[Term]) -> list[dict[str, Any]]:
    """One phrase pattern per synonym and token patterns per description (both orders),
    carrying the canonical name as their id."""
    phrases = [
        {"label": term.label, "pattern": phrase, "id": term.name}
        for term in terms
        for phrase in term.phrases
    ]
    gap = [{"LOWER": {"NOT_IN": SENTENCE_ENDS}, "OP": "?"}] * DESCRIPTION_GAP
    described = [
        {"label": term.label, "pattern": [{"LOWER": {"IN": list(first)}}, *gap,
                                          {"LOWER": {"IN": list(second)}}], "id": term.name}
        for term in terms
        for description in term.descriptions
        for first, second in ((description.parts, description.states),
                              (description.states, description.parts))
    ]
    return phrases + described


def build(lexicon_path: Path, out_dir: Path) -> spacy.Language:
    terms = load_terms(lexicon_path)
    nlp = spacy.blank("en")
    # Lookup mode needs no POS tagger, which a blank pipeline does not have.
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Matching on lemmas lets one singular phrase match plurals and verb forms.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LEMMA"})
    nlp.initialize()
    ruler.add_patterns(ruler_patterns(terms))
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    logger.info("Wrote %s patterns to %s", len(ruler.patterns), out_dir)
    return nlp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=LEXICON_PATH)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        build(args.lexicon, args.out)
    except (OSError, yaml.YAMLError) as error:
        logger.error("Could not build the spaCy pipeline from %s: %s", args.lexicon, error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
