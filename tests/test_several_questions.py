"""Where one ask of a message ends and the next begins (components/several_questions.py)."""

from __future__ import annotations

import re

import pytest

from components.several_questions import merged, pieces, several


def asks(text: str) -> list[str]:
    words = re.findall(r"[\w'-]+|[?;,&+.!]", text.lower())
    return [" ".join(words[start:end]) for start, end in pieces(words)]


@pytest.mark.parametrize("text, expected", [
    ("how big is the cut and how long till im back to normal?",
     ["how big is the cut", "how long till im back to normal ?"]),
    ("who came up with mig-lif, and whats the number to call",
     ["who came up with mig-lif", "whats the number to call"]),
    ("is MISS done outpatient? and does it lower the chance of infection",
     ["is miss done outpatient ?", "does it lower the chance of infection"]),
    ("what is MISS, how big is the incision and how long does recovery take",
     ["what is miss", "how big is the incision", "how long does recovery take"]),
    ("what is it? how long? who does it", ["what is it ?", "how long ?", "who does it"]),
    ("do you fix slipped discs. how do i book a consult",
     ["do you fix slipped discs .", "how do i book a consult"]),
    ("wheres ur office? number?", ["wheres ur office ?", "number ?"]),
    ("less blood less scarring", ["less blood", "less scarring"]),
    ("less blood and less scarring?", ["less blood", "less scarring ?"]),
    ("is there less blood loss, less chance of infection, and smaller scars with this",
     ["is there less blood loss", "less chance of infection", "smaller scars with this"]),
    ("im a mail carrier. how long till i can go back, and is there rehab",
     ["im a mail carrier . how long till i can go back", "is there rehab"]),
    ("price?? and do u take medicare", ["price ? ?", "do u take medicare"]),
    ("is there less pain after,how fast do people recover",
     ["is there less pain after", "how fast do people recover"]),
    ("do you lose less blood with this way, and is infection less likely too",
     ["do you lose less blood with this way", "is infection less likely too"]),
    ("whats the size of the cut, and realistically when am i back to normal",
     ["whats the size of the cut", "realistically when am i back to normal"]),
    # A statement goes with the question after it, even with a verb that can start a question.
    ("my daughter is 15 and has a curve in her spine do u fix that? and can we do video",
     ["my daughter is 15 and has a curve in her spine do u fix that ?", "can we do video"]),
])
def test_each_question_is_a_piece_of_its_own(text, expected):
    assert asks(text) == expected


@pytest.mark.parametrize("text", [
    "my wife and i want to know what MISS is",
    "if i have stenosis, what are my options",
    "how long is the hospital stay and recovery",
    "what is MISS?",
    "what is MISS?!",
    "im exhausted from the pain and i cry every night. how long is recovery after MISS?",
])
def test_one_question_stays_whole(text):
    assert len(asks(text)) == 1


def test_several_means_each_sure_and_each_its_own_topic():
    cost, insurance = {"name": "ask_cost", "confidence": 0.9}, {"name": "ask_insurance",
                                                                "confidence": 0.8}
    assert several([cost, insurance], 0.5)
    assert not several([cost, {**insurance, "confidence": 0.4}], 0.5)
    assert not several([cost, cost], 0.5)
    assert not several([cost], 0.5)
    # "hi there. is MISS safe": a greeting is not a question (components/courtesy.py answers it).
    assert not several([{"name": "greet", "confidence": 0.9}, cost], 0.5)


def test_a_question_said_in_two_breaths_is_one():
    spans = [(0, 9), (10, 15), (16, 20)]
    assert merged(spans, ["ask_condition_treated", "ask_condition_treated", "ask_phone_number"]
                  ) == [(0, 15), (16, 20)]
    assert merged(spans, ["ask_what_is_miglif", "follow_up", "ask_miglif_developer"]
                  ) == [(0, 15), (16, 20)]
    assert merged(spans, ["ask_cost", "ask_insurance", "ask_cost"]) == spans


def test_a_piece_about_another_subject_is_a_question_of_its_own():
    spans = [(0, 4), (5, 9)]
    kyphosis, tumor = frozenset(["spinal_deformity"]), frozenset(["spinal_tumor"])
    # "do you treat kyphosis? what about tumors on the spine"
    assert merged(spans, ["ask_condition_treated"] * 2, [kyphosis, tumor]) == spans
    # "i have a bulging disc, do you treat that?": one question, one subject.
    assert merged(spans, ["ask_condition_treated"] * 2, [kyphosis, frozenset()]) == [(0, 9)]
    assert merged(spans, ["ask_condition_treated"] * 2, [kyphosis, kyphosis | tumor]
                  ) == [(0, 9)]
    condition = {"name": "ask_condition_treated", "confidence": 0.9}
    assert several([{**condition, "about": kyphosis}, {**condition, "about": tumor}], 0.5)
    assert not several([{**condition, "about": kyphosis}, {**condition, "about": kyphosis}], 0.5)
