"""The evaluation sets measure patients the bot was not trained on: none holds a near-copy of a
training example (tests/support/evaluation_sets.py), and each is big enough to mean something."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from practice.facts import conditions_treated
from tests.support.evaluation_sets import near_copy_of, nlu_examples, normalised
from tests.support.replies import CONDITION_INTENT, NOT_LISTED

TESTS = Path(__file__).parent
HELDOUT = TESTS / "nlu_heldout.yml"
DEV = TESTS / "nlu_dev.yml"
TRIAGE_SETS = sorted([*(TESTS / "triage").glob("*.yml"),
                      *(TESTS / "triage" / "unopened").glob("*.yml")])
MIN_HELDOUT = 300


def triage_messages(path: Path) -> list[str]:
    return [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]


def test_the_held_out_set_is_big_enough_and_has_no_repeats():
    texts = [normalised(text) for _, text in nlu_examples(HELDOUT)]
    assert len(texts) >= MIN_HELDOUT
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("path", [HELDOUT, DEV, *TRIAGE_SETS], ids=lambda p: p.name)
def test_no_message_is_a_near_copy_of_a_training_example(path):
    texts = ([text for _, text in nlu_examples(path)] if path in (HELDOUT, DEV)
             else triage_messages(path))
    copies = {text: copy for text in texts if (copy := near_copy_of(text))}
    # A sealed set's messages are never printed (tests/triage/README.md): only how many.
    shown = "" if path.name.startswith("sealed_") else f": {copies}"
    assert not copies, f"{len(copies)} near-copies (message -> training example){shown}"


def test_a_near_copy_is_caught():
    assert near_copy_of("how long is recoverry??") == "how long is recovery"
    assert near_copy_of("blood loss, is there less?") == "is there less blood loss"
    assert near_copy_of("my sister's neck hurts when she sneezes") is None


def test_the_development_set_holds_no_near_copy_of_a_held_out_phrasing():
    held_out = tuple(normalised(text) for _, text in nlu_examples(HELDOUT))
    copies = {text: copy for _, text in nlu_examples(DEV)
              if (copy := near_copy_of(text, held_out))}
    assert not copies


@pytest.mark.parametrize("path", [HELDOUT, DEV], ids=lambda p: p.name)
def test_every_condition_question_names_the_condition_its_answer_must_name(path):
    labels = {intent for intent, _ in nlu_examples(path) if intent.startswith(CONDITION_INTENT)}
    allowed = {f"{CONDITION_INTENT}/{name}" for name in [*conditions_treated(), NOT_LISTED]}
    assert labels and labels <= allowed


def test_every_phrasing_of_a_topic_with_about_words_names_one():
    # config.yml: the classifier drops a reading of these topics when the message names none
    # of its words, so each phrasing we train or measure on must name one.
    config = yaml.safe_load((TESTS.parent / "config.yml").read_text(encoding="utf-8"))
    about = next(c for c in config["pipeline"] if c["name"].endswith("LinearIntentClassifier"))
    paths = [*sorted((TESTS.parent / "data").rglob("*.yml")), HELDOUT, DEV]
    for intent, words in about["about"].items():
        phrasings = [text for path in paths for name, text in nlu_examples(path)
                     if name == intent]
        assert phrasings
        silent = [text for text in phrasings
                  if not set(re.split(r"[^a-z0-9]+", text.lower())) & set(words)]
        assert not silent, f"{intent}: {silent}"
