"""A greeting or thanks before a question is set aside (components/courtesy.py)."""

from __future__ import annotations

import pytest

from components.courtesy import split_lead


@pytest.mark.parametrize("text, kind, question", [
    ("thanks! how do I book?", "thank", "how do I book?"),
    ("hi, do you treat scoliosis?", "greet", "do you treat scoliosis?"),
    ("Hello there - is the surgery outpatient", "greet", "is the surgery outpatient"),
    ("ok thank you. what does it cost", "thank", "what does it cost"),
    ("hi do you treat scoliosis", "greet", "do you treat scoliosis"),
    ("Thank you so much!! and is it outpatient?", "thank", "and is it outpatient?"),
    ("good morning, my mom has stenosis", "greet", "my mom has stenosis"),
])
def test_a_courtesy_before_a_question_is_set_aside(text, kind, question):
    lead = split_lead(text)
    assert lead is not None and (lead.kind, lead.question) == (kind, question)
    assert lead.text + lead.question == text


@pytest.mark.parametrize("text", [
    "hi", "thanks!", "hello there", "thank you so much for explaining",
    "thanks a bunch", "thanks! bye", "history of back pain", "highlights of MISS",
    "hey there friend", "thanksgiving hours?", "this is great",
])
def test_a_courtesy_alone_or_a_word_that_starts_like_one_is_left_alone(text):
    assert split_lead(text) is None


def restored(text, intent, entities=()):
    """The message after CourtesyLead, a classifier's reading of the rest, and CourtesyMark."""
    from rasa.shared.nlu.training_data.message import Message

    from components.courtesy import CourtesyLead, CourtesyMark

    message = Message(data={"text": text})
    CourtesyLead().process([message])
    question = message.get("text")
    message.set("intent", {"name": intent, "confidence": 0.9})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.9}])
    message.set("entities", [dict(e, start=question.index(e["text"]),
                                  end=question.index(e["text"]) + len(e["text"]))
                             for e in entities])
    CourtesyMark().process([message])
    return question, message


def test_the_full_text_comes_back_with_entities_where_the_patient_typed_them():
    question, message = restored("hi, do you treat scoliosis?", "ask_condition_treated",
                                 [{"entity": "condition", "value": "spinal_deformity",
                                   "text": "scoliosis"}])
    assert question == "do you treat scoliosis?"
    assert message.get("text") == "hi, do you treat scoliosis?"
    condition, courtesy = message.get("entities")
    assert message.get("text")[condition["start"]:condition["end"]] == "scoliosis"
    assert (courtesy["entity"], courtesy["value"]) == ("courtesy", "greet")


def test_a_few_words_not_understood_after_a_greeting_make_a_greeting():
    _, message = restored("hello, anyone there?", "nlu_fallback")
    assert message.get("intent")["name"] == "greet"
    assert message.get("entities") == []


def test_a_question_not_understood_after_thanks_stays_unsure_with_the_thanks_marked():
    _, message = restored("ok thank you. what will the whole thing run me", "nlu_fallback")
    assert message.get("intent")["name"] == "nlu_fallback"
    assert [e["value"] for e in message.get("entities")] == ["thank"]


def test_no_reply_is_put_before_emergency_guidance():
    _, message = restored("hi, i fell and can't move my legs", "report_emergency")
    assert message.get("entities") == []
