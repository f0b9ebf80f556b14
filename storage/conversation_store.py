"""Rasa's SQL tracker store, with each recent conversation also kept in memory, written to the
database by a thread of its own, deleted when the patient asks, and safe when the database
fails.

Every message reads the conversation back from the database: a query, then every stored event
decoded from JSON and replayed, a large share of a reply's time (docs/performance.md); then Rasa
counts the stored events and writes the new ones, and the reply waits for the disk. One Rasa
server is the only writer of its conversations, so the events it last read or wrote are still
right at the next message: they are kept (for `cache_conversations` conversations, least
recently used dropped, each for at most `cache_seconds`), the tracker is rebuilt from them, and
the new events are handed to the writer thread (storage/event_writer.py), which commits them in
order, many turns per transaction under load. A locked or failing database delays the write, not
the reply (the writer tries again and logs the error); a conversation not in memory is read in a
worker thread (a slow read delays that conversation, not the others), after its waiting events.
At exit the writer writes what is left; a server killed outright (kill -9, power cut) loses at
most the turns of its last moments.

With several Rasa servers sharing one database, leave `cache_conversations` at 0: another
server may have answered the last message, and will read this one. Each turn's events are then
written before the reply (a write the database refuses is handed to the writer thread to try
again), and a conversation this server last read or wrote is taken from memory only if the
database holds nothing newer: one indexed query for the conversation's newest event id (ids
only grow; PostgreSQL's sequence never hands one out twice) instead of reading and replaying
every event.

"Forget me": when the bot sends a message whose custom payload says `conversation_deleted`
(the response utter_conversation_deleted, data/topics/privacy.yml), the conversation's
stored events are deleted, with that turn's, and it is dropped from memory.

Errors from the database are logged as the database's first line only: SQLAlchemy's messages
go on with the statement and its parameters (what the patient wrote, their sender id). If the
conversation cannot be read, the patient is answered without its history.

endpoints.yml:
  tracker_store:
    type: storage.conversation_store.ConversationStore
    dialect: sqlite
    db: state/conversations.db
    cache_conversations: 1000
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from storage.event_writer import EventWriter, Forget, Work, database_reason
from storage.private_files import erasing_deletes, private_file
from storage.session_limit import latest_session, session_boundary

logger = logging.getLogger(__name__)

# How long a read waits for the same conversation's events still being written (a database
# refusing writes): past it, the conversation is read as the database has it.
WAIT_FOR_WRITES_SECONDS = 2.0
# With no cache, what this store remembers having stored (a turn reads, then writes), to know
# the turn's new events without a query.
MIN_REMEMBERED = 1000
# The custom payload of the bot message that confirms a conversation is deleted.
FORGET_PAYLOAD_KEY = "conversation_deleted"


class StoreUnavailableError(RuntimeError):
    """The database failed; the message is safe to log (no statement, no parameters)."""


def event_row(sender_id: str, event: Event) -> dict:
    """The row SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


def confirms_deletion(custom: Any) -> bool:
    """Whether a bot message's custom payload confirms that the conversation is deleted."""
    return isinstance(custom, dict) and custom.get(FORGET_PAYLOAD_KEY) is True


def asks_to_forget(events: list[Event]) -> bool:
    """Whether the bot confirmed, in these events, that the conversation is deleted."""
    return any(isinstance(event, BotUttered) and confirms_deletion((event.data or {}).get("custom"))
               for event in events)


class ConversationStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_conversations: int = 0,
                 cache_seconds: float = 3600, **kwargs: Any) -> None:
        db = kwargs.get("db", "rasa.db")
        if kwargs.get("dialect", "sqlite") == "sqlite" and db and db != ":memory:":
            private_file(Path(db))  # health data: owner-only, journal files included
        super().__init__(*args, **kwargs)
        erasing_deletes(self.engine)
        self.cache_size = int(cache_conversations)
        self.cache_seconds = float(cache_seconds)
        # One server alone writes its conversations (see above): the reply need not wait.
        self.write_behind = self.cache_size > 0
        # sender id -> (when read or saved, the latest session's events as stored, the
        # newest stored event's id when known)
        self._stored: OrderedDict[str, tuple[float, tuple[Event, ...], int | None]] = \
            OrderedDict()
        self.writer = EventWriter(self._write)
        atexit.register(self.writer.close)

    # --- what this store knows is stored -------------------------------------------------

    def _known(self, sender_id: str) -> tuple[Event, ...] | None:
        """The latest session's stored events, as this store last read or wrote them."""
        known = self._stored.get(sender_id)
        if known is None:
            return None
        saved_at, events, _ = known
        if time.monotonic() - saved_at >= self.cache_seconds:
            self.forget(sender_id)
            return None
        self._stored.move_to_end(sender_id)
        return events

    def _known_version(self, sender_id: str) -> int | None:
        known = self._stored.get(sender_id)
        return known[2] if known else None

    def _remember(self, sender_id: str, events: list[Event], version: int | None = None) -> None:
        self._stored[sender_id] = (time.monotonic(), tuple(latest_session(events)), version)
        self._stored.move_to_end(sender_id)
        while len(self._stored) > (self.cache_size or MIN_REMEMBERED):
            self._stored.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        """Drop a conversation from memory (the database is not touched)."""
        self._stored.pop(sender_id, None)

    # --- reading ---------------------------------------------------------------------------

    async def _writes_done(self, sender_id: str | None = None) -> None:
        """Wait (off the event loop) until this conversation's (or every) waiting event is
        written, or WAIT_FOR_WRITES_SECONDS have passed."""
        if sender_id is None or self.writer.waiting_for(sender_id):
            await asyncio.get_running_loop().run_in_executor(
                None, self.writer.flush, WAIT_FOR_WRITES_SECONDS)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        events = self._known(sender_id)
        if events is not None and self.cache_size == 0 and not await self._still_newest(
                sender_id):
            events = None
        if events is not None and self.domain is not None:
            # A new tracker each time (the processor changes the one it gets); the events
            # themselves are never changed once made.
            return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        await self._writes_done(sender_id)
        try:
            tracker, newest = await self._read(sender_id, fetch_events_from_all_sessions=False)
        except SQLAlchemyError as error:
            logger.error("Could not read a conversation (%s); answering without its history.",
                         database_reason(error))
            tracker, newest = None, None
        self._remember(sender_id, list(tracker.events) if tracker else [], newest)
        return tracker

    async def _still_newest(self, sender_id: str) -> bool:
        """Whether the events this server last read or wrote are still the newest stored."""
        known = self._known_version(sender_id)
        if known is None:
            return False
        try:
            newest = await asyncio.get_running_loop().run_in_executor(
                None, self._newest_id, sender_id)
        except SQLAlchemyError:
            return False  # the full read reports the database's trouble
        return newest == known

    def _newest_id(self, sender_id: str) -> int | None:
        events = self.SQLEvent.__table__
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(events.c.id)).where(
                events.c.sender_id == sender_id)).scalar()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        """Rasa's (retrieve_full_tracker reads with it), off the event loop."""
        return (await self._read(sender_id, fetch_events_from_all_sessions))[0]

    async def _read(self, sender_id: str, fetch_events_from_all_sessions: bool
                    ) -> tuple[DialogueStateTracker | None, int | None]:
        """The conversation as stored, and its newest event's id, read in a worker thread: a
        slow or locked database delays this conversation, not every other one."""
        events, newest = await asyncio.get_running_loop().run_in_executor(
            None, self._stored_events, sender_id, fetch_events_from_all_sessions)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), newest
        return None, newest

    def _stored_events(self, sender_id: str, fetch_events_from_all_sessions: bool
                       ) -> tuple[list[dict], int | None]:
        """The events, and the newest one's id (None when there are none)."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id,
                                      fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            rows = query.all()
            return [json.loads(row.data) for row in rows], max((row.id for row in rows),
                                                                default=None)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        await self._writes_done(conversation_id)
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except SQLAlchemyError as error:
            raise StoreUnavailableError(f"Could not read a conversation ({database_reason(error)})"
                                   ) from None

    async def keys(self) -> list[str]:
        await self._writes_done()
        try:
            return list(await super().keys())
        except SQLAlchemyError as error:
            raise StoreUnavailableError(f"Could not list conversations ({database_reason(error)})"
                                   ) from None

    # --- writing ---------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        # A session grown to its limit ends with this turn (storage/session_limit.py).
        for event in await session_boundary(tracker, self.domain):
            tracker.update(event)
        sender_id, events = tracker.sender_id, list(tracker.events)
        stored = self._known(sender_id)
        # The tracker this store handed out, grown by this turn: its first events are the
        # stored ones. Anything else (or an event broker to feed) goes through Rasa's code.
        handed_out = (stored is not None and len(events) >= len(stored)
                      and (not stored or events[len(stored) - 1] is stored[-1]))
        if not handed_out or self.event_broker is not None:
            await self._save_as_rasa_does(tracker)
            self._remember(sender_id, events)
            return
        new_events = events[len(stored):]
        if asks_to_forget(new_events):
            await self.forget_conversation(sender_id)
            return
        rows = [event_row(sender_id, event) for event in new_events]
        if self.write_behind:
            self.writer.put(rows)
            self._remember(sender_id, events)
        else:
            self._remember(sender_id, events, self._write_now(sender_id, rows))

    async def _save_as_rasa_does(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except SQLAlchemyError as error:
            raise StoreUnavailableError(f"Could not store a conversation ({database_reason(error)})"
                                   ) from None

    def _write_now(self, sender_id: str, rows: list[dict]) -> int | None:
        """Write before the reply; if the database refuses, the writer thread tries again.
        The conversation's newest stored event id after the write (None when not known)."""
        try:
            self._write(rows)
            # This server holds the conversation's lock: no other wrote it in between.
            return self._newest_id(sender_id)
        except SQLAlchemyError as error:
            logger.error("Could not store %d conversation events now (%s); they will be "
                         "written when the database allows.", len(rows), database_reason(error))
            self.writer.put(rows)
            return None

    async def forget_conversation(self, sender_id: str) -> None:
        """Delete a conversation: from memory now, from the database in order with the writes
        still waiting (retried like them if the database refuses)."""
        self.forget(sender_id)
        self.writer.forget(sender_id)
        if not self.write_behind:
            await self._writes_done(sender_id)
        logger.info("A conversation was deleted at the patient's request.")

    def _write(self, batch: list[Work]) -> None:
        """Rows and deletions, in their order, in one transaction."""
        events = self.SQLEvent.__table__
        with self.engine.begin() as connection:
            rows: list[dict] = []
            for work in [*batch, None]:
                if isinstance(work, dict):
                    rows.append(work)
                    continue
                if rows:
                    connection.execute(events.insert(), rows)
                    rows = []
                if isinstance(work, Forget):
                    connection.execute(events.delete().where(
                        events.c.sender_id == work.sender_id))
