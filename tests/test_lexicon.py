"""The spine-term lexicon and the spaCy pipeline built from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

from actions.lexicon import load_terms
from practice.facts import conditions_treated
from tests.content import responses

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


def test_the_practice_lists_eight_conditions_and_the_lexicon_knows_them_all():
    assert len(conditions_treated()) == 8
    conditions = {term.name for term in TERMS if term.label == "condition"}
    assert set(conditions_treated()) <= conditions


@pytest.mark.parametrize("name, words", sorted(conditions_treated().items()))
def test_the_list_of_conditions_treated_names_each_listed_condition(name, words):
    listed_answer = " ".join(_words(responses()["utter_ask_conditions_treated"]))
    assert " ".join(_words(words))[:12] in listed_answer, f"{name}: '{words}' is not in the list"
