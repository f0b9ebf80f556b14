"""What the bot is and what not to share, told once at the start of a conversation (the web
chat when a conversation opens, SMS after the first answer), and how a channel knows a
conversation was deleted ("forget me").

The notice's words are the response utter_privacy_notice (data/topics/privacy.yml), with its
`channel: sms` variant, so `make check` checks them like any answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from components.conversation_store import FORGET_PAYLOAD_KEY

logger = logging.getLogger(__name__)

NOTICE_RESPONSE = "utter_privacy_notice"


async def privacy_notice(app: Sanic, output_channel: str) -> str | None:
    """The notice's text for this channel, from the loaded model's domain (None before a
    model is loaded)."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.domain is None or agent.nlg is None:
        return None
    # A blank conversation: the notice only fills in the practice's facts.
    tracker = DialogueStateTracker("privacy-notice", agent.domain.slots)
    response = await agent.nlg.generate(NOTICE_RESPONSE, tracker, output_channel)
    return (response or {}).get("text")


def confirms_deletion(messages: Iterable[dict]) -> bool:
    """Whether the bot's messages include the confirmation that the conversation is deleted."""
    return any((message.get("custom") or {}).get(FORGET_PAYLOAD_KEY) is True
               for message in messages if isinstance(message.get("custom"), dict))
