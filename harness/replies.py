"""What the patient saw, named: each bot message over REST recognised as the response it came
from, and which responses are the right answer to each intent (from the rules).

Used to score held-out phrasings (scripts/check_heldout.py) and to replay conversations
(tests/test_conversations.py) by what the patient sees, not by what the model reports.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered

from actions.clarify import NOT_ON_PAGE_INTENT
from components import topic_metadata
from components.courteous_nlg import ANSWERS_APART
from components.courtesy import lexicon as courtesy_lexicon
from harness.content import domain, importer
from practice.facts import conditions_treated, practice_phone

# An evaluation set labels a question about one condition with what the answer must say:
# "ask_condition_treated/herniated_disc" (a listed condition: a yes naming it), or
# "ask_condition_treated/not_listed" (one the page does not list: never a yes).
CONDITION_INTENT = "ask_condition_treated"
NOT_ON_PAGE_TOPIC = Path(__file__).resolve().parents[1] / "data" / "topics" / "not_on_page.yml"
NOT_LISTED = "not_listed"

# The replies to "hi," or "thanks!" that may open an answer (components/courteous_nlg.py).
COURTESY_REPLIES = tuple(reply for c in courtesy_lexicon()["courtesies"].values()
                         for reply in (c["reply"], c.get("reply_es")) if reply)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template.strip())
    body = "".join(".+?" if re.fullmatch(r"\{[a-z_]+\}", part) else re.escape(part)
                   for part in parts)
    return re.compile(body, re.DOTALL)


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(response name, pattern) for every variation a web or REST patient can get."""
    return tuple((name, pattern) for name, pattern, _ in _patterns_by_language())


@functools.cache
def _patterns_by_language() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(response name, pattern, language: en or es) for every variation a web or REST patient
    can get."""
    found = [(name, _pattern(variation["text"]), variation_language(variation))
             for name, variations in domain().responses.items()
             for variation in variations
             if variation.get("text") and variation.get("channel") in (None, "rest")]
    # The most specific first: a longer template cannot be mistaken for a shorter one.
    return tuple(sorted(found, key=lambda item: -len(item[1].pattern)))


def variation_language(variation: dict) -> str:
    """es for a variation whose condition is the Spanish conversation, else en."""
    return next((str(c.get("value")) for c in variation.get("condition") or []
                 if isinstance(c, dict) and c.get("name") == "language"), "en")


def in_language(messages: list[dict], language: str) -> bool:
    """Whether every answer the patient read is a variation in this language."""
    parts = [part for message in messages if message.get("text")
             for part in without_nearest_topic(without_check_in(
                 message["text"].strip())).split(ANSWERS_APART)]
    return bool(parts) and all(_language_of(part) == language for part in parts)


def _language_of(text: str) -> str | None:
    for candidate in (text, without_courtesy(text)[1]):
        found = next((language for _, pattern, language in _patterns_by_language()
                      if pattern.fullmatch(candidate)), None)
        if found is not None:
            return found
    return None


def without_courtesy(text: str) -> tuple[str | None, str]:
    """("You're welcome!", rest) if the message opens with a courtesy reply, else (None, text)."""
    for reply in COURTESY_REPLIES:
        if text.startswith(reply + " "):
            return reply, text[len(reply) + 1:]
    return None, text


def without_check_in(text: str) -> str:
    """The message without the check-in line the answer to possible distress ends with
    (components/courteous_nlg.py)."""
    for variation in domain().responses["utter_check_in"]:
        check_in = variation["text"].strip()
        if text != check_in and text.endswith(check_in):
            return text.removesuffix(check_in).strip()
    return text


def without_nearest_topic(text: str) -> str:
    """The message without the line naming the nearest page topic that "our page doesn't
    answer that" may end with (components/courteous_nlg.py)."""
    for variation in domain().responses["utter_nearest_topic"]:
        pattern = re.compile(r"\s+" + _pattern(variation["text"].strip()).pattern + r"$",
                             re.DOTALL)
        text = pattern.sub("", text)
    return text


def response_of(text: str) -> str | None:
    """The response a bot message came from (a check-in after it set aside), or None if no
    response makes it; of a message answering several questions, the first answer's."""
    return responses_in(text)[0]


def responses_in(text: str) -> list[str | None]:
    """The response of each answer in a bot message: one, or one per question when the
    message asked several (components/courteous_nlg.py puts a blank line between them)."""
    text = without_nearest_topic(without_check_in(text.strip()))
    if ANSWERS_APART in text:
        # A slot's value (a notice of several paragraphs) may hold a blank line too: answers
        # only if every part is one.
        parts = [_response_of(part) for part in text.split(ANSWERS_APART)]
        if all(parts):
            return parts
    return [_response_of(text)]


def _response_of(text: str) -> str | None:
    for candidate in (text, without_courtesy(text)[1]):
        name = next((name for name, pattern in _patterns() if pattern.fullmatch(candidate)), None)
        if name is not None:
            return name
    return None


def responses_seen(messages: Iterable[dict]) -> list[str | None]:
    """The response each message the patient reads came from (a message with only a custom
    payload, such as "forget me"'s confirmation for the channel, is not read)."""
    return [response_of(message.get("text") or "") for message in messages
            if message.get("text") or not message.get("custom")]


@functools.cache
def _rules() -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """(intent the rule starts with, or None; the actions it runs) for every rule and story,
    the importer's derived ones included."""
    rules = []
    for step in importer().get_stories().story_steps:
        intent, actions = None, []
        for event in step.events:
            if isinstance(event, UserUttered):
                if actions or intent:
                    break  # a second user turn: the answer to the first is complete
                intent = event.intent_name
            elif (isinstance(event, ActionExecuted)
                  and event.action_name not in (ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME)):
                actions.append(event.action_name)
        if actions:
            rules.append((intent, tuple(actions)))
    return tuple(rules)


@functools.cache
def right_answers(intent: str) -> frozenset[str]:
    """The responses the rules give to this intent, through the actions they run."""
    answers: set[str] = set()
    seen_actions: set[str] = set()
    pending = [actions for start, actions in _rules() if start == intent]
    while pending:
        for action in pending.pop():
            if action.startswith("utter_"):
                answers.add(action)
            elif action not in seen_actions:
                seen_actions.add(action)
                pending += [actions for start, actions in _rules()
                            if start is None and actions[0] == action]
    return frozenset(answers)


@functools.cache
def dont_know_answers() -> frozenset[str]:
    """The answers that say the page does not answer a question, with the number: those of the
    topic file of questions the page does not answer (cost, hours, a surgeon's credentials...),
    the deflection, and "I can't give medical advice: ask your doctor or call us"."""
    topic = yaml.safe_load(NOT_ON_PAGE_TOPIC.read_text(encoding="utf-8"))
    intents = {block["intent"] for block in topic["nlu"] if "intent" in block}
    return frozenset({"utter_default", "utter_ask_medical_advice"}.union(
        *(right_answers(intent) for intent in intents)))


def answered(label: str, messages: list[dict]) -> bool:
    """Whether the reply answers the labelled message: one question ("ask_cost"), or several,
    each in order ("ask_cost+ask_insurance")."""
    return (answers_each(label.split("+"), messages) if "+" in label
            else answers_right(label, messages))


def answers_each(labels: list[str], messages: list[dict]) -> bool:
    """Whether the reply answers each labelled question, in order, and nothing else (a message
    asking several: "how big is the cut and how long is recovery?"). The answers are
    paragraphs of one message; Rasa's REST channel sends each paragraph as a message."""
    parts = [part for message in messages if message.get("text")
             for part in message["text"].split(ANSWERS_APART)]
    return len(parts) == len(labels) and all(
        answers_right(label, [{"text": part}]) for label, part in zip(labels, parts, strict=True))


def answers_right(label: str, messages: list[dict]) -> bool:
    """Whether the first thing the patient saw is a right answer to the labelled question
    ("intent", or "ask_condition_treated/<condition>"):
    - a condition question: a yes naming that condition if the page lists it; if not, the
      "not listed" answer or the whole list, never a yes;
    - a notice topic: the notice's sentences about that topic, or its plain word that the
      notice does not mention that topic; never "couldn't look it up" (the tests' feed is up);
    - anything else: a response the rules give to the intent."""
    if not messages:
        return False
    intent, _, condition = label.partition("/")
    # Of a message answering several questions, the first answer.
    first = (messages[0].get("text") or "").split(ANSWERS_APART)[0]
    name = response_of(first)
    if intent == CONDITION_INTENT:
        return _answers_condition(condition, name, first)
    if intent == NOT_ON_PAGE_INTENT:
        # Said plainly, with the number: never a fact nor a guess, nor a clarifying question.
        return name in dont_know_answers() and practice_phone() in first
    if name not in right_answers(intent) or name == "utter_notice_unavailable":
        return False
    topic = topic_metadata.notice_topic(domain().as_dict(), intent)
    if topic is not None and name == "utter_notice_quote":
        return topic.mentioned_in(first)
    if topic is not None and name == "utter_notice_no_mention":
        return f"doesn't mention {topic.called}" in " ".join(first.split())
    return True


def _answers_condition(condition: str, name: str | None, text: str) -> bool:
    if condition in conditions_treated():
        # The condition named as the page names it, in English or in Spanish.
        said = " ".join(text.split())
        return name == "utter_condition_listed" and any(
            conditions_treated(language)[condition] in said for language in ("en", "es"))
    if condition == NOT_LISTED:
        return name in ("utter_condition_not_listed", "utter_ask_conditions_treated")
    raise ValueError(f"A condition question's label names its condition: {CONDITION_INTENT}/"
                     f"<one of {sorted(conditions_treated())} or {NOT_LISTED}>, not {condition!r}")
