"""The evaluation sets measure patients the bot was not trained on: none holds a near-copy of a
training example (harness/evaluation_sets.py), and each is big enough to mean something.
The sealed answer sets (tests/nlu_sealed/README.md) are the pinned ones: an edit fails here
unless the checksum changes in the same commit, with the reason in the commit message."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from harness.content import domain
from harness.evaluation_sets import near_copy_of, nlu_examples, normalised
from harness.replies import CONDITION_INTENT, NOT_LISTED
from practice.facts import conditions_treated

TESTS = Path(__file__).parent
HELDOUT = TESTS / "nlu_heldout.yml"
DEV = TESTS / "nlu_dev.yml"
# The sealed answer sets already read (tests/nlu_sealed/README.md): development sets now.
DEV_SECOND = [TESTS / "nlu_dev_second.yml", TESTS / "nlu_two_questions_dev_second.yml",
              TESTS / "nlu_not_on_page_dev.yml", TESTS / "nlu_dev_third.yml",
              TESTS / "nlu_two_questions_dev_third.yml", TESTS / "nlu_not_on_page_dev_second.yml",
              TESTS / "nlu_dev_fourth.yml", TESTS / "nlu_dev_fifth.yml",
              TESTS / "nlu_dev_sixth.yml", TESTS / "nlu_not_on_page_dev_third.yml",
              TESTS / "nlu_dev_es.yml", TESTS / "nlu_dev_es_second.yml"]
TRIAGE_SETS = sorted([*(TESTS / "triage").glob("*.yml"), *(TESTS / "triage" / "es").glob("*.yml"),
                      *(TESTS / "triage" / "unopened").glob("*.yml")])
MIN_HELDOUT = 300
SEALED_ANSWERS = TESTS / "nlu_sealed"
# sha256 of each sealed answer set, and the fewest messages it may hold (issue 23). Written
# apart from tests/nlu_sealed/brief.md on 2026-12-04 (the third round: the first two were read and
# are development sets now, DEV_SECOND), never opened; near-copies of training or development
# phrasings, or of each other, dropped by script, unread.
SEALED_ANSWER_SETS = {
    # The second Spanish set: 254 (330 written by a new helper; 76 near-copies of training or
    # other evaluation phrasings dropped, unread).
    "heldout_es_2.yml": ("626d3a757e1e9aab9554513f735c952322bc0248a3ae541bae32b42a8f890c86", 150),
    # The third Spanish set: 239 (340 written by a new helper on 2026-12-04, session 2; 101
    # near-copies of training or other evaluation phrasings dropped, unread). The first
    # (heldout_es_1, scored five times) is a development set now: tests/nlu_dev_es_second.yml.
    "heldout_es_3.yml": ("f09cb84775f31f2724d9430caf4688a5a86e05f679c9eeda5917129c52a44124", 150),
    # Round 6's held-out set (round 5's was read: tests/nlu_dev_sixth.yml): 407 (540 written by
    # two writers, the second asked for messages of 8 words or more; 133 near-copies dropped).
    "heldout_6.yml": ("eb7d658179d690943b4f74175dec9d9b9ede7e641507d89bd45063c30bc202a4", 300),
    # 97 messages asking two or three questions (three near-copies dropped).
    "two_questions_3.yml": ("08d82cd1856dafb1c4612e4b79a2b7735aba09d02f72de2452caaabb08a16bf2", 60),
    # 121 questions the page does not answer, a third of them right beside a page topic (135
    # written, 14 near-copies dropped). Round 4 (round 3's was read: nlu_not_on_page_dev_third).
    "not_on_page_4.yml": ("ad1e0a1dea570315cd49bcad06313aa7bcbbb79fedd155deb41b0b430da1672f", 80),
}


def triage_messages(path: Path) -> list[str]:
    return [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]


def test_the_held_out_set_is_big_enough_and_has_no_repeats():
    texts = [normalised(text) for _, text in nlu_examples(HELDOUT)]
    assert len(texts) >= MIN_HELDOUT
    assert len(set(texts)) == len(texts)


def sealed_answer_sets() -> list[Path]:
    return sorted(SEALED_ANSWERS.glob("*.yml"))


def test_the_sealed_answer_sets_are_the_pinned_ones_and_big_enough():
    found = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
             for path in sealed_answer_sets()}
    assert found == {name: pinned for name, (pinned, _) in SEALED_ANSWER_SETS.items()}
    for name, (_, fewest) in SEALED_ANSWER_SETS.items():
        texts = [normalised(text) for _, text in nlu_examples(SEALED_ANSWERS / name)]
        assert len(texts) >= fewest and len(set(texts)) == len(texts), name


@pytest.mark.parametrize("path", sealed_answer_sets(), ids=lambda p: p.name)
def test_every_sealed_answer_label_is_one_the_scorer_knows(path):
    allowed = {*domain().intent_properties, *(f"{CONDITION_INTENT}/{name}"
                                              for name in [*conditions_treated(), NOT_LISTED])}
    # Labels, never messages, may be shown.
    unknown = {part for intent, _ in nlu_examples(path) for part in intent.split("+")} - allowed
    assert not unknown


@pytest.mark.parametrize("path", [HELDOUT, DEV, *DEV_SECOND, *TRIAGE_SETS, *sealed_answer_sets()],
                         ids=lambda p: p.name)
def test_no_message_is_a_near_copy_of_a_training_example(path):
    texts = ([text for _, text in nlu_examples(path)] if path.suffix == ".yml"
             and "nlu" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
             else triage_messages(path))
    copies = {text: copy for text in texts if (copy := near_copy_of(text))}
    # A sealed set's messages are never printed (tests/triage/README.md): only how many.
    shown = "" if path.name.startswith("sealed_") or path.parent == SEALED_ANSWERS \
        else f": {copies}"
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


@pytest.mark.parametrize("path", [HELDOUT, DEV, *DEV_SECOND], ids=lambda p: p.name)
def test_every_condition_question_names_the_condition_its_answer_must_name(path):
    labels = {part for intent, _ in nlu_examples(path) for part in intent.split("+")
              if part.startswith(CONDITION_INTENT)}
    allowed = {f"{CONDITION_INTENT}/{name}" for name in [*conditions_treated(), NOT_LISTED]}
    assert labels <= allowed


def test_every_phrasing_of_a_topic_with_about_words_names_one():
    # config.yml: the classifier drops a reading of these topics when the message names none
    # of its words, so each phrasing we train or measure on must name one.
    config = yaml.safe_load((TESTS.parent / "config.yml").read_text(encoding="utf-8"))
    about = next(c for c in config["pipeline"] if c["name"].endswith("LinearIntentClassifier"))
    paths = [*sorted((TESTS.parent / "data").rglob("*.yml")), HELDOUT, DEV, *DEV_SECOND]
    for intent, words in about["about"].items():
        phrasings = [text for path in paths for name, text in nlu_examples(path)
                     if name == intent]
        assert phrasings
        silent = [text for text in phrasings
                  if not set(re.split(r"[\W_]+", text.lower())) & set(words)]
        assert not silent, f"{intent}: {silent}"
