"""Rasa's SQL tracker store, with each recent conversation also kept in memory and written to
the database by a thread of its own.

Every message reads the conversation back from the database: a query, then every stored event
decoded from JSON and replayed, about 9 ms of a 25 ms reply; then Rasa counts the stored events
and writes the new ones, and the reply waits for the disk. One Rasa server is the only writer
of its conversations, so the events it last read or wrote are still right at the next message:
they are kept (for `cache_conversations` conversations, least recently used dropped, each for
at most `cache_seconds`), the tracker is rebuilt from them, and the new events are handed to
the writer thread (components/event_writer.py), which commits them in order, many turns per
transaction under load. A locked or failing database delays the write, not the reply (the
writer tries again and logs the error), and reading a conversation whose events are still
waiting waits for them first. At exit the writer writes what is left; a server killed outright
(kill -9, power cut) loses at most the turns of its last moments.

With several Rasa servers sharing one database, leave `cache_conversations` at 0: each message
is then read from and written to the database before the reply, by Rasa's own code (another
server may have answered the last message, and will read this one).

endpoints.yml:
  tracker_store:
    type: components.conversation_store.ConversationStore
    dialect: sqlite
    db: state/conversations.db
    cache_conversations: 1000
"""

from __future__ import annotations

import asyncio
import atexit
import json
import time
from collections import OrderedDict
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from components.event_writer import EventWriter

# How long a read waits for the same conversation's events still being written (a database
# refusing writes): past it, the conversation is read as the database has it.
WAIT_FOR_WRITES_SECONDS = 2.0


def latest_session(events: list[Event]) -> list[Event]:
    """The events that SQLTrackerStore.retrieve would read back: from the latest session start."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return events


def event_row(sender_id: str, event: Event) -> dict:
    """The row SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


class ConversationStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_conversations: int = 0,
                 cache_seconds: float = 3600, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_conversations)
        self.cache_seconds = float(cache_seconds)
        # sender id -> (when read or saved, the latest session's events as stored)
        self._recent: OrderedDict[str, tuple[float, tuple[Event, ...]]] = OrderedDict()
        self.writer: EventWriter | None = None
        if self.cache_size > 0:
            self.writer = EventWriter(self._write_rows)
            atexit.register(self.writer.close)

    def _cached(self, sender_id: str) -> tuple[Event, ...] | None:
        """The latest session's stored events, if read or saved here within cache_seconds."""
        cached = self._recent.get(sender_id)
        if cached is None:
            return None
        saved_at, events = cached
        if time.monotonic() - saved_at >= self.cache_seconds:
            self.forget(sender_id)
            return None
        self._recent.move_to_end(sender_id)
        return events

    def _remember(self, sender_id: str, events: list[Event]) -> None:
        if self.cache_size > 0:
            self._recent[sender_id] = (time.monotonic(), tuple(latest_session(events)))
            self._recent.move_to_end(sender_id)
            while len(self._recent) > self.cache_size:
                self._recent.popitem(last=False)

    async def _writes_done(self, sender_id: str | None = None) -> None:
        """Wait (off the event loop) until this conversation's (or every) waiting event is
        written, or WAIT_FOR_WRITES_SECONDS have passed."""
        writer = self.writer
        if writer is not None and (sender_id is None or writer.waiting_for(sender_id)):
            await asyncio.get_running_loop().run_in_executor(
                None, writer.flush, WAIT_FOR_WRITES_SECONDS)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        events = self._cached(sender_id)
        if events is not None and self.domain is not None:
            # A new tracker each time (the processor changes the one it gets); the events
            # themselves are never changed once made.
            return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        await self._writes_done(sender_id)
        tracker = await super().retrieve(sender_id)
        self._remember(sender_id, list(tracker.events) if tracker else [])
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        await self._writes_done(conversation_id)
        return await super().retrieve_full_tracker(conversation_id)

    async def keys(self) -> list[str]:
        await self._writes_done()
        return list(await super().keys())

    async def save(self, tracker: DialogueStateTracker) -> None:
        stored = self._cached(tracker.sender_id)
        events = list(tracker.events)
        # The tracker this store handed out, grown by this turn: its first events are the
        # stored ones. Anything else (or an event broker to feed) goes through Rasa's code.
        if (self.writer is not None and stored is not None and self.event_broker is None
                and len(events) >= len(stored)
                and (not stored or events[len(stored) - 1] is stored[-1])):
            self.writer.put([event_row(tracker.sender_id, event)
                             for event in events[len(stored):]])
        else:
            await super().save(tracker)
        self._remember(tracker.sender_id, events)

    def _write_rows(self, rows: list[dict]) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.SQLEvent.__table__.insert(), rows)

    def forget(self, sender_id: str) -> None:
        """Drop a conversation from memory (the database is not touched)."""
        self._recent.pop(sender_id, None)
