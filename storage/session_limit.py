"""A conversation session ends after MAX_SESSION_TURNS patient messages, not only after an idle
hour (domain.yml's session_config), so no reply reads an unbounded history.

Every turn, the tracker store reads the latest session back and Rasa's RulePolicy rebuilds the
state of every event in it (it keeps no max_history), so a reply's cost grows with the
session's length (docs/performance.md). So when a turn ends with the session that long, the tracker
store (storage/conversation_store.py) starts a new one exactly as Rasa's own
`action_session_start` does (SessionStarted, the slots carried over, action_listen); the
stored conversation keeps every event, the next reply reads only the new session.

A follow-up must still work across the boundary ("and with open surgery?" right after it):
the SessionStarted event carries the intent and entities of the latest topic question (not
its text, which stays where the patient wrote it), and actions/context.py continues it.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionSessionStart
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.context import TOPIC_KEY, applied_user_messages, is_topic

# Far more than a patient's questions in one sitting; few enough that a reply stays fast.
MAX_SESSION_TURNS = 50


def latest_session(events: list[Event]) -> list[Event]:
    """The events that SQLTrackerStore.retrieve would read back: from the latest session start."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return events


def latest_topic(events: list[Event]) -> dict[str, Any] | None:
    """The intent and entities of the latest topic question still in force, if any."""
    for message in reversed(applied_user_messages([event.as_dict() for event in events])):
        parse_data = message.get("parse_data") or {}
        if is_topic((parse_data.get("intent") or {}).get("name")):
            return {"intent": parse_data["intent"], "entities": parse_data.get("entities") or []}
    return None


async def session_boundary(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """The events that start a new session after this turn, when the session has grown to
    MAX_SESSION_TURNS patient messages and the turn is over (the bot listens); else []."""
    events = list(tracker.events)
    session = latest_session(events)
    if not session or not (isinstance(session[-1], ActionExecuted)
                           and session[-1].action_name == ACTION_LISTEN_NAME):
        return []
    if sum(isinstance(event, UserUttered) for event in session) < MAX_SESSION_TURNS:
        return []
    # In the order, and so with the timestamps, of Rasa's own session start: Rasa's SQL store
    # reads a session back from its SessionStarted's timestamp on.
    opening = ActionExecuted(ACTION_SESSION_START_NAME)
    started = await ActionSessionStart().run(None, None, tracker, domain)
    topic = latest_topic(events)
    if topic is not None:
        started = [SessionStarted(metadata={TOPIC_KEY: topic}, timestamp=event.timestamp)
                   if isinstance(event, SessionStarted) else event for event in started]
    return [opening, *started]
