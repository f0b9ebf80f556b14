"""The cluster (services/cluster.py, `make run-cluster`) with its real parts: PostgreSQL, Redis,
two Rasa servers with their action servers, nginx in front on one port. A conversation whose
turns land on different servers keeps its context; a STOP received by one server is honoured
by the other; one SMS delivered to both at once is answered once; a load through nginx is
answered and stored once, in order; a server killed during a load costs no patient an error
(nginx passes its turns on, each answered and stored once) and its conversations go on."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from channels.rest import conversation_id
from harness.clone import lone_clone
from scripts.bench import traffic
from scripts.bench.traffic import patient_address
from services.cluster import running_cluster, scratch_postgres_folder
from services.processes import free_port
from tests.conftest import MODEL, ROOT
from tests.support.web_chat import Chat
from tests.test_sms_webhook import TOKEN, SmsGateway, new_patient
from tests.test_staff_workflow import NEW_ANSWER, make

pytestmark = pytest.mark.e2e


def send(url: str, sender: str, message: str) -> str:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=json.dumps(
            {"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return " ".join(m.get("text") or "" for m in json.load(response))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator:
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    folder = tmp_path_factory.mktemp("cluster")
    port = free_port()
    # The servers load the model the model server serves: the test publishes another there.
    models = tmp_path_factory.mktemp("models")
    shutil.copy2(MODEL, models / MODEL.name)
    # The SMS webhook's signatures are checked against the URL the gateway calls: nginx's.
    os.environ.update({"TWILIO_AUTH_TOKEN": TOKEN, "SMS_ID_KEY": "7e" * 32,
                       "SMS_PUBLIC_URL": f"http://127.0.0.1:{port}/webhooks/sms/webhook"})
    try:
        with scratch_postgres_folder() as postgres_folder, running_cluster(
                models / MODEL.name, replicas=2, port=port, folder=folder,
                postgres_folder=postgres_folder) as running:
            yield running
    finally:
        for name in ("TWILIO_AUTH_TOKEN", "SMS_ID_KEY", "SMS_PUBLIC_URL"):
            os.environ.pop(name, None)


def test_turns_on_different_servers_keep_the_context(cluster):
    first, second = cluster.rasa_urls
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert "MIG-LIF" in send(first, sender, "what is MIG-LIF?")
    # "its" is MIG-LIF's, though this server never saw the first question.
    assert "MIG-LIF" in send(second, sender, "what are its benefits?")
    assert "MIG-LIF" in send(cluster.url, sender, "is it less painful?")
    engine = sa.create_engine(cluster.database_url)
    with engine.connect() as connection:
        texts = [row[0] for row in connection.execute(sa.text(
            "SELECT data::json->>'text' FROM events WHERE sender_id = :s AND type_name = 'user' "
            "ORDER BY id"), {"s": conversation_id(sender)})]
    engine.dispose()
    assert texts == ["what is MIG-LIF?", "what are its benefits?", "is it less painful?"]


def test_the_cluster_answers_on_one_port_over_rest_socketio_and_sms(cluster):
    assert "MIG-LIF" in send(cluster.url, f"rest-{uuid.uuid4().hex[:8]}", "what is MIG-LIF?")
    chat = Chat(SimpleNamespace(rasa_url=cluster.url))  # through nginx, sticky per address
    try:
        assert chat.notice and "911" in chat.notice
        assert "two weeks" in " ".join(chat.ask("how long is recovery?"))
        assert "six to eight weeks" in " ".join(chat.ask("and with open surgery?"))
    finally:
        chat.close()
    gateway = SmsGateway(cluster.url)  # signed for, and posted to, nginx's URL
    status, messages = gateway.text("what is MIG-LIF?",
                                    sender=new_patient())
    assert status == 200 and "MIG-LIF" in messages[0]


def test_a_stop_on_one_server_is_honoured_by_the_other(cluster):
    number = new_patient()
    assert "START" in sms(cluster.rasa_urls[0], cluster.url, "STOP", number)[0]
    assert sms(cluster.rasa_urls[1], cluster.url, "what is MIG-LIF?", number) == []
    assert "You can text us again" in sms(cluster.rasa_urls[1], cluster.url, "START", number)[0]
    assert "MIG-LIF" in sms(cluster.rasa_urls[0], cluster.url, "what is MIG-LIF?", number)[0]


def sms(server: str, public: str, body: str, number: str, sid: str | None = None) -> list[str]:
    """A text posted to one server directly, signed for the public URL."""
    gateway = SmsGateway(public)
    params = {"From": number, "To": "+15016610077", "Body": body,
              "MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": "AC123"}
    signature = gateway.validator.compute_signature(gateway.url, params)
    gateway.url = f"{server}/webhooks/sms/webhook"
    return gateway.post(params, signature=signature)[1]


def test_one_message_delivered_to_both_servers_at_once_is_answered_once(cluster):
    number, sid = new_patient(), f"SM{uuid.uuid4().hex}"
    replies: list[list[str]] = []
    start = threading.Barrier(2)

    def deliver(server: str) -> None:
        start.wait()
        replies.append(sms(server, cluster.url, "how long is recovery?", number, sid))

    threads = [threading.Thread(target=deliver, args=(url,)) for url in cluster.rasa_urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(replies) == 2 and replies[0] == replies[1]  # the same TwiML, asked once
    engine = sa.create_engine(cluster.database_url)
    with engine.connect() as connection:
        asked = connection.execute(sa.text(
            "SELECT COUNT(*) FROM events WHERE type_name = 'user' AND "
            "data::json->>'text' = 'how long is recovery?' AND sender_id LIKE 'sms-%'")).scalar()
    engine.dispose()
    assert asked == 1


TURNS = ["what is MIG-LIF?", "what are its benefits?", "how long is recovery?",
         "do you treat scoliosis?", "thanks"]


def send_from(source: str, url: str, sender: str, message: str) -> str:
    """A patient's message from their own address (scripts/bench/traffic.patient_address)."""
    return " ".join(m.get("text") or "" for m in traffic.send(url, sender, message, source))


def converse(url: str, sender: str, turns: list[str], answered: dict, errors: list,
             source: str) -> None:
    for text in turns:
        try:
            reply = send_from(source, url, sender, text)
        except OSError as error:
            errors.append((sender, text, str(error)))
            continue
        if reply.strip():
            answered.setdefault(sender, []).append(text)


def stored_user_texts(cluster, senders: list[str]) -> dict[str, list[str]]:
    """The stored patient messages of these REST senders, by sender."""
    engine = sa.create_engine(cluster.database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT sender_id, data::json->>'text' FROM events WHERE type_name = 'user' "
            "AND sender_id = ANY(:s) ORDER BY id"),
            {"s": [conversation_id(s) for s in senders]}).fetchall()
    engine.dispose()
    sender_of = {conversation_id(s): s for s in senders}
    found: dict[str, list[str]] = {}
    for conversation, text in rows:
        found.setdefault(sender_of[conversation], []).append(text)
    return found


def load(cluster, conversations: int, during=None) -> tuple[dict, list, list[str]]:
    """`conversations` patients at once, each asking TURNS one after another; `during` runs
    while they do."""
    senders = [f"load-{uuid.uuid4().hex[:10]}" for _ in range(conversations)]
    answered: dict[str, list[str]] = {}
    errors: list = []
    threads = [threading.Thread(target=converse, args=(
        cluster.url, sender, TURNS, answered, errors, patient_address(number)))
        for number, sender in enumerate(senders)]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join(300)
    return answered, errors, senders


def test_a_load_through_nginx_is_answered_and_stored_once_in_order(cluster):
    answered, errors, senders = load(cluster, 200)
    assert errors == []
    assert all(answered.get(s) == TURNS for s in senders)
    stored = stored_user_texts(cluster, senders)
    assert all(stored.get(s) == TURNS for s in senders)  # each turn once, in order
    engine = sa.create_engine(cluster.database_url)
    with engine.connect() as connection:
        bot_events = connection.execute(sa.text(
            "SELECT COUNT(*) FROM events WHERE type_name = 'bot' AND sender_id = ANY(:s)"),
            {"s": [conversation_id(s) for s in senders]}).scalar()
    engine.dispose()
    assert bot_events >= len(senders) * len(TURNS)
def test_a_new_model_reaches_every_server(cluster, tmp_path_factory):
    """Staff add a topic and `make train` (as docs/staff-guide.md says); once published where
    the model server serves it, every server answers the new question, and a conversation
    in progress goes on."""
    patient = f"rest-{uuid.uuid4().hex[:8]}"
    assert "MIG-LIF" in send(cluster.rasa_urls[0], patient, "what is MIG-LIF?")
    for server in cluster.rasa_urls:
        assert NEW_ANSWER not in send(server, f"probe-{uuid.uuid4().hex}", "do I need a referral?")
    project = lone_clone(tmp_path_factory.mktemp("lone"))
    shutil.copy(ROOT / "docs" / "examples" / "referral.yml",
                project / "data" / "topics" / "referral.yml")
    train = make(project, "train")
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
    staging = cluster.model.with_name("publishing.tar.gz")
    shutil.copy2(project / "models" / MODEL.name, staging)
    staging.rename(cluster.model)  # published whole, as make train publishes
    deadline = time.monotonic() + 120
    for server in cluster.rasa_urls:
        while NEW_ANSWER not in send(server, f"probe-{uuid.uuid4().hex}", "do I need a referral?"):
            assert time.monotonic() < deadline, f"{server} never swapped the new model in"
            time.sleep(1)
    # The conversation begun before the swap goes on, on the other server: MIG-LIF's benefits.
    assert "MRSA" in send(cluster.rasa_urls[1], patient, "what are its benefits?")


def test_a_server_killed_during_a_load_loses_nothing_stored(cluster):
    victim = cluster.processes["rasa-1"]
    conversations = 120

    def kill_one() -> None:
        time.sleep(1.0)
        os.killpg(victim.pid, signal.SIGKILL)

    answered, errors, senders = load(cluster, conversations, during=kill_one)
    victim.wait(10)
    print(f"{len(errors)} of {conversations * len(TURNS)} turns failed at the kill")
    # nginx passes a turn the killed server dropped to the other one, which answers it (or,
    # if the killed server had stored it, gives the reply already given): no patient sees
    # an error, and every turn is answered.
    assert errors == []
    assert all(answered.get(sender) == TURNS for sender in senders)
    # Every conversation goes on, on the server that is left (its lock freed in time) ...
    for number, sender in enumerate(senders):
        assert send_from(patient_address(number), cluster.url, sender, "what is MISS?").strip()
    # ... and every turn is stored once, in the order it was answered.
    stored = stored_user_texts(cluster, senders)
    for sender in senders:
        texts = stored.get(sender, [])
        said = answered.get(sender, [])
        assert all(texts.count(text) == 1 for text in said), (sender, texts)
        assert [text for text in texts if text in said] == said, (sender, texts)


def answered_within(seconds: float, ask) -> int:
    """How many tries it took until `ask()` got an answer (fails after `seconds`)."""
    deadline, tries = time.monotonic() + seconds, 0
    while True:
        tries += 1
        try:
            if ask().strip():
                return tries
        except OSError:
            pass
        assert time.monotonic() < deadline, "the bot did not recover"
        time.sleep(0.5)


def test_the_bot_recovers_by_itself_when_redis_restarts(cluster):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert "MIG-LIF" in send_from("127.0.3.1", cluster.url, sender, "what is MIG-LIF?")
    cluster.restart_redis()
    tries = answered_within(30, lambda: send_from("127.0.3.1", cluster.url, sender,
                                                  "what are its benefits?"))
    print(f"answered again after {tries} tries")
    # The conversation kept its context: it lives in PostgreSQL, not in Redis.
    assert "MIG-LIF" in send_from("127.0.3.1", cluster.url, sender, "is it less painful?")


def test_the_bot_recovers_by_itself_when_postgresql_restarts(cluster):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert "MIG-LIF" in send_from("127.0.3.2", cluster.url, sender, "what is MIG-LIF?")
    cluster.restart_postgres()
    tries = answered_within(30, lambda: send_from("127.0.3.2", cluster.url, sender,
                                                  "how long is recovery?"))
    print(f"answered again after {tries} tries")
    for _ in range(4):  # every server's stale connections replaced
        assert send_from("127.0.3.2", cluster.url, sender, "what is MISS?").strip()
    # Nothing answered was lost: the turn that met the restart is stored too (the writer
    # tried again).
    assert wait_stored(cluster, sender, "what is MISS?", 4)
    assert wait_stored(cluster, sender, "how long is recovery?", 1)


def wait_stored(cluster, sender: str, text: str, count: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if stored_user_texts(cluster, [sender]).get(sender, []).count(text) == count:
            return True
        time.sleep(0.5)
    return False
