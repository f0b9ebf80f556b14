"""What a channel says itself comes from the running model's responses (channels/responses.py):
staff's words, with the practice's facts filled in; never a blank reply."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from rasa.shared.core.domain import Domain

from channels import responses
from components.courteous_nlg import CourteousNaturalLanguageGenerator
from harness.content import domain
from practice.facts import practice_name, practice_phone


def app_with(model_domain: Domain | None) -> SimpleNamespace:
    agent = None if model_domain is None else SimpleNamespace(
        domain=model_domain, nlg=CourteousNaturalLanguageGenerator(domain=model_domain))
    return SimpleNamespace(ctx=SimpleNamespace(agent=agent))


def says(app, name: str, channel: str = "sms") -> str:
    return asyncio.run(responses.channel_says(app, name, channel))


def test_every_channel_message_is_a_response_of_the_model():
    assert responses.SAID_BY_CHANNELS <= set(domain().responses)


def test_a_channel_message_is_the_topic_files_words_with_the_facts_filled_in():
    app = app_with(domain())
    assert says(app, responses.SMS_HELP).startswith(f"{practice_name()} virtual assistant")
    assert practice_phone() in says(app, responses.TOO_LONG, "rest")
    assert "{" not in says(app, responses.SMS_STOPPED)


def test_a_model_without_the_message_still_gets_an_answer(caplog):
    with caplog.at_level(logging.ERROR, logger="channels.responses"):
        for app in (app_with(Domain.empty()), app_with(None), None):
            text = says(app, responses.CANNOT_ANSWER)
            assert text == responses.LAST_RESORT.format(phone=practice_phone())
    assert "has no response utter_cannot_answer" in caplog.text


def test_sms_keywords_come_from_the_running_model():
    assert responses.sms_keyword_intents(app_with(domain())) == {
        "DELETE": "forget_me", "ERASE": "forget_me", "BORRAR": "forget_me"}
    assert responses.sms_keyword_intents(app_with(None)) == {}


def test_a_template_is_the_channels_own_variation_unfilled():
    app = app_with(domain())
    assert responses.template(app, responses.SMS_CHOICES, "sms") == "Reply {choices}."
    assert responses.template(app, "utter_no_such_thing", "sms") is None
    assert responses.template(app_with(None), responses.SMS_CHOICES, "sms") is None
