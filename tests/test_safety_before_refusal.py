"""Safety before every refusal (channels/safety_first.py), against the real Rasa and action
servers on every channel: a message too long, over a rate limit or in a malformed request is
read for a red flag before the bot says no; one that describes an emergency or a crisis gets
that guidance, a rate-limited sender at most once a minute; the refusals themselves say to
call 911 in an emergency."""

from __future__ import annotations

import json
import uuid

import pytest

from channels.limits import MAX_MESSAGE_CHARS
from channels.rest import ADDRESS_RATE_LIMIT, SENDER_RATE_LIMIT
from harness.bot_servers import free_port, running_bot
from harness.content import domain
from tests.conftest import MODEL
from tests.support.web_chat import Chat
from tests.test_rest_channel import post as post_bytes
from tests.test_sms_webhook import TOKEN, SmsGateway, sms_env

pytestmark = pytest.mark.e2e

STORY = ("I had my fusion two weeks ago and the first days went fine. My daughter stayed with "
         "me, we walked a little more each day, and the pain was less than I expected. ") * 8
EMERGENCY = STORY + "But since this morning I can't control my bladder and my groin is numb."
CRISIS = STORY + "I have been saving up my pills and I plan to take them all tonight."
SUDDEN = "I suddenly can't feel my legs"


def said(response: str) -> str:
    return domain().responses[response][0]["text"].split("{")[0].strip()


EMERGENCY_GUIDANCE = said("utter_report_emergency")
CRISIS_GUIDANCE = said("utter_report_crisis")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    port = free_port()
    env = {**sms_env(tmp_path_factory.mktemp("sms-state")), "TWILIO_AUTH_TOKEN": TOKEN,
           "SMS_PUBLIC_URL": f"http://127.0.0.1:{port}/webhooks/sms/webhook"}
    with running_bot(MODEL, env=env, rasa_port=port,
                     workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


def post(bot, body: dict, address: str | None = None) -> tuple[int, object]:
    return post_bytes(bot, json.dumps(body).encode(), address=address)


def new_sender() -> str:
    return f"safety-{uuid.uuid4().hex}"


def test_the_stories_are_over_the_cap():
    assert len(EMERGENCY) > MAX_MESSAGE_CHARS and len(CRISIS) > MAX_MESSAGE_CHARS


@pytest.mark.parametrize("message, guidance", [(EMERGENCY, EMERGENCY_GUIDANCE),
                                               (CRISIS, CRISIS_GUIDANCE)])
def test_rest_a_long_story_ending_in_danger_gets_the_guidance(bot, message, guidance):
    status, answer = post(bot, {"sender": new_sender(), "message": message})
    assert status == 200 and answer[0]["text"].startswith(guidance)


SPANISH_STORY = ("Me operaron de la espalda hace dos semanas y los primeros días fueron bien. Mi "
                 "hija se quedó conmigo, caminábamos un poco más cada día. ") * 9
SPANISH_EMERGENCY = SPANISH_STORY + ("Pero desde esta mañana no puedo controlar la orina y tengo "
                                     "las piernas dormidas.")


def test_rest_a_long_spanish_story_ending_in_danger_gets_the_guidance_in_spanish(bot):
    """Issue 24: safety before the refusal, in the patient's language."""
    assert len(SPANISH_EMERGENCY) > MAX_MESSAGE_CHARS
    status, answer = post(bot, {"sender": new_sender(), "message": SPANISH_EMERGENCY})
    assert status == 200 and "911" in answer[0]["text"] and "emergencia" in answer[0]["text"]


def test_rest_a_long_message_without_danger_is_refused_with_911(bot):
    status, answer = post(bot, {"sender": new_sender(), "message": STORY * 2})
    assert status == 200 and "too long" in answer[0]["text"] and "911" in answer[0]["text"]


def test_rest_a_rate_limited_sender_gets_the_guidance_once_a_minute(bot):
    sender = new_sender()
    for _ in range(SENDER_RATE_LIMIT):
        assert post(bot, {"sender": sender, "message": "hi"})[0] == 200
    status, answer = post(bot, {"sender": sender, "message": "what is MIG-LIF?"})
    assert status == 429 and "911" in answer["error"]
    status, answer = post(bot, {"sender": sender, "message": SUDDEN})
    assert status == 200 and answer[0]["text"].startswith(EMERGENCY_GUIDANCE)
    # A flood cannot use the guidance to get past the limit: the next one is refused.
    status, answer = post(bot, {"sender": sender, "message": SUDDEN})
    assert status == 429


def test_rest_a_patient_behind_a_flooded_address_still_gets_the_guidance(bot):
    shared = "198.51.100.23"  # a clinic's Wi-Fi
    for number in range(ADDRESS_RATE_LIMIT):
        post(bot, {"sender": f"s{number}-{uuid.uuid4().hex}", "message": "hi"}, address=shared)
    status, _ = post(bot, {"sender": new_sender(), "message": "hi"}, address=shared)
    assert status == 429
    status, answer = post(bot, {"sender": new_sender(), "message": SUDDEN}, address=shared)
    assert status == 200 and answer[0]["text"].startswith(EMERGENCY_GUIDANCE)


def test_rest_a_malformed_request_describing_danger_carries_the_guidance(bot):
    status, answer = post(bot, {"sender": "not a valid sender", "message": SUDDEN})
    assert status == 400 and answer["error"] and answer["guidance"].startswith(
        EMERGENCY_GUIDANCE)
    status, answer = post(bot, {"sender": "not a valid sender", "message": "how long is recovery"})
    assert status == 400 and "guidance" not in answer


def test_web_a_long_story_ending_in_danger_gets_the_guidance(bot):
    chat = Chat(bot)
    try:
        assert chat.ask(EMERGENCY)[0].startswith(EMERGENCY_GUIDANCE)
        answer = chat.ask(STORY * 2)[0]
        assert "too long" in answer and "911" in answer
    finally:
        chat.close()


def test_web_a_rate_limited_conversation_gets_the_guidance(bot):
    chat = Chat(bot)
    try:
        for _ in range(20):
            chat.client.emit("user_uttered", {"message": "hi"})
        answers = chat.ask(SUDDEN)
        assert any(answer.startswith(EMERGENCY_GUIDANCE) for answer in answers), answers
    finally:
        chat.close()


def test_sms_a_long_text_ending_in_danger_gets_the_guidance(bot):
    gateway = SmsGateway(bot.rasa_url)
    number = f"+1501555{uuid.uuid4().int % 10_000:04d}"
    status, texts = gateway.text(CRISIS, sender=number)
    assert status == 200 and texts[0].startswith(CRISIS_GUIDANCE)


def test_sms_a_rate_limited_number_gets_the_guidance_once_a_minute(bot):
    gateway = SmsGateway(bot.rasa_url)
    number = f"+1501556{uuid.uuid4().int % 10_000:04d}"
    for _ in range(6):  # SMS_RATE_LIMIT in sms_env
        gateway.text("what is MIG-LIF?", sender=number)
    status, texts = gateway.text("what is MIG-LIF?", sender=number)
    assert status == 200 and "911" in texts[0]
    status, texts = gateway.text(SUDDEN, sender=number)
    assert status == 200 and texts[0].startswith(EMERGENCY_GUIDANCE)
    status, texts = gateway.text(SUDDEN, sender=number)
    assert status == 200 and texts == []
