"""A turn sent again is answered with the reply already given, never run twice.

A client names each turn (REST `message_id`); Rasa stores the id with the patient's message
(UserUttered.message_id). When the same id comes again — the client retried after a timeout,
or nginx passed the request on after the Rasa server handling it died — the conversation's
stored events already say whether the turn was run: if they hold that message, the bot's
messages after it are sent again, in the shape the channel gave them the first time; if not
(the server died before storing the turn: a turn's events are stored together), it is run
now. So a retried turn is answered once and stored once, whichever server it reaches.
The widget names its messages too, and sends again one that got no answer (web/static).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.lock_store import _get_lock_lifetime
from rasa.shared.core.events import BotUttered, Event, SessionStarted, UserUttered

from channels.responses import running_agent

# What a client may call a turn: short, printable, no spaces.
MESSAGE_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,64}$"
VALID_MESSAGE_ID = re.compile(MESSAGE_ID_PATTERN)


def bot_messages_after(events: list[Event], message_id: str) -> list[BotUttered] | None:
    """The bot's messages in answer to the patient's message `message_id` (None: no such
    message stored). A follow-up rewritten in context keeps its id (actions/context.py)."""
    found: list[BotUttered] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if event.message_id == message_id:
                found = found if found is not None else []
            elif found is not None:
                break
        elif isinstance(event, BotUttered) and found is not None:
            found.append(event)
    return found


async def answer_already_given(app: Any, conversation_id: str,
                               message_id: str) -> list[dict[str, Any]] | None:
    """The bot's messages answering this turn (as Rasa hands them to an output channel), if
    it was run before; else None."""
    agent = running_agent(app)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is None:
        return await _answer_stored(store, conversation_id, message_id)
    # Under the conversation's lock, as Rasa runs a turn: a first delivery still being
    # answered (a client that reconnected and sent again) is waited for, not run twice.
    async with lock_store.lock(conversation_id, lock_lifetime=_get_lock_lifetime()):
        return await _answer_stored(store, conversation_id, message_id)


async def _answer_stored(store: Any, conversation_id: str,
                         message_id: str) -> list[dict[str, Any]] | None:
    tracker = await store.retrieve(conversation_id)
    events = list(tracker.events) if tracker else []
    answered = bot_messages_after(events, message_id)
    if answered is None and events and not any(isinstance(e, UserUttered) for e in events) \
            and any(isinstance(e, SessionStarted) for e in events):
        # A session that just began (storage/session_limit.py ends one after a turn):
        # the turn may be the last of the one before.
        tracker = await store.retrieve_full_tracker(conversation_id)
        answered = bot_messages_after(list(tracker.events) if tracker else [], message_id)
    if answered is None:
        return None
    return [{"text": message.text, **(message.data or {})} for message in answered]


async def replies_already_given(app: Any, conversation_id: str, message_id: str,
                                recipient_id: str) -> list[dict[str, Any]] | None:
    """REST's messages answering this turn, in the shape it gave them, if it was run before."""
    answer = await answer_already_given(app, conversation_id, message_id)
    if answer is None:
        return None
    collector = CollectingOutputChannel()
    for message in answer:
        await collector.send_response(recipient_id, message)
    return collector.messages
