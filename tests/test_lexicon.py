"""The spine-term lexicon and the spaCy pipeline built from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

from actions.lexicon import load_terms
from harness.content import responses
from practice.facts import conditions_treated

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


@pytest.mark.parametrize("text, name", [
    # Issue 23: conditions as patients describe them.
    ("the canal my spinal cord goes thru is too narrow", "lumbar_spinal_stenosis"),
    ("the space where the nerves go is getting smaller", "lumbar_spinal_stenosis"),
    ("osteoporosis cracked one of my vertebrae", "vertebral_compression_fracture"),
    ("a vertebra collapsed", "vertebral_compression_fracture"),
    ("my disc is bulging out on the left", "herniated_disc"),
    ("the discs in my lower back are worn out", "degenerative_disc_disease"),
    ("my spine curves to the side", "spinal_deformity"),
    ("an infected disc", "spinal_infection"),
    ("they found a growth on a vertebra", "spinal_tumor"),
])
def test_a_condition_described_in_lay_words_is_recognised(nlp, text, name):
    assert name in [ent.ent_id_ for ent in nlp(text.lower()).ents]


@pytest.mark.parametrize("text", [
    "is MISS less likely to cause an infection after surgery than open surgery",
    "could the bone graft get infected",
    "my chiropractor cracked my back. then the pain got worse.",
    "the canal was closed. my disc is fine",
    "how narrow is the incision",
])
def test_words_of_a_description_apart_or_about_something_else_are_not_a_condition(nlp, text):
    assert {ent.ent_id_ for ent in nlp(text.lower()).ents} <= {"miss"}
