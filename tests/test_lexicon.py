"""The spine-term lexicon and the spaCy pipeline built from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

from actions.lexicon import conditions_on_page, load_terms
from tests.content import practice_page, responses

ROOT = Path(__file__).resolve().parent.parent
TERMS = load_terms()


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "models" / "spacy-en-spine")


def _words(text: str) -> list:
    # Singular stems, so "herniated discs" matches the page's "Herniated disc".
    return [word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())]


@pytest.mark.parametrize("term", TERMS, ids=lambda term: term.name)
def test_every_phrase_is_recognised_as_its_term(nlp, term):
    for phrase in term.phrases:
        # Rasa's SpacyNLP lowercases messages before spaCy sees them.
        doc = nlp(f"Could you tell me about {phrase}?".lower())
        assert [(ent.label_, ent.ent_id_) for ent in doc.ents] == [(term.label, term.name)], phrase


@pytest.mark.parametrize("text, name", [
    ("Do you fix Slipped Discs?", "herniated_disc"),
    ("two broken vertebrae", "vertebral_compression_fracture"),
    ("tumors on the spine", "spinal_tumor"),
    ("spinal infections", "spinal_infection"),
])
def test_plurals_and_capitals_are_recognised(nlp, text, name):
    assert [ent.ent_id_ for ent in nlp(text.lower()).ents] == [name]


def test_the_page_lists_eight_conditions_and_the_lexicon_knows_them_all():
    assert len(conditions_on_page(TERMS)) == 8


@pytest.mark.parametrize("name, words", sorted(conditions_on_page(TERMS).items()))
def test_listed_conditions_are_in_the_pages_words(name, words):
    page = " ".join(_words(practice_page()))
    assert " ".join(_words(words)) in page, f"{name}: '{words}' is not on the practice page"
    listed_answer = " ".join(_words(responses()["utter_ask_conditions_treated"]))
    assert " ".join(_words(words))[:12] in listed_answer
