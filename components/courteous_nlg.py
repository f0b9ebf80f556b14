"""Rasa's response generator, with the reply to a greeting or thanks put before an answer, the
answers to a message's further questions after it, and a check-in last.

When the patient opened a question with "thanks!" or "hi," (components/courtesy.py marks it as
the entity `courtesy`), the first message the bot sends back starts with the reply the
lexicon gives ("You're welcome! Call us at ..."). When the safety net found possible distress
that is not clear danger (the entity `check_in`: components/safety_net.py), that first message
ends with the gentle line of utter_check_in (data/topics/safety.yml), which names 988. When the
page does not answer a question but a topic it does answer is near (components/nearest_topic.py),
"our page doesn't answer that" goes on to name that topic, with a button for it. When the
message asked several questions (the entity `question`: components/several_questions.py), the
rules answer the first and that first message goes on with each further answer, in order, a
paragraph each; a question whose answer needs a look-up (the notice, a condition) is answered
from what the action server looked up for it, or, when it could not, named with a request to
send it on its own.
Everything else is Rasa's templated responses, unchanged. Configured in endpoints.yml (`nlg:`).
"""

from __future__ import annotations

import random
from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components import several_questions, topic_metadata
from components.courtesy import ENTITY, reply_for
from components.intent_ranking import FALLBACK_INTENT
from components.nearest_topic import nearest_topic
from components.safety_net import CHECK_IN_ENTITY

# Said by this generator after an answer, never by a rule.
CHECK_IN_RESPONSE = "utter_check_in"
ASK_ON_ITS_OWN_RESPONSE = "utter_ask_on_its_own"
NOT_ON_PAGE_RESPONSE = "utter_ask_not_on_page"
NEAREST_TOPIC_RESPONSE = "utter_nearest_topic"
# The slot action_look_up_further_questions (actions/actions.py) puts its answers in.
FURTHER_ANSWERS_SLOT = "further_answers"
# The conversation's language (components/language.py): the reply before an answer follows it.
LANGUAGE_SLOT = "language"
# Between the answers to several questions.
ANSWERS_APART = "\n\n"


class CourteousNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)
        self.titles: dict[str, dict[str, str]] = {}
        if domain is not None:
            self.use_domain(domain)

    def use_domain(self, domain: Domain) -> None:
        """The model's domain, given again whenever a model is loaded (Rasa creates the
        generator before the first: runtime/model_swap.py)."""
        self.responses = domain.responses
        # Each topic's title, by language and intent: what a nearest topic is called.
        self.titles = {language: topic_metadata.titles(domain.as_dict(), language)
                       for language in ("en", "es")}

    def _random_response_for(self, utter_action: str, output_channel: str,
                             filled_slots: dict[str, Any]) -> dict[str, Any] | None:
        """Rasa's choice of variation, with the most specific one winning: of the variations
        whose conditions all hold, those with the most conditions. A Spanish answer about
        MIG-LIF (procedure and language) beats the Spanish one (language alone) and the English
        one about MIG-LIF (procedure alone), which Rasa would pick among at random."""
        if utter_action not in self.responses:
            return None
        suitable = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        if not suitable:
            return None
        most = max(len(variation.get("condition") or []) for variation in suitable)
        return random.choice([variation for variation in suitable
                              if len(variation.get("condition") or []) == most])

    async def generate(self, utter_action: str, tracker: DialogueStateTracker,
                       output_channel: str, **kwargs: Any) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response and response.get("text") and utter_action == NOT_ON_PAGE_RESPONSE:
            await self.point_to_nearest_topic(response, tracker, output_channel)
        further = further_questions(tracker)
        if response and (response.get("text") or response.get("custom")) and further:
            answers = [await self.answer(question, tracker, output_channel)
                       for question in further]
            # After a payload without text (the web chat's notice card), a text of their own.
            response["text"] = ANSWERS_APART.join(
                filter(None, [response.get("text"), *answers]))
        if response and utter_action != CHECK_IN_RESPONSE and \
                unanswered_entity(tracker, CHECK_IN_ENTITY):
            check_in = await super().generate(CHECK_IN_RESPONSE, tracker, output_channel)
            if check_in and check_in.get("text"):
                response["text"] = " ".join(
                    part for part in (response.get("text"), check_in["text"]) if part)
        courtesy = courtesy_to_answer(tracker)
        if response and courtesy:
            if response.get("text"):
                response["text"] = (f"{reply_for(courtesy, tracker.get_slot(LANGUAGE_SLOT))} "
                                    f"{response['text']}")
            elif response.get("custom"):
                # A payload without text (the web chat's notice card): the reply is a text of
                # its own, sent just before it.
                response["text"] = reply_for(courtesy, tracker.get_slot(LANGUAGE_SLOT))
        return response

    async def point_to_nearest_topic(self, response: dict[str, Any],
                                     tracker: DialogueStateTracker, output_channel: str) -> None:
        """After "our page doesn't answer that", the page topic nearest to the question, if
        one fits: a line naming it and a button that asks it."""
        latest = tracker.latest_message
        if latest is None:
            return
        topic = nearest_topic(latest.text or "", latest.entities)
        language = "es" if tracker.get_slot(LANGUAGE_SLOT) == "es" else "en"
        title = self.titles.get(language, {}).get(topic or "")
        if title is None:
            return
        pointer = await super().generate(NEAREST_TOPIC_RESPONSE, tracker, output_channel,
                                         topic=topic_metadata.in_a_sentence(title))
        if pointer and pointer.get("text"):
            response["text"] = f"{response['text']} {pointer['text']}"
            response["buttons"] = [*(response.get("buttons") or []),
                                   {"title": title, "payload": f"/{topic}"}]

    async def answer(self, question: dict[str, Any], tracker: DialogueStateTracker,
                     output_channel: str) -> str | None:
        """The answer to a further question: its topic's own response; for a topic answered
        by a look-up (the notice, a condition), the response and slots the action server
        looked up for it; failing that, a request to ask it on its own, in the patient's
        words."""
        name, kwargs = f"utter_{question['value']}", {}
        if name not in self.responses:
            looked_up = looked_up_answer(tracker, question)
            if looked_up is not None:
                name, kwargs = looked_up["response"], looked_up.get("slots") or {}
            else:
                text = (tracker.latest_message.text or "") if tracker.latest_message else ""
                asked = text[question.get("start", 0):question.get("end", 0)].strip(" ,.;?!")
                name, kwargs = ASK_ON_ITS_OWN_RESPONSE, {"asked": asked or question["value"]}
        response = await super().generate(name, tracker, output_channel, **kwargs)
        if response and not response.get("text"):
            # A channel's payload without text (the web chat's notice card): inside a reply of
            # several answers, the answer's words.
            response = await super().generate(name, tracker, "", **kwargs)
        return (response or {}).get("text")


def looked_up_answer(tracker: DialogueStateTracker, question: dict[str, Any]
                     ) -> dict[str, Any] | None:
    """What the action server looked up for this further question of the latest message
    (the slot FURTHER_ANSWERS_SLOT, set after it), if anything."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return None
        if isinstance(event, SlotSet) and event.key == FURTHER_ANSWERS_SLOT:
            return next((answer for answer in event.value or []
                         if answer.get("value") == question.get("value")
                         and answer.get("start") == question.get("start")), None)
    return None


def further_questions(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The `question` entities of the latest message, if the bot has not yet said anything to
    it and was sure of it (an unsure message is asked about, not answered)."""
    latest = tracker.latest_message
    if latest is None or (latest.intent or {}).get("name") == FALLBACK_INTENT:
        return []
    return [entity for entity in unanswered_entities(tracker)
            if entity.get("entity") == several_questions.ENTITY and entity.get("value")]


def courtesy_to_answer(tracker: DialogueStateTracker) -> str | None:
    """The courtesy the latest message opened with, if the bot has not yet answered it."""
    return unanswered_entity(tracker, ENTITY)


def unanswered_entity(tracker: DialogueStateTracker, entity: str) -> str | None:
    """The value of this entity in the latest message, if the bot has not yet answered it."""
    return next((e.get("value") for e in unanswered_entities(tracker)
                 if e.get("entity") == entity), None)


def unanswered_entities(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The entities of the latest message, if the bot has said nothing since it."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return []
        if isinstance(event, UserUttered):
            return list(event.entities)
    return []
