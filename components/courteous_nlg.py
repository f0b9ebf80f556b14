"""Rasa's response generator, with the reply to a greeting or thanks put before an answer and
a check-in after it.

When the patient opened a question with "thanks!" or "hi," (components/courtesy.py marks it as
the entity `courtesy`), the first message the bot sends back starts with the reply the
lexicon gives ("You're welcome! Call us at ..."). When the safety net found possible distress
that is not clear danger (the entity `check_in`: components/safety_net.py), that first message
ends with the gentle line of utter_check_in (data/topics/safety.yml), which names 988.
Everything else is Rasa's templated responses, unchanged. Configured in endpoints.yml (`nlg:`).
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components.courtesy import ENTITY, reply_for
from components.safety_net import CHECK_IN_ENTITY

# Said by this generator after an answer, never by a rule.
CHECK_IN_RESPONSE = "utter_check_in"


class CourteousNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(self, utter_action: str, tracker: DialogueStateTracker,
                       output_channel: str, **kwargs: Any) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response and utter_action != CHECK_IN_RESPONSE and \
                unanswered_entity(tracker, CHECK_IN_ENTITY):
            check_in = await super().generate(CHECK_IN_RESPONSE, tracker, output_channel)
            if check_in and check_in.get("text"):
                response["text"] = " ".join(
                    part for part in (response.get("text"), check_in["text"]) if part)
        courtesy = courtesy_to_answer(tracker)
        if response and courtesy:
            if response.get("text"):
                response["text"] = f"{reply_for(courtesy)} {response['text']}"
            elif response.get("custom"):
                # A payload without text (the web chat's notice card): the reply is a text of
                # its own, sent just before it.
                response["text"] = reply_for(courtesy)
        return response


def courtesy_to_answer(tracker: DialogueStateTracker) -> str | None:
    """The courtesy the latest message opened with, if the bot has not yet answered it."""
    return unanswered_entity(tracker, ENTITY)


def unanswered_entity(tracker: DialogueStateTracker, entity: str) -> str | None:
    """The value of this entity in the latest message, if the bot has not yet answered it."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return None
        if isinstance(event, UserUttered):
            return next((e.get("value") for e in event.entities if e.get("entity") == entity),
                        None)
    return None
