"""A greeting or thanks before a question ("thanks! how do I book?") does not hide the question.

The intent classifier gives one intent per message, and a leading "thanks!" pulled short
questions towards `thank`: the patient got "You're welcome!" and no answer. Two pipeline
steps around the classifier (config.yml) answer both parts:
- CourtesyLead, first: sets a greeting or thanks that opens the message aside
  (lexicon/courtesy.yml), so the question is featurised and classified as if asked alone;
- CourtesyMark, last: puts the patient's full text back (offsets of entities included) and
  marks the courtesy as an entity `courtesy`, which components/courteous_nlg.py turns into
  "Hi!" or "You're welcome!" before the answer. If a few words after it were not understood
  ("hello, anyone there?"), the message is the greeting or thanks it started with.
Training data is never changed: only messages from patients are.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_ranking import FALLBACK_INTENT, put_on_top

LEXICON = Path(__file__).resolve().parent.parent / "lexicon" / "courtesy.yml"
ENTITY = "courtesy"
# Where CourtesyLead leaves what CourtesyMark needs (not part of the parse result).
SET_ASIDE = "courtesy_set_aside"
# Fewer words than this after the lead are part of the courtesy ("thanks a bunch").
MIN_QUESTION_WORDS = 2
# Up to this many words after the lead that the classifier did not understand are small talk.
MAX_FILLER_WORDS = 3


@dataclass(frozen=True)
class Lead:
    kind: str  # greet or thank: the intent of the courtesy alone
    text: str  # the lead as typed, up to the question
    question: str  # the rest of the message


@functools.cache
def lexicon(path: Path = LEXICON) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@functools.cache
def _lead_pattern() -> re.Pattern[str]:
    alternatives = []
    for kind, courtesy in lexicon()["courtesies"].items():
        phrases = sorted(courtesy["leads"], key=len, reverse=True)
        words = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        alternatives.append(f"(?P<{kind}>{words})")
    # The lead, then the punctuation and spaces before the question.
    return re.compile(rf"^\s*(?:{'|'.join(alternatives)})\b(?P<gap>[\s,.!;:~\-–—]*)",
                      re.IGNORECASE)


def split_lead(text: str) -> Lead | None:
    """The courtesy that opens the message and the question after it, or None."""
    match = _lead_pattern().match(text)
    if match is None:
        return None
    question = text[match.end():]
    words = question.split()
    if len(words) < MIN_QUESTION_WORDS:
        return None
    punctuated = bool(match.group("gap").strip())
    starters = {word.lower() for word in lexicon()["question_starters"]}
    if not punctuated and words[0].lower().strip("?,.!") not in starters:
        return None
    kind = next(k for k in lexicon()["courtesies"] if match.group(k))
    return Lead(kind, text[:match.end()], question)


def reply_for(kind: str, language: str | None = None) -> str:
    """The words an answer starts with, in the conversation's language (English unless es)."""
    courtesy = lexicon()["courtesies"][kind]
    return courtesy.get(f"reply_{language}") or courtesy["reply"]


class _Stateless(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class CourtesyLead(_Stateless):
    """First in the pipeline: the question is what the classifier sees."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            lead = split_lead(message.get(TEXT) or "")
            if lead is not None:
                message.set(SET_ASIDE, lead)
                message.set(TEXT, lead.question)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CourtesyMark(_Stateless, IntentClassifier):
    """Last in the pipeline: the full text back, and the courtesy marked or answered."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            lead = message.get(SET_ASIDE)
            if isinstance(lead, Lead):
                self._restore(message, lead)
        return messages

    @staticmethod
    def _restore(message: Message, lead: Lead) -> None:
        offset = len(lead.text)
        message.set(TEXT, lead.text + lead.question)
        entities = [{**e, "start": e["start"] + offset, "end": e["end"] + offset}
                    if "start" in e and "end" in e else e
                    for e in message.get(ENTITIES) or []]
        intent = (message.get(INTENT) or {}).get("name")
        if intent == FALLBACK_INTENT and len(lead.question.split()) <= MAX_FILLER_WORDS:
            # A few words not understood ("hi, anyone there?"): answer the greeting or thanks.
            # A longer question not understood is asked back or deflected, after the reply.
            put_on_top(message, lead.kind)
        elif intent not in lexicon()["answered_alone"]:
            entities.append({"entity": ENTITY, "value": lead.kind, "start": 0,
                             "end": len(lead.text.rstrip()), "extractor": "CourtesyMark"})
        message.set(ENTITIES, entities, add_to_output=True)
