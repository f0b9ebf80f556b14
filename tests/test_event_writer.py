"""The conversation writer (storage/event_writer.py) with a real SQLite database: a locked
database delays the write, not the reply, loses nothing and logs no patient text."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storage import event_writer
from storage.conversation_store import ConversationStore
from storage.event_writer import EventWriter

CANARY = "Zebulon Quartzfield 555-0199"


def save_turn(store: ConversationStore, sender: str, text: str,
              tracker: DialogueStateTracker | None = None) -> None:
    tracker = tracker or asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, [])
    for event in [UserUttered(text, {"name": "ask", "confidence": 1.0}),
                  ActionExecuted("utter_a"), BotUttered("an answer"),
                  ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))


def user_texts(db: str, sender: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute(
            "SELECT json_extract(data, '$.text') FROM events "
            "WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,))]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(event_writer, "FIRST_RETRY_SECONDS", 0.2)
    store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"),
                              cache_conversations=10)
    yield store
    store.writer.close()


def test_a_locked_database_delays_the_write_not_the_reply(store, caplog):
    db = store.engine.url.database
    save_turn(store, "p1", "first question")
    store.writer.flush()
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        with caplog.at_level(logging.INFO):
            started = time.monotonic()
            save_turn(store, "p1", f"my name is {CANARY}")
            save_turn(store, "p1", "third question")
            # SQLite itself waits 5 s for a lock; the turns did not.
            assert time.monotonic() - started < 2
            assert store.writer.waiting_for("p1")
            time.sleep(6)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert store.writer.flush(timeout=10)
    assert user_texts(db, "p1") == ["first question", f"my name is {CANARY}", "third question"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "database is locked" in errors[0].getMessage()
    assert not any(part in caplog.text for part in ["Zebulon", "555-0199", "INSERT"])


def test_reading_a_conversation_waits_for_its_waiting_events(store):
    db = store.engine.url.database
    assert asyncio.run(store.retrieve("p2")) is None  # a new conversation, as Rasa starts one
    locker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")
    save_turn(store, "p2", "hello", DialogueStateTracker("p2", []))
    store.forget("p2")  # as if dropped from memory: the next read goes to the database
    threading.Timer(0.5, lambda: (locker.execute("ROLLBACK"), locker.close())).start()
    tracker = asyncio.run(store.retrieve("p2"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello"]


def test_closing_writes_what_is_left(tmp_path):
    store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"),
                              cache_conversations=10)
    for number in range(50):
        save_turn(store, f"p{number}", f"question {number}")
    store.writer.close()
    assert user_texts(str(tmp_path / "c.db"), "p49") == ["question 49"]


def test_waiting_rows_are_bounded(monkeypatch, caplog):
    monkeypatch.setattr(event_writer, "MAX_PENDING_ROWS", 5)
    monkeypatch.setattr(event_writer, "FIRST_RETRY_SECONDS", 60)

    def refuse(rows: list[dict]) -> None:
        raise OSError("disk full")

    writer = EventWriter(refuse)
    for number in range(8):
        writer.put([{"sender_id": f"s{number}"}])
    assert not writer.flush(timeout=0.2)
    assert not writer.waiting_for("s0") and writer.waiting_for("s7")
    assert "dropped" in caplog.text
    writer.close(timeout=0.2)
