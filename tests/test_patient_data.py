"""Conversations handled as health data, with the real servers and a real SQLite database:
"forget me" on REST, SMS and web chat, the privacy notice at a conversation's start,
retention by the running bot, and answers when a part fails (the action server down or
hanging, the database locked, the Rasa server restarted)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import jwt
import pytest

from channels.rest import conversation_id
from harness.bot_servers import free_port, running_bot, wait_until
from practice.facts import practice_phone
from runtime.action_failures import ACTION_TIMEOUT_SECONDS
from tests.conftest import MODEL
from tests.support.web_chat import Chat
from tests.test_sms_webhook import TOKEN, SmsGateway, new_patient, sms_env

pytestmark = pytest.mark.e2e

DELETED = "I deleted this conversation"
FAILED = "I can't look that up right now"


def user_texts(workdir: Path, sender_prefix: str = "") -> dict[str, list[str]]:
    """Every stored patient message, by conversation."""
    with sqlite3.connect(workdir / "conversations.db") as db:
        rows = db.execute("SELECT sender_id, json_extract(data, '$.text') FROM events "
                          "WHERE type_name = 'user' ORDER BY id").fetchall()
    found: dict[str, list[str]] = {}
    for sender, text in rows:
        if sender.startswith(sender_prefix):
            found.setdefault(sender, []).append(text)
    return found


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    workdir = tmp_path_factory.mktemp("bot")
    port = free_port()
    env = {**sms_env(workdir / "sms"), "TWILIO_AUTH_TOKEN": TOKEN, "SMS_RATE_LIMIT": "30",
           "SMS_PUBLIC_URL": f"http://127.0.0.1:{port}/webhooks/sms/webhook"}
    with running_bot(MODEL, env=env, workdir=workdir, rasa_port=port) as running:
        yield running


def test_forget_me_over_rest_deletes_the_conversation_after_a_confirmation(bot):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    bot.send(sender, "my name is Zelda Quarrington and my back hurts, what is MIG-LIF?")
    asked = bot.send(sender, "please delete my conversation")
    assert "delete this conversation" in texts(asked)
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/affirm", "/deny"]
    assert wait_until(lambda: conversation_id(sender) in user_texts(bot.workdir))
    confirmed = bot.send(sender, "/affirm")
    assert DELETED in texts(confirmed)
    assert {"conversation_deleted": True} in [m.get("custom") for m in confirmed]
    assert wait_until(lambda: conversation_id(sender) not in user_texts(bot.workdir))
    # The next message starts afresh; no trace of what came before.
    bot.send(sender, "what are the benefits")
    assert wait_until(lambda: user_texts(bot.workdir).get(conversation_id(sender)) == [
        "what are the benefits"])


def test_saying_no_keeps_the_conversation(bot):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    bot.send(sender, "what is MISS?")
    bot.send(sender, "forget me")
    assert "kept it" in texts(bot.send(sender, "no, keep it"))
    assert wait_until(lambda: len(user_texts(bot.workdir).get(conversation_id(sender), [])) == 3)


def test_forget_me_by_sms_keyword_clears_the_number_but_not_its_opt_out(bot):
    gateway, number = SmsGateway(bot.rasa_url), new_patient()
    status, first = gateway.text("what is MIG-LIF?", sender=number)
    # The answer first, then once per conversation what the bot is and what not to share.
    assert status == 200 and len(first) == 2 and "MIG-LIF" in first[0]
    assert "automated assistant" in first[1] and "DELETE" in first[1]
    assert "automated" not in " ".join(gateway.text("how long is recovery", sender=number)[1])
    status, asked = gateway.text("DELETE", sender=number)
    assert "delete this conversation" in asked[0] and "1" in asked[0]
    status, done = gateway.text("1", sender=number)
    assert DELETED in done[0]
    assert wait_until(lambda: not [s for s, t in user_texts(bot.workdir, "sms-").items()
                                   if "what is MIG-LIF?" in t])
    # What the SMS channel kept for the number is gone too (but for the deletion's own
    # reply, kept a day for the gateway's retries).
    sender = gateway_sender_id(number)
    with sqlite3.connect(bot.workdir / "sms" / "sms.sqlite3") as sms_db:
        for table in ("sms_choices", "sms_notified"):
            assert sms_db.execute(f"SELECT COUNT(*) FROM {table} WHERE sender = ?",
                                  (sender,)).fetchone()[0] == 0, table
        assert sms_db.execute("SELECT COUNT(*) FROM sms_answered WHERE sender = ?",
                              (sender,)).fetchone()[0] == 1
    gateway.text("STOP", sender=number)
    gateway.text("DELETE", sender=number)  # an opted-out number is not answered ...
    assert gateway.text("DELETE", sender=number)[1] == []
    # ... and stays opted out: deleting the conversation never undoes STOP.
    assert "You can text us again" in gateway.text("START", sender=number)[1][0]
    # A new conversation: the notice again.
    assert len(gateway.text("what is MISS?", sender=number)[1]) == 2


def test_the_web_chat_shows_the_notice_then_forgets_on_request(bot):
    chat = Chat(bot)
    try:
        assert "automated assistant" in chat.notice and "911" in chat.notice
        chat.ask("my name is Zelda Quarrington, do you treat scoliosis?")
        conversation = next(s for s, t in user_texts(bot.workdir, "web-").items()
                            if any("Zelda" in x for x in t)) if wait_until(
            lambda: any("Zelda" in " ".join(t) for t in
                        user_texts(bot.workdir, "web-").values())) else None
        assert conversation
        assert "delete this conversation" in " ".join(chat.ask("/forget_me"))
        assert DELETED in " ".join(chat.ask("/affirm"))
        assert {"conversation_deleted": True} in chat.customs
        assert wait_until(lambda: conversation not in user_texts(bot.workdir, "web-"))
    finally:
        chat.close()


def test_old_conversations_are_deleted_by_the_running_bot(tmp_path):
    db = tmp_path / "conversations.db"
    with running_bot(MODEL, workdir=tmp_path) as running:
        running.send("patient-old", "what is MISS?")
        running.send("patient-new", "what is MISS?")
    with sqlite3.connect(db) as connection:  # one conversation from 40 days ago
        connection.execute("UPDATE events SET timestamp = timestamp - 40 * 86400 "
                           "WHERE sender_id = ?", (conversation_id("patient-old"),))
    with running_bot(MODEL, workdir=tmp_path,
                     env={"CONVERSATION_RETENTION_DAYS": "30"}) as running:
        assert wait_until(lambda: conversation_id("patient-old") not in user_texts(tmp_path))
        assert conversation_id("patient-new") in user_texts(tmp_path)
        log = (tmp_path / "rasa-server.log").read_text()
        assert "deleted" in log and "older than 30 days" in log


def test_a_wrong_retention_setting_stops_the_bot_with_its_reason(tmp_path):
    # Whichever server reads its settings first stops, and its log (in the error) says why.
    with pytest.raises(RuntimeError, match="Not started: CONVERSATION_RETENTION_DAYS must be"), \
            running_bot(MODEL, workdir=tmp_path, env={"CONVERSATION_RETENTION_DAYS": "forever"}):
        pass


def test_a_short_sms_id_key_stops_the_server_with_its_reason(tmp_path):
    with pytest.raises(RuntimeError), running_bot(MODEL, workdir=tmp_path,
                                                  env={"SMS_ID_KEY": "too-short"}):
        pass
    assert "openssl rand -hex 32" in (tmp_path / "rasa-server.log").read_text()


def test_with_the_action_server_down_a_look_up_says_so_with_the_phone(tmp_path):
    with running_bot(MODEL, workdir=tmp_path) as running:
        stop_process_by_pid(running.action_pid)
        # A look-up, a condition, the unsure path (a message the model is torn about, as in
        # tests/conversations/unsure.yml: its first input there is now answered outright).
        for question in ["do you offer telehealth?", "do you treat scoliosis?",
                         "do you space people out in the lobby"]:
            started = time.monotonic()
            reply = texts(running.send(f"p-{uuid.uuid4().hex[:6]}", question))
            assert FAILED in reply and practice_phone() in reply, question
            assert "I don't have an answer to that here" not in reply
            assert time.monotonic() - started < 3
        log = (tmp_path / "rasa-server.log").read_text()
        assert "Custom action action_fetch_latest_notice failed" in log
        assert "telehealth" not in log


def stop_process_by_pid(pid: int) -> None:
    import os
    import signal
    os.kill(pid, signal.SIGTERM)
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or
                      "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), 20)


class HangingServer:
    """An action server that accepts the call and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.socket.close()


def test_a_hanging_action_server_gets_an_answer_within_the_timeout(tmp_path, monkeypatch):
    hanging = HangingServer()
    try:
        with running_bot(MODEL, workdir=tmp_path,
                         action_url=f"http://127.0.0.1:{hanging.port}/webhook") as running:
            started = time.monotonic()
            reply = texts(running.send("p-hang", "do you offer telehealth?"))
            waited = time.monotonic() - started
            assert FAILED in reply
            # Rasa alone would have waited five minutes.
            assert ACTION_TIMEOUT_SECONDS <= waited < ACTION_TIMEOUT_SECONDS + 2
    finally:
        hanging.close()


def test_a_locked_database_still_gets_answers_and_loses_no_turn(tmp_path):
    with running_bot(MODEL, workdir=tmp_path) as running:
        running.send("p-lock", "what is MIG-LIF?")
        locker = sqlite3.connect(tmp_path / "conversations.db", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another program holds the file
        try:
            # A new conversation must be read from the locked file: it waits for SQLite's
            # lock timeout, then is answered without history ...
            newcomer: list[str] = []
            reading = threading.Thread(target=lambda: newcomer.append(
                texts(running.send("p-new", "how can I reach you"))))
            reading.start()
            time.sleep(0.5)
            # ... while a conversation in progress is answered meanwhile, in context.
            started = time.monotonic()
            assert "faster recovery" in texts(running.send("p-lock", "what are its benefits?"))
            assert time.monotonic() - started < 2
            reading.join(30)
            assert newcomer and "Call" in newcomer[0]
            time.sleep(6)  # the writer's first try gives up on the lock and logs it
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert wait_until(lambda: user_texts(tmp_path).get(conversation_id("p-lock")) == [
            "what is MIG-LIF?", "what are its benefits?"], 30)
        assert wait_until(lambda: conversation_id("p-new") in user_texts(tmp_path), 30)
        log = (tmp_path / "rasa-server.log").read_text()
        assert "Could not store" in log and "database is locked" in log
        assert "what are its benefits?" not in log and "how can I reach you" not in log
        assert "p-lock" not in log and "p-new" not in log


def test_a_restart_loses_no_stored_conversation(tmp_path):
    with running_bot(MODEL, workdir=tmp_path) as running:
        running.send("p-restart", "what is MIG-LIF?")
        running.send("p-restart", "how long is recovery")
    with running_bot(MODEL, workdir=tmp_path) as running:
        # Context survives: "its benefits" still means MIG-LIF's.
        reply = texts(running.send("p-restart", "what are its benefits?"))
        assert "MIG-LIF" in reply
    assert user_texts(tmp_path)[conversation_id("p-restart")] == [
        "what is MIG-LIF?", "how long is recovery", "what are its benefits?"]


CANARY_NAME, CANARY_DIGITS = "Zebulon Quartzfield", "5015550199"
CANARY_NUMBER = f"+1{CANARY_DIGITS}"


def canary_messages() -> list[str]:
    return [f"my name is {CANARY_NAME}, call me at 501-555-0199. what is MIG-LIF?",
            f"I'm {CANARY_NAME} and I suddenly can't control my bladder",
            f"{CANARY_NAME} " + "pain " * 400,  # over the length cap
            f"do you offer telehealth, {CANARY_NAME}?"]


def post_raw(bot, body: bytes) -> int:
    import urllib.error
    import urllib.request
    request = urllib.request.Request(f"{bot.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_patient_text_number_or_sender_id_reaches_any_log(bot, tmp_path):
    rest_sender = f"rest-canary-{uuid.uuid4().hex[:8]}"
    for text in canary_messages():
        bot.send(rest_sender, text)
    post_raw(bot, f'{{"sender": "{rest_sender}", "message": "{CANARY_NAME}'.encode())  # bad JSON
    post_raw(bot, f'{{"sender": "{rest_sender} {CANARY_NAME}", "message": 1}}'.encode())
    for _ in range(25):  # over the rate limit: 429s
        post_raw(bot, json.dumps({"sender": rest_sender, "message": CANARY_NAME}).encode())
    gateway = SmsGateway(bot.rasa_url)
    for text in canary_messages() + ["DELETE", "1", "STOP", "START"]:
        gateway.text(text, sender=CANARY_NUMBER)
    gateway.text(CANARY_NAME, sender=CANARY_NUMBER, signature="forged")
    chat = Chat(bot)
    try:
        for text in canary_messages() + ["/forget_me", "/affirm"]:
            chat.ask(text)
        web_conversation = jwt.decode(chat.token, options={"verify_signature": False})["sub"]
    finally:
        chat.close()
    # The failures: the action server down, then the database locked.
    with running_bot(MODEL, workdir=tmp_path) as failing:
        failing.send(rest_sender, f"what is MISS, {CANARY_NAME}?")
        stop_process_by_pid(failing.action_pid)
        failing.send(rest_sender, f"do you offer telehealth, {CANARY_NAME}?")
        failing.send(f"{rest_sender}-2", f"the the the {CANARY_NAME}")
        locker = sqlite3.connect(tmp_path / "conversations.db", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            failing.send(f"{rest_sender}-3", f"what is MIG-LIF, {CANARY_NAME}?")
            failing.send(rest_sender, f"how long is recovery, {CANARY_NAME}?")
            time.sleep(6)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        time.sleep(1)
    logs = {path: path.read_text(errors="replace")
            for folder in (bot.workdir, tmp_path) for path in folder.glob("*.log")}
    assert len(logs) == 4
    assert any("Could not store" in text for text in logs.values())  # the failures happened
    assert any("Custom action action_fetch_latest_notice failed" in text
               for text in logs.values())
    sms_sender = gateway_sender_id(CANARY_NUMBER)
    for path, text in logs.items():
        info_and_above = "\n".join(line for line in text.splitlines()
                                   if " DEBUG " not in line)
        for secret in ["Zebulon", "Quartzfield", "555-0199", CANARY_DIGITS, rest_sender,
                       sms_sender, web_conversation]:
            assert secret not in info_and_above, f"{secret!r} in {path.name}"


def gateway_sender_id(number: str) -> str:
    import hashlib
    import hmac

    from tests.test_sms_webhook import ID_KEY
    return "sms-" + hmac.new(ID_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]
