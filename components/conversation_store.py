"""Rasa's SQL tracker store, with each recent conversation also kept in memory.

Every message reads the conversation back from the database: a query, then every stored event
decoded from JSON and replayed, about 9 ms of a 25 ms reply. One Rasa server is the only writer
of its conversations, so the events it just saved are still right at the next message: they
are kept (for `cache_conversations` conversations, least recently used dropped, each for at most
`cache_seconds`) and the tracker is rebuilt from them, without the database.

Every event is in the database before the reply is sent. For a conversation in memory, the
new events are known without asking the database how many it holds (Rasa's store counts them
before every write) and are written in one statement; otherwise Rasa's own code writes them.
With several Rasa servers sharing one database, leave `cache_conversations` at 0 (another server
may have answered the last message).

endpoints.yml:
  tracker_store:
    type: components.conversation_store.ConversationStore
    dialect: sqlite
    db: state/conversations.db
    cache_conversations: 1000
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


def latest_session(events: list[Event]) -> list[Event]:
    """The events that SQLTrackerStore.retrieve would read back: from the latest session start."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return events


class ConversationStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_conversations: int = 0,
                 cache_seconds: float = 3600, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_conversations)
        self.cache_seconds = float(cache_seconds)
        # sender id -> (when saved, the latest session's events)
        self._recent: OrderedDict[str, tuple[float, tuple[Event, ...]]] = OrderedDict()

    def _cached(self, sender_id: str) -> tuple[Event, ...] | None:
        """The latest session's stored events, if this server saved them within cache_seconds."""
        cached = self._recent.get(sender_id)
        if cached is None:
            return None
        saved_at, events = cached
        if time.monotonic() - saved_at >= self.cache_seconds:
            self.forget(sender_id)
            return None
        self._recent.move_to_end(sender_id)
        return events

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        events = self._cached(sender_id)
        if events is not None and self.domain is not None:
            # A new tracker each time (the processor changes the one it gets); the events
            # themselves are never changed once made.
            return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        stored = self._cached(tracker.sender_id)
        events = list(tracker.events)
        # The tracker this store handed out, grown by this turn: its first events are the
        # stored ones. Anything else (or an event broker to feed) goes through Rasa's code.
        if (stored and self.event_broker is None and len(events) >= len(stored)
                and events[len(stored) - 1] is stored[-1]):
            self._insert(tracker.sender_id, events[len(stored):])
        else:
            await super().save(tracker)
        if self.cache_size > 0:
            self._recent[tracker.sender_id] = (time.monotonic(), tuple(latest_session(events)))
            self._recent.move_to_end(tracker.sender_id)
            while len(self._recent) > self.cache_size:
                self._recent.popitem(last=False)

    def _insert(self, sender_id: str, events: list[Event]) -> None:
        """The rows SQLTrackerStore.save writes for these events, in one statement."""
        if not events:
            return
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append({"sender_id": sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": data.get("parse_data", {}).get("intent", {}).get(
                             INTENT_NAME_KEY),
                         "action_name": data.get("name"), "data": json.dumps(data)})
        with self.session_scope() as session:
            session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    def forget(self, sender_id: str) -> None:
        """Drop a conversation from memory (the database is not touched)."""
        self._recent.pop(sender_id, None)
