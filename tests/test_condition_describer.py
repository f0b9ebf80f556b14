"""A listed condition told in the patient's own words (components/condition_describer.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.condition_describer import (
    NOT_LISTED,
    ConditionDescriber,
    training_examples,
)
from components.risk_model import RiskModel
from practice.facts import conditions_treated


@pytest.fixture(scope="module")
def describer():
    texts, labels = training_examples()
    config = ConditionDescriber.get_default_config()
    model = RiskModel(config["model"]).fit(texts, labels)
    return ConditionDescriber(config, None, None, model)


def asked(text, entities=()):
    return Message(data={"text": text, "intent": {"name": "ask_condition_treated"},
                         "entities": list(entities)})


def test_every_description_is_of_a_listed_condition_or_none():
    _, labels = training_examples()
    assert set(labels) == {*conditions_treated(), NOT_LISTED}


@pytest.mark.parametrize("text, condition", [
    ("the cushion between two of my bones pushed out, can you fix that", "herniated_disc"),
    ("my spine curves to the side like an s, do you do surgery for it", "spinal_deformity"),
    ("my x-ray says the bones in my low back slide when i bend, is that something you treat",
     "spinal_instability"),
])
def test_a_description_names_its_listed_condition(describer, text, condition):
    assert describer.described(asked(text))[0] == condition


@pytest.mark.parametrize("text", [
    "do you treat carpal tunnel in my wrist",
    "my knee gives out when i walk down stairs, can you help",
    "i get bad migraines, do you treat those",
])
def test_an_unlisted_condition_is_never_named_as_listed(describer, text):
    assert describer.described(asked(text)) is None


def test_only_a_condition_question_the_lexicon_left_unnamed_is_read(describer):
    text = "the cushion between two of my bones pushed out, can you fix that"
    named = asked(text, [{"entity": "condition", "value": "sciatica"}])
    assert describer.described(named) is None
    other = Message(data={"text": text, "intent": {"name": "ask_recovery_time"}})
    assert describer.described(other) is None
    further = asked(text, [{"entity": "question", "value": "ask_cost"}])
    assert describer.described(further) is None


def test_the_condition_is_an_entity_as_the_lexicon_gives_it(describer):
    message = asked("the cushion between two of my bones pushed out, can you fix that")
    describer.process([message])
    [entity] = message.get("entities")
    assert entity["entity"] == "condition" and entity["value"] == "herniated_disc"
