"""The REST channel (channels/rest.py) against the real Rasa and action servers: malformed
requests get a 400 with a JSON error, never a 500; the client's metadata is not stored; a
message over the cap is answered at once, unparsed; a REST sender never reaches another
channel's conversation."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
import uuid

import jwt
import pytest

from channels.limits import MAX_MESSAGE_CHARS
from channels.rest import ADDRESS_RATE_LIMIT, SENDER_RATE_LIMIT, conversation_id
from harness.bot_servers import running_bot, wait_until
from practice.facts import practice_phone
from tests.conftest import MODEL
from tests.support.web_chat import Chat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    with running_bot(MODEL, workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


def post(bot, body: bytes, query: str = "", address: str | None = None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address  # as nginx names the client it proxies
    request = urllib.request.Request(f"{bot.rasa_url}/webhooks/rest/webhook{query}", data=body,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.mark.parametrize("body", [
    b"", b"[]", b"null", b'"hello"', b"42", b"{", b"\xff\xfe", b'{"message": "hi"}',
    b'{"sender": "", "message": "hi"}', b'{"sender": 5, "message": "hi"}',
    b'{"sender": "a b", "message": "hi"}', b'{"sender": "me", "message": null}',
    b'{"sender": "me", "message": ["hi"]}', b'{"sender": "' + b"x" * 200 + b'", "message": "hi"}',
    b"[" * 100_000, b'{"a":' * 50_000,
])
def test_a_malformed_request_gets_a_400_with_a_json_error(bot, body):
    status, answer = post(bot, body)
    assert status == 400 and isinstance(answer, dict) and answer["error"]


def test_streaming_is_refused_not_left_hanging(bot):
    status, answer = post(bot, json.dumps({"sender": "me", "message": "hi"}).encode(),
                          "?stream=true")
    assert status == 400 and "stream" in answer["error"].lower()


def test_the_client_s_metadata_is_not_stored(bot):
    sender = f"rest-{uuid.uuid4().hex}"
    body = {"sender": sender, "message": "how long is recovery?", "input_channel": "sms",
            "metadata": {"tracking": "canary-metadata-" + "x" * 5000}}
    status, answer = post(bot, json.dumps(body).encode())
    assert status == 200 and "two weeks" in answer[0]["text"]
    def stored() -> str:
        with sqlite3.connect(bot.workdir / "conversations.db") as db:
            return " ".join(row[0] for row in db.execute(
                "SELECT data FROM events WHERE sender_id = ?", (conversation_id(sender),)))

    assert wait_until(lambda: '"input_channel": "rest"' in stored())
    assert "canary-metadata" not in stored()


def test_a_message_over_the_cap_is_answered_at_once_unparsed(bot):
    sender = f"rest-{uuid.uuid4().hex}"
    started = time.monotonic()
    status, answer = post(bot, json.dumps({"sender": sender,
                                           "message": "pain " * MAX_MESSAGE_CHARS}).encode())
    elapsed = time.monotonic() - started
    assert status == 200 and "too long" in answer[0]["text"]
    print(f"answered in {elapsed * 1000:.0f} ms")
    with sqlite3.connect(bot.workdir / "conversations.db") as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                          (conversation_id(sender),)).fetchone()[0] == 0


def test_a_message_at_the_cap_is_answered(bot):
    message = ("how long is recovery? " * 60)[:MAX_MESSAGE_CHARS]
    status, answer = post(bot, json.dumps({"sender": f"rest-{uuid.uuid4().hex}",
                                           "message": message}).encode())
    assert status == 200 and answer and answer[0]["text"]


def test_a_huge_body_is_refused_before_it_is_read(bot):
    status, _ = post(bot, b'{"sender": "me", "message": "' + b"x" * 2_000_000 + b'"}')
    assert status == 413


def ask(sender: str, text: str) -> bytes:
    return json.dumps({"sender": sender, "message": text}).encode()


def test_a_flooding_sender_is_told_to_slow_down_and_others_are_not(bot):
    sender = f"flood-{uuid.uuid4().hex}"
    statuses = [post(bot, ask(sender, "hi"))[0] for _ in range(SENDER_RATE_LIMIT)]
    assert statuses == [200] * SENDER_RATE_LIMIT
    status, answer = post(bot, ask(sender, "what is MIG-LIF?"))
    assert status == 429 and practice_phone() in answer["error"]
    status, answer = post(bot, ask(f"calm-{uuid.uuid4().hex}", "what is MIG-LIF?"))
    assert status == 200 and answer


def test_one_address_is_limited_however_many_senders_it_invents(bot):
    flooder = "203.0.113.7"
    # Malformed requests count too: the address is checked before the body is read.
    for number in range(ADDRESS_RATE_LIMIT):
        status, _ = post(bot, b"{" if number % 2 else ask(f"s{number}", "hi"), address=flooder)
        assert status in (200, 400)
    status, answer = post(bot, ask(f"new-{uuid.uuid4().hex}", "hi"), address=flooder)
    assert status == 429 and "a lot of messages" in answer["error"]
    status, _ = post(bot, ask(f"n-{uuid.uuid4().hex}", "what is MIG-LIF?"), address="203.0.113.8")
    assert status == 200


def test_a_lone_surrogate_or_control_characters_are_answered_like_any_text(bot):
    body = b'{"sender": "s-%s", "message": "how long is \\ud800recovery?\\u0000\\u001b"}'
    status, answer = post(bot, body % uuid.uuid4().hex.encode())
    assert status == 200 and "two weeks" in answer[0]["text"]


def stored_user_texts(bot, conversation: str) -> list[str]:
    with sqlite3.connect(bot.workdir / "conversations.db") as db:
        return [row[0] for row in db.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE sender_id = ? "
            "AND type_name = 'user' ORDER BY id", (conversation,))]


def test_a_rest_sender_naming_a_web_chat_conversation_lands_in_a_conversation_of_its_own(bot):
    chat = Chat(bot)
    try:
        assert "MIG-LIF" in " ".join(chat.ask("what is MIG-LIF?"))
        # The web chat's conversation id is readable from its token's payload.
        web_conversation = jwt.decode(chat.token, options={"verify_signature": False})["sub"]
        assert web_conversation.startswith("web-")
        for name in (web_conversation, "sms-" + "0" * 32):
            status, answer = post(bot, json.dumps(
                {"sender": name, "message": "what are its benefits?"}).encode())
            # No context from the web chat: "its" names nothing here.
            assert status == 200 and "MIG-LIF" not in " ".join(m.get("text", "") for m in answer)
            assert answer[0]["recipient_id"] == name
        assert wait_until(lambda: stored_user_texts(bot, conversation_id(web_conversation))
                          == ["what are its benefits?"])
        assert stored_user_texts(bot, web_conversation) == ["what is MIG-LIF?"]
    finally:
        chat.close()


def test_a_turn_sent_again_with_its_message_id_gets_the_reply_already_given_once(bot):
    sender = f"rest-{uuid.uuid4().hex[:8]}"

    def turn(message: str, message_id: str) -> list:
        status, answer = post(bot, json.dumps({"sender": sender, "message": message,
                                               "message_id": message_id}).encode())
        assert status == 200
        return answer

    first = turn("what is MIG-LIF?", "turn-1")
    assert "MIG-LIF" in first[0]["text"]
    # The same turn again (a retry): the same reply, and the bot does not run it again.
    assert turn("what is MIG-LIF?", "turn-1") == first
    follow_up = turn("what are its benefits?", "turn-2")
    assert turn("what are its benefits?", "turn-2") == follow_up  # rewritten in context too
    assert "MIG-LIF" in turn("what is MIG-LIF?", "turn-3")[0]["text"]  # a new id: a new turn
    assert wait_until(lambda: stored_user_texts(bot, conversation_id(sender)).count(
        "what is MIG-LIF?") == 2)
    for bad in ["", "a b", "x" * 65, 5]:
        status, answer = post(bot, json.dumps({"sender": sender, "message": "hi",
                                               "message_id": bad}).encode())
        assert status == 400 and "message_id" in answer["error"]
