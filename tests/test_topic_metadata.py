"""What a topic file says about its questions (components/topic_metadata.py), read from the
domain as Rasa sends it to the action server."""

from __future__ import annotations

import pytest

from components import topic_metadata
from components.topic_metadata import NoticeTopic, in_a_sentence

DOMAIN = {"intents": [
    "greet",
    {"ask_telehealth": {"metadata": {"title": "Telehealth", "title_es": "Telesalud",
                                     "notice_words": ["Telehealth", "video visit", " "]}}},
    {"ask_visitors": {"use_entities": True, "metadata": {"notice_words": "visitor"}}},
    {"forget_me": {"metadata": {"sms_keywords": ["delete", "Erase "]}}},
    {"follow_up": {"metadata": {"when_nothing_to_continue": "ask_help"}}},
    {"ask_help": {"metadata": {"title": "  What I can help with "}}},
    {"odd": None},
    {"odd_too": {"metadata": "not a mapping"}},
]}


def test_titles_are_those_given():
    assert topic_metadata.titles(DOMAIN) == {"ask_telehealth": "Telehealth",
                                             "ask_help": "What I can help with"}


def test_a_spanish_conversation_gets_the_spanish_titles_where_given():
    assert topic_metadata.titles(DOMAIN, "es") == {"ask_telehealth": "Telesalud",
                                                   "ask_help": "What I can help with"}


def test_a_notice_topic_is_named_by_its_title_and_found_by_its_words():
    topic = topic_metadata.notice_topic(DOMAIN, "ask_telehealth")
    assert topic == NoticeTopic("telehealth", ("telehealth", "video visit"))
    assert topic.mentioned_in("Video visits resume in May.")
    assert not topic.mentioned_in("We are open.")
    # One word is a list of one; without a title, the first word names it.
    assert topic_metadata.notice_topic(DOMAIN, "ask_visitors") == NoticeTopic("visitor",
                                                                              ("visitor",))
    assert topic_metadata.notice_topic(DOMAIN, "greet") is None
    assert topic_metadata.notice_topic(DOMAIN, None) is None


@pytest.mark.parametrize("title, in_text", [
    ("Elective procedures", "elective procedures"), ("MIG-LIF", "MIG-LIF"),
    ("COVID tests", "COVID tests"), ("Visitors?", "visitors"), ("X", "X"),
])
def test_a_title_inside_a_sentence(title, in_text):
    assert in_a_sentence(title) == in_text


def test_sms_keywords_and_what_a_lone_follow_up_means():
    assert topic_metadata.sms_keywords(DOMAIN) == {"DELETE": "forget_me", "ERASE": "forget_me"}
    assert topic_metadata.nothing_to_continue(DOMAIN) == "ask_help"
    assert topic_metadata.nothing_to_continue({"intents": ["greet"]}) is None
    assert topic_metadata.intent_metadata({}) == {}


def test_a_reading_skipped_when_unsure_is_never_offered_even_with_a_title():
    domain = {"intents": [{"report_emergency": {"metadata": {"title": "Emergency",
                                                             "skip_when_unsure": True}}},
                          {"ask_cost": {"metadata": {"title": "Cost"}}},
                          {"ask_odd": {"metadata": {"title": ["not", "text"]}}}]}
    assert topic_metadata.titles(domain) == {"ask_cost": "Cost"}
    assert topic_metadata.skipped_when_unsure(domain) == {"report_emergency"}
