"""Conversations kept only as long as needed: every stored event older than
CONVERSATION_RETENTION_DAYS (runtime/settings.py) is deleted, by the running Rasa server every hour
(runtime/server.py) and by `make purge` (staff/purge.py).

Written against Rasa's SQL tracker store (its `events` table, through SQLAlchemy), so the same
code deletes from SQLite today and from PostgreSQL when conversations move there. Events are
deleted one by one by their own time, so a conversation that goes on past the limit loses
its oldest turns first. The SMS channel's records of answered messages expire after a day
(channels/sms_state.py); opt-outs are never deleted (STOP must be honoured).
"""

from __future__ import annotations

import logging
import time

from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600


def delete_events_before(store: SQLTrackerStore, cutoff: float) -> int:
    """Delete every stored event older than `cutoff` (a Unix time); how many were deleted."""
    events = store.SQLEvent.__table__
    with store.engine.begin() as connection:
        return connection.execute(events.delete().where(events.c.timestamp < cutoff)).rowcount


def purge_conversations(store: SQLTrackerStore, days: int, now: float | None = None) -> int:
    cutoff = (time.time() if now is None else now) - days * 86400
    deleted = delete_events_before(store, cutoff)
    logger.info("Retention: deleted %d conversation events older than %d days.", deleted, days)
    return deleted
