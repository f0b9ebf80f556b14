"""What a bot does through a conversation, in-process, with the real action server: each
turn's replies and the actions run, with the policy and confidence that chose each."""

from __future__ import annotations

import asyncio

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered


def turns(agent: Agent, sender: str, messages: list[str]) -> list[tuple]:
    """Per message: the bot's reply texts, then the actions run (name, policy, confidence)."""
    seen = []
    for text in messages:
        output = CollectingOutputChannel()
        asyncio.run(agent.handle_message(UserMessage(text, output, sender)))
        seen.append(tuple(message.get("text") for message in output.messages))
    tracker = asyncio.run(agent.tracker_store.retrieve(sender))
    for event in tracker.events:
        if isinstance(event, ActionExecuted):
            seen.append((event.action_name, event.policy, event.confidence))
        elif isinstance(event, (BotUttered, UserUttered)):
            seen.append((type(event).__name__, event.text))
    return seen
