"""Custom actions: read the tracker, call plain functions, return slots.

The logic lives in plain modules (notices.py, clarify.py, lexicon.py) and the reply text in
data/topics/; each action only puts what it found into slots, and rules pick the reply.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import clarify, context
from actions.notices import Notice, NoticeFeed
from components import topic_metadata
from practice.facts import conditions_treated

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]

# By text message a whole notice can take many segments: its opening sentences, up to this
# many characters, keep the answer to two (the reply says "Update of <date>: " first).
SMS_NOTICE_CHARS = 240
# A message's further questions (components/several_questions.py), and the slot that carries
# the answers looked up for them to the reply (components/courteous_nlg.py).
QUESTION_ENTITY = "question"
FURTHER_ANSWERS_SLOT = "further_answers"
CONDITION_INTENT = "ask_condition_treated"
# The question answered with the whole notice (the others have notice_words: a part of it).
WHOLE_NOTICE_INTENT = "ask_latest_news"


class PracticeAction(Action, ABC):
    """An action whose failure the patient never sees: it is logged, and the slots of a
    safe answer are returned instead. (Abstract, so rasa_sdk does not register it.)"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        try:
            return await self.answer(tracker, domain)
        # The boundary to the patient: whatever went wrong, log it and answer safely,
        # rather than let the action server fail and the bot say nothing.
        except Exception:  # noqa: BLE001
            logger.exception("Action %s failed; answering with its safe fallback.", self.name())
            return self.on_failure()

    @abstractmethod
    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        """The slots that say how to answer (the domain: the running model's, with what the
        topic files say about each question, components/topic_metadata.py)."""

    @abstractmethod
    def on_failure(self) -> Events:
        """The slots of a safe answer, for when answer() fails."""


class ActionCheckCondition(PracticeAction):
    """Whether the practice lists the condition the patient named (practice/facts.yml)."""

    def __init__(self) -> None:
        # How the page's conditions are named, by the conversation's language (slot language).
        self.on_page = {"en": conditions_treated(), "es": conditions_treated("es")}

    def name(self) -> str:
        return "action_check_condition"

    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        message = tracker.latest_message or {}
        entities = message.get("entities") or []
        # Of a message asking several questions, the conditions of the first one: "do you
        # treat kyphosis? what about tumors" is answered for kyphosis here, for tumors after.
        further = [e.get("start") or 0 for e in entities if e.get("entity") == QUESTION_ENTITY]
        named = [e for e in entities if e.get("entity") == "condition"
                 and (not further or (e.get("end") or 0) <= min(further))]
        on_page = self.on_page.get(tracker.get_slot("language") or "en", self.on_page["en"])
        return [SlotSet(name, value)
                for name, value in condition_slots(message, named, on_page).items()]

    def on_failure(self) -> Events:
        return [SlotSet(name, value) for name, value in condition_slots({}, [], {}).items()]


def condition_slots(message: dict[str, Any], named: list[dict[str, Any]],
                    on_page: dict[str, str]) -> dict[str, Any]:
    """Whether the page lists the condition named (condition_listed: None when none is named,
    and the rules answer with the whole list), and how the answer names it."""
    if not named:
        return {"condition_listed": None, "condition_on_page": None, "condition_name": None}
    # Several named ("herniated disc or sciatica?"): answer for one on the list if any.
    listed = [e for e in named if e.get("value") in on_page]
    entity = (listed or named)[0]
    return {"condition_listed": bool(listed),
            "condition_on_page": on_page.get(entity.get("value")),
            "condition_name": as_typed(message.get("text") or "", entity)}


def as_typed(text: str, entity: dict[str, Any]) -> str:
    """The entity as the patient wrote it, capitalised to start a sentence."""
    start, end = entity.get("start"), entity.get("end")
    words = text[start:end].strip() if start is not None and end is not None else ""
    words = words or str(entity.get("value", "")).replace("_", " ")
    return words[:1].upper() + words[1:]


class ActionFetchLatestNotice(PracticeAction):
    """The practice's latest notice, or the part of it the patient asked about."""

    def __init__(self) -> None:
        # One feed, so one cache, for the life of the action server.
        self.feed = NoticeFeed.from_settings()

    def name(self) -> str:
        return "action_fetch_latest_notice"

    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        notice = await self.feed.latest()
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        slots = notice_slots(notice, topic_metadata.notice_topic(domain, intent),
                             tracker.get_latest_input_channel())
        return [SlotSet(name, value) for name, value in slots.items()]

    def on_failure(self) -> Events:
        return [SlotSet("notice_answer", "unavailable")]


def notice_slots(notice: Notice, topic: topic_metadata.NoticeTopic | None,
                 channel: str | None) -> dict[str, Any]:
    """The part of the notice a question asks about (its topic's notice_words; without a
    topic, the whole notice, its opening by text message)."""
    if topic is not None:
        quote = " ".join(notice.sentences_about(topic))
    elif channel == "sms":
        quote = notice.opening(SMS_NOTICE_CHARS)
    else:
        quote = notice.text
    return {"notice_answer": "quote" if quote else "no_mention",
            "notice_date": notice.date_label,
            "notice_quote": quote or None,
            "notice_topic": topic.called if topic else "that"}


class ActionLookUpFurtherQuestions(PracticeAction):
    """The answers to a message's further questions that need a look-up ("how do I book, and
    can it be a video visit?": the notice; "...and do you treat kyphosis?": a condition), so the
    reply can answer them after the first (components/courteous_nlg.py). Run by Rasa, as the
    custom mapping of the slot further_answers, after a message that asks further questions
    (runtime/further_look_ups.py skips the call for the others). Each answer names the response the
    topic's rules would give (data/topics/notice.yml, conditions.yml) and its slots."""

    def __init__(self) -> None:
        # Its own feed (and cache) for the life of the action server, like the notice action's.
        self.feed = NoticeFeed.from_settings()
        self.on_page = {"en": conditions_treated(), "es": conditions_treated("es")}

    def name(self) -> str:
        return "action_look_up_further_questions"

    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        message = tracker.latest_message or {}
        entities = message.get("entities") or []
        answers = []
        on_page = self.on_page.get(tracker.get_slot("language") or "en", self.on_page["en"])
        for asked in (e for e in entities if e.get("entity") == QUESTION_ENTITY):
            slots = await self.look_up(asked, message, entities, domain,
                                       tracker.get_latest_input_channel(), on_page)
            if slots is not None:
                answers.append({"value": asked.get("value"), "start": asked.get("start"),
                                "response": response_for(slots), "slots": slots})
        return [SlotSet(FURTHER_ANSWERS_SLOT, answers)] if answers else []

    async def look_up(self, asked: dict[str, Any], message: dict[str, Any],
                      entities: list[dict[str, Any]], domain: DomainDict,
                      channel: str | None, on_page: dict[str, str]) -> dict[str, Any] | None:
        intent = asked.get("value")
        if intent == CONDITION_INTENT:
            # The conditions named in this question's words only.
            named = [e for e in entities if e.get("entity") == "condition"
                     and (asked.get("start") or 0) <= (e.get("start") or 0)
                     and (e.get("end") or 0) <= (asked.get("end") or 0)]
            return condition_slots(message, named, on_page)
        topic = topic_metadata.notice_topic(domain, intent)
        if topic is None and intent != WHOLE_NOTICE_INTENT:
            return None
        try:
            return notice_slots(await self.feed.latest(), topic, channel)
        except Exception:  # noqa: BLE001 - the same safe answer as the notice action's
            logger.exception("Looking up the notice for a further question failed.")
            return {"notice_answer": "unavailable"}

    def on_failure(self) -> Events:
        # Nothing looked up: the reply asks the patient to send those questions on their own.
        return []


def response_for(slots: dict[str, Any]) -> str:
    """The response the topic's rules give for these slots."""
    if "notice_answer" in slots:
        return f"utter_notice_{slots['notice_answer']}"
    if slots["condition_listed"] is None:
        return "utter_ask_conditions_treated"
    return "utter_condition_listed" if slots["condition_listed"] else "utter_condition_not_listed"


class ActionAssessUnclearMessage(PracticeAction):
    """The NLU was unsure: decide between emergency guidance, asking which of two topics
    was meant, and saying what the bot can help with."""

    def name(self) -> str:
        return "action_assess_unclear_message"

    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        # Offered under their titles in the conversation's language.
        titles = topic_metadata.titles(domain, tracker.get_slot("language"))
        assessment = clarify.assess(ranking, titles,
                                    topic_metadata.skipped_when_unsure(domain))
        events = [SlotSet("unclear_message", assessment.outcome)]
        if assessment.outcome == "clarify":
            (first_title, first_payload), (second_title, second_payload) = assessment.choices
            events += [
                SlotSet("clarify_first_title", first_title),
                SlotSet("clarify_first_payload", first_payload),
                SlotSet("clarify_second_title", second_title),
                SlotSet("clarify_second_payload", second_payload),
            ]
        return events

    def on_failure(self) -> Events:
        return [SlotSet("unclear_message", "deflect")]


class ActionAnswerInContext(PracticeAction):
    """A short follow-up ("and with open surgery?", "is it still available?") answered as the
    question it continues (actions/context.py): the message is taken back and uttered again
    with that question's intent, and the slots it sets, so the topic's own rules answer."""

    def __init__(self) -> None:
        # The domain's slot mappings, from the first request: every request sends the same
        # domain, so sharing them between concurrent conversations is safe.
        self.slot_mappings: dict[str, list[dict[str, Any]]] = {}

    def name(self) -> str:
        return "action_answer_in_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        self.slot_mappings = {name: slot.get("mappings") or []
                              for name, slot in (domain.get("slots") or {}).items()}
        return await super().run(dispatcher, tracker, domain)

    async def answer(self, tracker: Tracker, domain: DomainDict) -> Events:
        follow_up = context.applied_user_messages(tracker.events)[-1]
        nothing_to_continue = topic_metadata.nothing_to_continue(domain)
        message = context.rewritten(
            follow_up, context.question_continued(tracker.events, nothing_to_continue),
            nothing_to_continue)
        if message is None:
            return self.on_failure()
        slots = context.slots_from(message, self.slot_mappings)
        return [
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            message,
            *(SlotSet(name, value) for name, value in slots.items()),
        ]

    def on_failure(self) -> Events:
        # Nothing rewritten: the core fallback then says what the bot can help with.
        return []
