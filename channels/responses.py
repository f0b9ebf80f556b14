"""What a channel says itself — a keyword's reply, an over-long or too frequent message, a
failure, the first message's privacy notice — comes from the running model's responses, like
every answer: staff own the words in data/topics/ (bot_messages.yml, privacy.yml), `make check`
checks them, and a new model changes them without a restart.

Also read from the running model: the SMS keywords that ask a question (a topic file's
`sms_keywords`, components/topic_metadata.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from components import topic_metadata
from components.courteous_nlg import LANGUAGE_SLOT
from practice.facts import practice_phone

logger = logging.getLogger(__name__)

TOO_LONG = "utter_message_too_long"
TOO_MANY = "utter_too_many_messages"
CANNOT_ANSWER = "utter_cannot_answer"
SMS_HELP = "utter_sms_help"
SMS_STOPPED = "utter_sms_stopped"
SMS_STARTED = "utter_sms_started"
SMS_EMPTY = "utter_sms_empty"
PRIVACY_NOTICE = "utter_privacy_notice"
WEB_UNREACHABLE = "utter_web_unreachable"
WEB_NO_ANSWER = "utter_web_no_answer"
SMS_CHOICES = "utter_sms_choices"
# Said by a channel, not by a rule or story (Rasa's validator would call them unused).
SAID_BY_CHANNELS = frozenset({TOO_LONG, TOO_MANY, CANNOT_ANSWER, SMS_HELP, SMS_STOPPED,
                              SMS_STARTED, SMS_EMPTY, PRIVACY_NOTICE, WEB_UNREACHABLE,
                              WEB_NO_ANSWER, SMS_CHOICES})

# Only when the running model has no such response (a model older than the code, or none
# loaded): never a blank reply. Logged as an error, to be fixed by training.
LAST_RESORT = "Sorry, I can't answer right now. Please call us at {phone}."


def running_agent(app: Any) -> Any:
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.domain is None or agent.nlg is None:
        return None
    return agent


async def response_text(app: Any, name: str, output_channel: str,
                        language: str | None = None) -> str | None:
    """The response's text for this channel, with the practice's facts filled in, in this
    language (es: its Spanish variation) (None: no model loaded, or the model has no such
    response)."""
    agent = running_agent(app)
    if agent is None or name not in agent.domain.responses:
        return None
    # A blank conversation: channel messages only fill in the practice's facts.
    tracker = DialogueStateTracker("channel-message", agent.domain.slots)
    if language:
        tracker.update(SlotSet(LANGUAGE_SLOT, language))
    response = await agent.nlg.generate(name, tracker, output_channel)
    return (response or {}).get("text") or None


async def channel_says(app: Any, name: str, output_channel: str,
                       language: str | None = None) -> str:
    """The response's text; the last-resort reply if the running model lacks it."""
    text = await response_text(app, name, output_channel, language)
    if text:
        return text
    logger.error("The running model has no response %s: answering with the last-resort "
                 "reply. Train a model (make train).", name)
    return LAST_RESORT.format(phone=practice_phone())


def template(app: Any, name: str, output_channel: str) -> str | None:
    """A response's words as written, blanks unfilled (the channel fills its own), for this
    channel: its own variation if it has one."""
    agent = running_agent(app)
    variations = agent.domain.responses.get(name) if agent else None
    if not variations:
        return None
    chosen = next((v for v in variations if v.get("channel") == output_channel),
                  next((v for v in variations if not v.get("channel")), None))
    return (chosen or {}).get("text") or None


class PerModel:
    """A value worked out once per loaded model: a model swap brings a new domain object."""

    def __init__(self) -> None:
        self._domain: Any = None
        self._value: Any = None

    def get(self, domain: Any) -> Any:
        """The value kept for this model's domain (None: none yet)."""
        return self._value if self._domain is domain else None

    def keep(self, domain: Any, value: Any) -> Any:
        self._domain, self._value = domain, value
        return value


_keywords = PerModel()


def sms_keyword_intents(app: Any) -> dict[str, str]:
    """WORD -> intent, from the running model's topic files (worked out once per model)."""
    agent = running_agent(app)
    if agent is None:
        return {}
    found = _keywords.get(agent.domain)
    if found is None:
        found = _keywords.keep(agent.domain,
                               topic_metadata.sms_keywords(agent.domain.as_dict()))
    return found
