"""State shared by several Rasa servers, with the real services: the SMS channel's state in
PostgreSQL (channels/sms_state.py) — what one server records, another sees, and the decisions
that must hold across servers are each made once, however many ask at the same moment — and
rate limits counted in Redis (channels/rate_limits.py)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from channels.rate_limits import ALLOW, DROP, WARN, SharedRateLimiter, rate_limiter
from channels.sms_state import SmsState
from tests.support.postgres import running_postgres
from tests.support.redis_server import running_redis

pytestmark = pytest.mark.e2e  # real PostgreSQL and Redis servers (make postgres redis)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with running_postgres() as url:
        yield url


def test_two_servers_share_opt_outs_choices_and_answers(database):
    one, other = SmsState(database), SmsState(database)
    one.opt_out("sms-a")
    assert other.is_opted_out("sms-a")
    other.opt_in("sms-a")
    assert not one.is_opted_out("sms-a")
    one.remember_choices("sms-a", ["/affirm", "/deny"])
    assert other.choices_for("sms-a") == ["/affirm", "/deny"]
    one.remember_choices("sms-a", ["/ask_cost"])  # replaced, not added
    assert other.choices_for("sms-a") == ["/ask_cost"]
    assert one.claim("SM-shared", "sms-a") and not other.claim("SM-shared", "sms-a")
    one.remember_answer("SM-shared", "<Response>x</Response>", "sms-a")
    assert other.answer_for("SM-shared") == "<Response>x</Response>"


def deliver(state: SmsState, sid: str, start: threading.Barrier, wins: list[bool]) -> None:
    start.wait()
    wins.append(state.claim(sid, "sms-b"))


def test_one_message_id_is_claimed_once_whatever_the_race(database):
    servers = [SmsState(database) for _ in range(4)]
    for round_number in range(20):
        wins: list[bool] = []
        start = threading.Barrier(len(servers))
        sid = f"SM-race-{round_number}"
        threads = [threading.Thread(target=deliver, args=(state, sid, start, wins))
                   for state in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(wins) == [False, False, False, True]


def test_forgetting_a_number_keeps_its_opt_out_on_every_server(database):
    one, other = SmsState(database), SmsState(database)
    assert one.first_message("sms-c") and not other.first_message("sms-c")
    one.opt_out("sms-c")
    other.remember_choices("sms-c", ["/affirm"])
    one.forget("sms-c")
    assert other.is_opted_out("sms-c") and other.choices_for("sms-c") == []
    assert other.first_message("sms-c")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


def test_rate_limits_are_counted_across_servers(redis_url, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_REDIS_URL", redis_url)
    one, other = (rate_limiter(3, 1, "test:sender") for _ in range(2))
    assert isinstance(one, SharedRateLimiter)
    verdicts = [server.check("sms-d") for server in (one, other, one, other, one, other)]
    assert verdicts == [ALLOW, ALLOW, ALLOW, WARN, DROP, DROP]
    assert one.check("sms-e") == ALLOW  # other senders are not affected
    time.sleep(2.1)  # the window has passed
    assert other.check("sms-d") == ALLOW


def test_with_redis_unreachable_messages_are_allowed_and_it_is_logged(monkeypatch, caplog):
    from harness.bot_servers import free_port
    monkeypatch.setenv("RATE_LIMIT_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    limiter = rate_limiter(1, 60, "test:down")
    assert [limiter.check("sms-f") for _ in range(3)] == [ALLOW] * 3
    assert caplog.text.count("Redis is unreachable") == 1


def test_turns_alternating_between_servers_keep_the_whole_conversation(database):
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from storage.conversation_store import ConversationStore

    # Two Rasa servers' stores on one PostgreSQL database, no memory of their own.
    url = make_url(database)
    servers = [ConversationStore(Domain.empty(), dialect="postgresql", host=url.host,
                                 port=url.port, username=url.username, password=url.password,
                                 db=url.database, cache_conversations=0)
               for _ in range(2)]
    questions = [f"question {number}" for number in range(8)]
    for number, text in enumerate(questions):
        store = servers[number % 2]
        tracker = asyncio.run(store.retrieve("p-cluster")) or DialogueStateTracker(
            "p-cluster", [])
        for event in [UserUttered(text), ActionExecuted("utter_a"), BotUttered("answer"),
                      ActionExecuted("action_listen")]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    for store in servers:
        tracker = asyncio.run(store.retrieve("p-cluster"))
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == questions


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: a database host gone quiet."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def test_a_database_that_never_answers_costs_seconds_not_forever():
    with silent_server() as port:
        outcome: list = []

        def connect() -> None:
            try:
                SmsState(f"postgresql://postgres:secret@127.0.0.1:{port}/spine")
                outcome.append("connected")
            except Exception as error:  # noqa: BLE001 - whichever error, it came back
                outcome.append(type(error).__name__)

        began = time.monotonic()
        thread = threading.Thread(target=connect, daemon=True)
        thread.start()
        thread.join(30)
        assert outcome and outcome[0] != "connected", "still waiting after 30 s"
        assert time.monotonic() - began < 15
