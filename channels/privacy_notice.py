"""What the bot is and what not to share, told once at the start of a conversation (the web
chat when a conversation opens, SMS after the first answer), and how a channel knows a
conversation was deleted ("forget me").

The notice's words are the response utter_privacy_notice (data/topics/privacy.yml), with its
`channel: sms` variant, so `make check` checks them like any answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanic import Sanic

from channels.responses import PRIVACY_NOTICE, response_text
from storage.conversation_store import confirms_deletion as deletion_confirmed


async def privacy_notice(app: Sanic, output_channel: str,
                         language: str | None = None) -> str | None:
    """The notice's text for this channel, in this language (es: Spanish), from the loaded
    model's domain (None before a model is loaded)."""
    return await response_text(app, PRIVACY_NOTICE, output_channel, language)


def confirms_deletion(messages: Iterable[dict]) -> bool:
    """Whether the bot's messages include the confirmation that the conversation is deleted."""
    return any(deletion_confirmed(message.get("custom")) for message in messages)
