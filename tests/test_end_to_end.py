"""End to end: the real action server and Rasa server, a patient talking over REST, and a
practice notice served by a real local HTTP server that changes mid-conversation."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid

import pytest

from harness.bot_servers import running_bot
from tests.conftest import MODEL
from tests.feeds import NEWER_2026, TELEHEALTH_2020, rss

pytestmark = pytest.mark.e2e
PHONE = "501-661-0077"


@pytest.fixture(scope="module")
def bot(module_feed_server, tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    module_feed_server.body = rss([TELEHEALTH_2020])
    env = {"PRACTICE_NOTICE_URL": module_feed_server.url, "PRACTICE_NOTICE_TTL": "0"}
    with running_bot(MODEL, env=env, workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


def say(bot, sender, text):
    """The bot's reply texts, which must never be empty."""
    messages = bot.send(sender, text)
    texts = [message.get("text", "") for message in messages]
    assert texts and all(t.strip() for t in texts), f"no reply to {text!r}: {messages}"
    return texts, messages


def patient():
    return f"patient-{uuid.uuid4().hex}"


def test_greeting_offers_topics_as_buttons(bot):
    texts, messages = say(bot, patient(), "hi there")
    assert "virtual assistant" in texts[0]
    assert [b["title"] for b in messages[0]["buttons"]][:3] == [
        "What is MISS?", "Benefits", "Conditions treated"]


def test_a_conversation_about_miss_keeps_context(bot):
    sender = patient()
    assert "15 to 20 mm" in say(bot, sender, "what is minimally invasive spine surgery?")[0][0]
    assert "two weeks" in say(bot, sender, "how long is recovery")[0][0]
    assert "herniated discs" in say(bot, sender, "do you treat slipped discs?")[0][0]
    assert "spinal deformities such as scoliosis" in say(bot, sender, "what about scoliosis?")[0][0]
    not_listed = say(bot, sender, "and sciatica?")[0][0]
    assert not_listed.startswith("Sciatica is not one of the conditions") and PHONE in not_listed
    assert "Scott Schlesinger" in say(bot, sender, "what is MIG-LIF")[0][0]
    assert "MRSA" in say(bot, sender, "what are the benefits?")[0][0]


def test_emergency_comes_first_at_any_point(bot):
    sender = patient()
    say(bot, sender, "how much does it cost?")
    texts, _ = say(bot, sender, "what is the recovery time? also I suddenly can't feel my legs")
    assert texts == [
        "This may be an emergency. Call 911 or go to the nearest emergency room now. "
        "Please don't wait for a chat reply."]
    assert "988" in say(bot, sender, "i want to end my life")[0][0]


@pytest.mark.parametrize("question, answer", [
    # Each gets its own answer (the deflection has the phone number too: not enough).
    ("do you take my insurance?", "I don't have information about insurance."),
    ("where are you located", "I don't have our address here."),
    ("what are your hours", "I don't have our office hours."),
    ("what's the weather today", "I don't have an answer to that here"),
])
def test_questions_the_page_does_not_answer_say_so_and_give_the_phone_number(bot, question,
                                                                            answer):
    reply = " ".join(say(bot, patient(), question)[0])
    assert reply.startswith(answer) and PHONE in reply, reply


def test_a_question_near_a_page_topic_is_pointed_to_it(bot):
    texts, messages = say(bot, patient(), "where did dr schlesinger go to medical school")
    assert texts[0].startswith("Our page doesn't answer that") and PHONE in texts[0]
    assert texts[0].endswith("I can tell you what our page says about our surgeons.")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_surgeons"]
    # Near no topic: said plainly, nothing offered.
    texts, messages = say(bot, patient(), "is there a patient portal for my test results")
    assert texts[0].startswith("Our page doesn't answer that") and "buttons" not in messages[0]


def test_notice_answers_follow_the_live_feed(bot, module_feed_server):
    sender = patient()
    module_feed_server.body = rss([TELEHEALTH_2020])
    assert say(bot, sender, "do you offer telehealth?")[0] == [
        "Update of April 30, 2020: We will continue to see patients via telehealth for office "
        "visits."]
    module_feed_server.body = rss([TELEHEALTH_2020, NEWER_2026])
    assert say(bot, sender, "can I still do a video visit?")[0] == [
        "Update of November 1, 2026: Telehealth visits end on December 1; all office visits "
        "will be in person."]
    module_feed_server.status = 500
    try:
        assert say(bot, sender, "telehealth?")[0][0].startswith("Update of November 1, 2026")
    finally:
        module_feed_server.status = 200
    no_mention = say(bot, sender, "what safety precautions are you taking?")[0][0]
    assert no_mention.startswith("Our latest update (November 1, 2026) doesn't mention")


@pytest.mark.parametrize("text", [
    "", "   ", "?", "<script>alert(1)</script>", "🙂🙂🙂", "x" * 5000,
    "/ask_recovery_time", '/ask_condition_treated{"condition": "made_up"}', "/not_an_intent",
])
def test_odd_input_gets_a_reply_not_a_crash(bot, text):
    messages = bot.send(patient(), text)
    assert isinstance(messages, list)
    if text.strip():
        assert messages and all(m.get("text", "").strip() for m in messages), messages


@pytest.mark.parametrize("origin, status", [
    ("http://localhost:8080", 200),          # the demo page, allowed by default
    ("http://evil.example", 400),
    ("http://localhost:8080.evil.example", 400),  # a look-alike is not the same string
])
def test_web_chat_socket_accepts_only_listed_origins(bot, origin, status):
    request = urllib.request.Request(
        f"{bot.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == status
    except urllib.error.HTTPError as error:
        assert error.code == status
