"""Short follow-ups understood in context: "and with open surgery?" after a question about
recovery means "how long is recovery with open surgery?".

The NLU recognises a follow-up (intent follow_up) but not what it follows. This module finds
the question it continues and rewrites the follow-up as that question, the way Rasa's own
TwoStageFallbackAction replaces an unclear message by the intent the patient confirmed: the
latest user message is reverted and uttered again with the earlier question's intent. The
topic's own rules then answer it, whatever they do (a plain answer, a condition looked up,
the live notice), so no topic needs a rule of its own for follow-ups.

Plain Python over event dicts (the action server's view of the tracker), testable without one.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from components.topic_metadata import as_list

Event = dict[str, Any]

# A topic question is an intent named ask_<topic> (the topic files' convention): a follow-up
# continues the latest one. Greetings, thanks, fallbacks and emergencies are never continued.
# Where a follow-up has nothing to continue (it opens the conversation), it is taken as the
# question the follow-up intent's `when_nothing_to_continue` names (data/follow_up.yml: what
# the bot can help with), which is itself never continued.
TOPIC_PREFIX = "ask_"
# A session the tracker store ended for its length (storage/session_limit.py) names the
# topic question it leaves open in its SessionStarted metadata under this key: a follow-up
# right after the boundary continues it.
TOPIC_KEY = "continues_topic"


# What a question is about: a follow-up that names one of these asks about it instead ("and for
# MIG-LIF?"); one that names none asks about the question's ("are you sure?").
SUBJECT_ENTITIES = {"condition", "procedure"}

def is_topic(intent: str | None, nothing_to_continue: str | None = None) -> bool:
    return bool(intent) and intent.startswith(TOPIC_PREFIX) and intent != nothing_to_continue


def applied_user_messages(events: list[Event]) -> list[Event]:
    """The user messages that still count, oldest first: a message taken back by a
    `rewind` (UserUtteranceReverted) no longer does, nor does a new session's past, but for
    the topic a session ended for its length leaves open (as a message without text)."""
    messages: list[Event] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            messages.append(event)
        elif kind == "rewind" and messages:
            messages.pop()
        elif kind == "restart":
            messages = []
        elif kind == "session_started":
            topic = (event.get("metadata") or {}).get(TOPIC_KEY)
            messages = [{"event": "user", "text": None, "parse_data": topic}] if topic else []
    return messages


def question_continued(events: list[Event], nothing_to_continue: str | None = None
                       ) -> Event | None:
    """The latest earlier user message that asked a topic question, if any (the follow-up
    itself, the latest message, is not counted)."""
    earlier = applied_user_messages(events)[:-1]
    for message in reversed(earlier):
        intent = ((message.get("parse_data") or {}).get("intent") or {}).get("name")
        if is_topic(intent, nothing_to_continue):
            return message
    return None


def rewritten(follow_up: Event, question: Event | None,
              nothing_to_continue: str | None = None) -> Event | None:
    """The follow-up as a user message with the earlier question's intent. What the follow-up
    names itself ("and for MIG-LIF?") wins; otherwise it is about what the question named
    ("do you treat stenosis?" "are you sure?"). None when there is nothing to continue and
    nothing to take it as."""
    parse_data = copy.deepcopy(follow_up.get("parse_data") or {})
    if question is None:
        if not nothing_to_continue:
            return None
        intent, entities = nothing_to_continue, []
    else:
        question_data = question.get("parse_data") or {}
        intent = question_data["intent"]["name"]
        own = parse_data.get("entities") or []
        if any(entity.get("entity") in SUBJECT_ENTITIES for entity in own):
            entities = own
        else:
            # The follow-up's other marks (its language, a courtesy) stay its own.
            entities = [*copy.deepcopy([e for e in question_data.get("entities") or []
                                        if e.get("entity") in SUBJECT_ENTITIES]), *own]
    # Rasa checks the events an action returns: an unset field (an entity ruler's confidence
    # is None) must be left out, not sent as null.
    entities = [{key: value for key, value in entity.items() if value is not None}
                for entity in entities]
    parse_data["intent"] = {"name": intent, "confidence": 1.0}
    parse_data["intent_ranking"] = [parse_data["intent"]]
    parse_data["entities"] = entities
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": follow_up.get("text"),
        "parse_data": parse_data,
        "input_channel": follow_up.get("input_channel"),
        "metadata": follow_up.get("metadata") or {},
        # The same turn: a retry finds its answer by this id (channels/turn_ids.py).
        "message_id": follow_up.get("message_id"),
    }


def slots_from(message: Event, slot_mappings: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The slots Rasa's action_extract_slots would set from this message (it runs once per
    message, before the rewrite): from_entity and from_intent mappings, as domain.yml says."""
    parse_data = message.get("parse_data") or {}
    intent = (parse_data.get("intent") or {}).get("name")
    entities = parse_data.get("entities") or []
    values: dict[str, Any] = {}
    for slot, mappings in slot_mappings.items():
        for mapping in mappings:
            kind = mapping.get("type")
            if kind == "from_entity":
                found = [e.get("value") for e in entities
                         if e.get("entity") == mapping.get("entity")]
                if found:
                    values[slot] = found[0]
                    break
            elif kind == "from_intent" and intent in as_list(mapping.get("intent")):
                values[slot] = mapping.get("value")
                break
    return values
