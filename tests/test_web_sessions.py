"""Web chat sessions are issued by the server (channels/web.py): a stranger who knows or
guesses a conversation id cannot join it, a message's own session id is ignored, events of the
wrong shape are dropped without a traceback, and an over-long message is answered at once."""

from __future__ import annotations

import time

import jwt
import pytest
import socketio
import socketio.exceptions

from channels.limits import MAX_MESSAGE_CHARS
from channels.web import CONNECTION_RATE_LIMIT, CONVERSATION_RATE_LIMIT
from components.courtesy import lexicon as courtesy_lexicon
from harness.bot_servers import running_bot, wait_until
from practice.facts import practice_phone
from tests.conftest import MODEL
from tests.support.web_chat import Chat
from tests.test_rest_channel import stored_user_texts

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    with running_bot(MODEL, workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


def test_a_session_id_chosen_by_the_browser_is_replaced_by_a_signed_one(bot):
    for chosen in ["1", "0123456789abcdef0123456789abcdef", "web-" + "a" * 32]:
        chat = Chat(bot, token=chosen)
        try:
            assert chat.token != chosen and chat.token.count(".") == 2  # a JWT
        finally:
            chat.close()


def test_a_stranger_cannot_join_or_speak_in_another_patients_chat(bot):
    patient = Chat(bot)
    try:
        assert "two weeks" in " ".join(patient.ask("how long is recovery?"))
        conversation_id = patient.token  # even the token itself, sent with a message
        stranger = Chat(bot)
        try:
            heard = stranger.ask("and with open surgery?", session_id=conversation_id)
            # The stranger spoke in a conversation of their own: nothing to follow up on.
            assert not any("six to eight weeks" in text for text in heard)
        finally:
            stranger.close()
        time.sleep(1)
        assert len(patient.answers) == 1  # the patient heard nothing of the stranger's chat
    finally:
        patient.close()


def test_a_reload_with_the_servers_token_continues_the_conversation(bot):
    first = Chat(bot)
    first.ask("how long is recovery?")
    token = first.token
    first.close()
    again = Chat(bot, token=token)
    try:
        assert again.token == token
        assert "six to eight weeks" in " ".join(again.ask("and with open surgery?"))
    finally:
        again.close()


def test_events_of_the_wrong_shape_are_dropped_quietly(bot):
    chat = Chat(bot)
    try:
        for data in [None, [], "hello", 5, {}, {"message": 5}, {"message": None},
                     {"message": ["hi"]}, {"message": "   "}]:
            chat.client.emit("user_uttered", data)
            chat.client.emit("session_request", data)
        chat.client.emit("session_request", {"session_id": chat.token})
        # Events a client may name like the server's own: they change nothing.
        for event in ["connect", "disconnect"]:
            for data in [None, {}, [], 5, {"sanic.request": "x"}]:
                chat.client.emit(event, data)
        time.sleep(1)
        assert chat.ask("what is MIG-LIF?")
        # A lone surrogate (valid JSON, not valid UTF-8) and control characters.
        assert "two weeks" in " ".join(chat.ask("how long is \ud800recovery?\x00\x1b"))
    finally:
        chat.close()
    log = (bot.workdir / "rasa-server.log").read_text()
    assert "Traceback" not in log


def test_a_message_over_the_cap_is_answered_at_once(bot):
    chat = Chat(bot)
    try:
        started = time.monotonic()
        [reply] = chat.ask("pain " * MAX_MESSAGE_CHARS)
        assert "too long" in reply and time.monotonic() - started < 5
    finally:
        chat.close()


def test_a_huge_socket_message_closes_that_socket_only(bot):
    chat = Chat(bot)
    try:
        chat.client.emit("user_uttered", {"message": "x" * 100_000})
        time.sleep(2)
    finally:
        chat.close()
    other = Chat(bot)
    try:
        assert other.ask("what is MIG-LIF?")
    finally:
        other.close()


def test_a_flood_in_one_chat_gets_one_warning_then_silence(bot):
    chat = Chat(bot)
    try:
        for number in range(CONVERSATION_RATE_LIMIT + 10):
            chat.client.emit("user_uttered", {"message": f"hello {number}"})
        # The allowed messages are answered (one at a time: Rasa locks a conversation),
        # and the first one over the limit gets the warning.
        deadline = time.monotonic() + 90
        while (len(chat.answers) < CONVERSATION_RATE_LIMIT + 1
               and time.monotonic() < deadline):
            time.sleep(0.1)
        time.sleep(2)
        warnings = [text for text in chat.answers if "a lot of messages" in text]
        assert len(warnings) == 1 and practice_phone() in warnings[0]
        assert chat.ask("what is MIG-LIF?") == []  # still inside the minute: silence
    finally:
        chat.close()
    other = Chat(bot)
    try:
        assert other.ask("what is MIG-LIF?")  # other patients are not affected
    finally:
        other.close()


def test_connections_from_one_address_are_limited(bot):
    chats = []
    try:
        for _ in range(CONNECTION_RATE_LIMIT):
            chats.append(Chat(bot, address="198.51.100.9"))
        with pytest.raises(socketio.exceptions.ConnectionError):
            Chat(bot, address="198.51.100.9")
        neighbour = Chat(bot, address="198.51.100.10")
        chats.append(neighbour)
        assert neighbour.ask("what is MIG-LIF?")
    finally:
        for chat in chats:
            chat.close()


def test_the_notice_reaches_the_web_chat_as_a_card_after_the_reply_to_thanks(bot):
    chat = Chat(bot)
    try:
        texts = chat.ask("thanks! and do you still do video visits?")
        deadline = time.monotonic() + 10
        while not chat.customs and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        chat.close()
    # The reply to the thanks as a text of its own, then the card (no wording to match).
    assert texts == [courtesy_lexicon()["courtesies"]["thank"]["reply"]]
    [card] = chat.customs
    assert card["notice"]["heading"] == "Practice update, April 30, 2020"
    assert "telehealth" in card["notice"]["text"]


def test_a_message_sent_again_under_its_id_gets_the_answer_once(bot):
    first = Chat(bot)
    try:
        answer = first.ask("what is MIG-LIF?", message_id="widget-msg-1")
        assert "MIG-LIF" in " ".join(answer)
        token = first.token
    finally:
        first.close()
    # The widget reconnected (its server died before it heard the answer) and sends the
    # message again: the answer given, not a second run.
    again = Chat(bot, token=token)
    try:
        assert again.ask("what is MIG-LIF?", message_id="widget-msg-1") == answer
        assert "MIG-LIF" in " ".join(again.ask("what are its benefits?", message_id="widget-msg-2"))
    finally:
        again.close()
    conversation = jwt.decode(token, options={"verify_signature": False})["sub"]
    # Once the later message is stored, the repeated one has been stored once only.
    assert wait_until(lambda: len(stored_user_texts(bot, conversation)) >= 2)
    assert stored_user_texts(bot, conversation)[0] == "what is MIG-LIF?"
    assert stored_user_texts(bot, conversation).count("what is MIG-LIF?") == 1
