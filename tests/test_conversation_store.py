"""The conversation store (storage/conversation_store.py): what it rebuilds from memory is
what Rasa's SQL store reads from the database, and the database gets every event once."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from channels.sms_state import SmsState
from storage.conversation_store import ConversationStore
from storage.private_files import erase_deletes

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  condition:
    type: text
    mappings: [{type: custom}]
""")


def turn(text: str, answer: str) -> list:
    # As Rasa records a bot message: every kind of content named, most of them empty.
    return [UserUttered(text, {"name": "ask", "confidence": 1.0}), ActionExecuted("utter_a"),
            BotUttered(answer, {"elements": None, "quick_replies": None, "buttons": None,
                                "attachment": None, "image": None, "custom": None}),
            ActionExecuted("action_listen")]


def stores(tmp_path, **options) -> tuple[ConversationStore, SQLTrackerStore]:
    db = str(tmp_path / "conversations.db")
    cached = ConversationStore(DOMAIN, dialect="sqlite", db=db, **options)
    return cached, SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)


def dumped(tracker: DialogueStateTracker | None) -> list[dict]:
    return [event.as_dict() for event in tracker.events] if tracker else []


def converse(store: ConversationStore, sender: str, turns: list[list]) -> None:
    for events in turns:
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender,
                                                                              DOMAIN.slots)
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))


def test_memory_gives_back_what_the_database_holds(tmp_path):
    cached, database = stores(tmp_path, cache_conversations=10)
    converse(cached, "p1", [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        turn("how long is recovery", "two weeks") + [SlotSet("condition", "sciatica")],
        turn("and with open surgery", "six to eight weeks"),
        # a new session: the store reads back from its start, as Rasa's does
        [ActionExecuted("action_session_start"), SessionStarted(),
         ActionExecuted("action_listen")] + turn("hello again", "hi"),
        turn("what is MIG-LIF", "a fusion"),
    ])
    from_memory = asyncio.run(cached.retrieve("p1"))
    cached.writer.flush()
    from_database = asyncio.run(database.retrieve("p1"))
    assert dumped(from_memory) == dumped(from_database)
    assert from_memory.get_slot("condition") == from_database.get_slot("condition")
    # Every event stored once, in order.
    everything = asyncio.run(database.retrieve_full_tracker("p1"))
    texts = [e.text for e in everything.events if isinstance(e, UserUttered)]
    assert texts == ["how long is recovery", "and with open surgery", "hello again",
                     "what is MIG-LIF"]


def test_a_tracker_changed_but_not_saved_leaves_memory_untouched(tmp_path):
    cached, _ = stores(tmp_path, cache_conversations=10)
    converse(cached, "p2", [turn("hi", "hello")])
    tracker = asyncio.run(cached.retrieve("p2"))
    tracker.update(UserUttered("never saved"))  # e.g. the bot failed mid-answer
    assert "never saved" not in str(dumped(asyncio.run(cached.retrieve("p2"))))


def test_memory_is_bounded_and_expires(tmp_path):
    cached, _ = stores(tmp_path, cache_conversations=3, cache_seconds=3600)
    for number in range(10):
        converse(cached, f"s{number}", [turn("hi", "hello")])
    assert list(cached._stored) == ["s7", "s8", "s9"]
    # Forgotten ones still come from the database.
    assert dumped(asyncio.run(cached.retrieve("s0")))


def test_an_old_conversation_is_read_from_the_database_again(tmp_path):
    cached, database = stores(tmp_path, cache_conversations=3, cache_seconds=0)
    converse(cached, "p4", [turn("hi", "hello")])
    assert "p4" in cached._stored
    # Changed behind the store's back: with its memory expired, it reads the change.
    cached.writer.flush()
    tracker = asyncio.run(database.retrieve("p4"))
    tracker.update(UserUttered("written elsewhere"))
    asyncio.run(database.save(tracker))
    assert "written elsewhere" in str(dumped(asyncio.run(cached.retrieve("p4"))))


def test_without_a_cache_every_turn_is_read_and_written_before_the_reply(tmp_path):
    cached, database = stores(tmp_path)
    assert not cached.write_behind
    converse(cached, "p3", [turn("hi", "hello"), turn("bye", "bye")])
    # Written already: another server reading the database sees both turns.
    assert dumped(asyncio.run(cached.retrieve("p3"))) == dumped(
        asyncio.run(database.retrieve("p3")))
    tracker = asyncio.run(database.retrieve("p3"))
    tracker.update(UserUttered("answered by another server"))
    asyncio.run(database.save(tracker))
    assert "answered by another server" in str(dumped(asyncio.run(cached.retrieve("p3"))))


def test_without_a_cache_memory_serves_only_while_the_database_has_nothing_newer(
        tmp_path, monkeypatch):
    cached, database = stores(tmp_path)
    full_reads = []
    read = cached._stored_events
    monkeypatch.setattr(cached, "_stored_events", lambda *args: full_reads.append(args) or
                        read(*args))
    converse(cached, "p9", [turn("hi", "hello"), turn("how long is recovery", "two weeks")])
    # Read once (nothing stored yet); then what it wrote is still the newest: from memory.
    assert len(full_reads) == 1
    # Another server answers a turn: read again, with that turn.
    tracker = asyncio.run(database.retrieve("p9"))
    tracker.update(UserUttered("answered by another server"))
    asyncio.run(database.save(tracker))
    assert "answered by another server" in str(dumped(asyncio.run(cached.retrieve("p9"))))
    assert len(full_reads) == 2
    # Another server deletes it ("forget me"): nothing comes back from memory.
    table = database.SQLEvent.__table__
    with database.session_scope() as session:
        session.execute(table.delete().where(table.c.sender_id == "p9"))
        session.commit()
    assert asyncio.run(cached.retrieve("p9")) is None


def rows(store: SQLTrackerStore) -> list[tuple]:
    table = store.SQLEvent.__table__
    with store.session_scope() as session:
        return [tuple(row) for row in session.execute(
            table.select().with_only_columns(*[c for c in table.columns if c.name != "id"])
            .order_by(table.c.id))]


def test_it_writes_the_rows_rasas_store_writes(tmp_path):
    # Events from memory are written by the store's own insert: the same columns, the same
    # values, in the same order as SQLTrackerStore.save writes them.
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    cached, _ = stores(tmp_path / "a", cache_conversations=10)
    plain = ConversationStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "b" / "c.db"))
    conversation = [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        turn("how long is recovery", "two weeks") + [SlotSet("condition", "sciatica")],
        turn("and with open surgery", "six to eight weeks"),
        [ActionExecuted("action_session_start"), SessionStarted(),
         ActionExecuted("action_listen")] + turn("hello again", "hi"),
    ]
    converse(cached, "p5", conversation)
    converse(plain, "p5", conversation)
    cached.writer.flush()
    assert rows(cached) == rows(plain)
    assert len(rows(cached)) == 3 + 5 + 4 + 3 + 4
    assert ("p5", "user", rows(cached)[3][2], "ask", None) == rows(cached)[3][:5]



def test_its_sqlite_file_is_owner_only(tmp_path):
    import stat
    db = tmp_path / "state" / "conversations.db"
    store = ConversationStore(DOMAIN, dialect="sqlite", db=str(db), cache_conversations=10)
    converse(store, "p7", [turn("hi", "hello")])
    store.writer.flush()
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    for path in tmp_path.joinpath("state").iterdir():  # the database and SQLite's side files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    db.chmod(0o644)  # a copy restored with a loose umask
    ConversationStore(DOMAIN, dialect="sqlite", db=str(db))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def deleted_turn() -> list:
    return [UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
            ActionExecuted("utter_conversation_deleted"),
            BotUttered("Done. I deleted this conversation.",
                       {"custom": {"conversation_deleted": True}}),
            ActionExecuted("action_listen")]


@pytest.mark.parametrize("cache", [10, 0])
def test_a_confirmed_forget_me_deletes_the_whole_conversation(tmp_path, cache):
    cached, database = stores(tmp_path, cache_conversations=cache)
    converse(cached, "p8", [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        turn("my name is Ann, my back hurts", "sorry to hear"),
        [ActionExecuted("action_session_start"), SessionStarted(),
         ActionExecuted("action_listen")] + turn("hello again", "hi"),
        turn("delete my conversation", "are you sure?"),
    ])
    converse(cached, "someone-else", [turn("hi", "hello")])
    converse(cached, "p8", [deleted_turn()])
    cached.writer.flush()
    assert not [row for row in rows(database) if row[0] == "p8"]
    assert "p8" not in cached._stored
    assert asyncio.run(cached.retrieve("p8")) is None
    assert dumped(asyncio.run(database.retrieve("someone-else")))
    # The next message starts a new conversation, kept as usual.
    converse(cached, "p8", [turn("what is MIG-LIF", "a fusion")])
    cached.writer.flush()
    texts = [e.text for e in asyncio.run(database.retrieve_full_tracker("p8")).events
             if isinstance(e, UserUttered)]
    assert texts == ["what is MIG-LIF"]


def test_an_unreadable_database_answers_without_history_and_logs_no_ids(tmp_path, caplog):
    import sqlite3
    cached, _ = stores(tmp_path, cache_conversations=10)
    converse(cached, "sender-1234", [turn("hi", "hello")])
    cached.writer.flush()
    cached.forget("sender-1234")
    locker = sqlite3.connect(cached.engine.url.database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert asyncio.run(cached.retrieve("sender-1234")) is None
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "Could not read a conversation" in caplog.text
    assert "sender-1234" not in caplog.text and "SELECT" not in caplog.text


def test_a_forgotten_conversation_leaves_no_trace_in_the_file_whatever_sqlites_build(tmp_path):
    # secure_delete is a build option (on in Debian's SQLite, off in others): the store's
    # connections turn it on themselves.
    raw = sqlite3.connect(":memory:")
    raw.execute("PRAGMA secure_delete=OFF")
    erase_deletes(raw)
    assert raw.execute("PRAGMA secure_delete").fetchone() == (1,)
    cached, _ = stores(tmp_path, cache_conversations=0)
    with cached.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    converse(cached, "p9", [turn("my name is Quillon Verbatrix", "hello"), deleted_turn()])
    cached.writer.flush()
    cached.engine.dispose()
    assert b"Verbatrix" not in (tmp_path / "conversations.db").read_bytes()
    sms = SmsState(tmp_path / "sms.sqlite3")
    with sms.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
