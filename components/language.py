"""The patient's language, English or Spanish: read from each message, kept by the conversation.

A message sets the conversation's language (the slot `language`, from the entity `language`
this component marks) only when it says so ("en español, por favor", "in English please", "do
you speak Spanish?") or when the language detector is sure of it. Anything else — "ok", "si",
"MIG-LIF?", a message mixing both — keeps the language the conversation had, so a Spanish
conversation is not switched to English by "ok", and a first message nobody can place is
answered in English, the page's language. The answers' Spanish variations are chosen by that
slot (Rasa's conditional response variations: data/topics/*.yml).

The detector is lingua (its models ship inside the package: nothing is downloaded), limited to
the two languages. MIN_CONFIDENCE was set on short messages (docs/languages.md).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lingua import Language, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ENTITY = "language"
ENGLISH, SPANISH = "en", "es"
LANGUAGES = {Language.ENGLISH: ENGLISH, Language.SPANISH: SPANISH}
# Below this, the detector's reading does not change the conversation's language. Set on the
# Spanish training phrasings and four English development sets (docs/languages.md): at 0.75,
# with the names below set aside, 93% of 1,245 Spanish phrasings read Spanish and none of
# 1,269 English questions did (but two asking whether the staff speak Spanish).
MIN_CONFIDENCE = 0.75
# Words of no language, set aside before detection: the page's names ("la MISS es segura?"
# read as English) and "ok".
NEUTRAL = re.compile(r"\b(?:miss|mis|mig[\s-]?lif+|miglif+|mrsa|legacy|schlesinger|scott|dr|"
                     r"covid|ok|okay)\b", re.IGNORECASE)
# Greetings and thanks that are Spanish whatever the detector says of one word ("hola": 0.66).
SPANISH_COURTESY = re.compile(r"^\W*(?:hola|buenas|buenos\s+d[ií]as|buenas\s+(?:tardes|noches)|"
                              r"(?:muchas\s+)?gracias)\b", re.IGNORECASE)

# What asks for a language outright, whatever language the rest of the message is in.
ASKS_FOR = {
    SPANISH: re.compile(
        r"\b(?:en|in)\s+espa[nñ]ol\b|\bespa[nñ]ol\s*(?:,\s*)?(?:por\s+favor|porfa|pls|please)\b"
        r"|\bhabl\w*\s+(?:usted(?:es)?\s+)?espa[nñ]ol\b|\b(?:speak|speaks|in)\s+spanish\b"
        r"|^\s*espa[nñ]ol\s*[.!?]*\s*$", re.IGNORECASE),
    ENGLISH: re.compile(
        r"\bin\s+english\b|\ben\s+ingl[eé]s\b|\benglish\s*(?:,\s*)?(?:please|pls|por\s+favor)\b"
        r"|\bspeak\w*\s+english\b|\bhabl\w*\s+(?:usted(?:es)?\s+)?ingl[eé]s\b"
        r"|^\s*english\s*[.!?]*\s*$", re.IGNORECASE),
}


@functools.cache
def detector() -> Any:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).build()


def asked_for(text: str) -> str | None:
    """The language the message asks to be answered in, if it asks ("en español")."""
    return next((language for language, pattern in ASKS_FOR.items() if pattern.search(text)),
                None)


def detected(text: str) -> str | None:
    """The message's language if the detector is sure of it, else None."""
    if SPANISH_COURTESY.search(text):
        return SPANISH
    text = NEUTRAL.sub(" ", text)
    if not any(character.isalpha() for character in text):
        return None
    values = detector().compute_language_confidence_values(text)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return LANGUAGES.get(values[0].language)


def language_of(text: str) -> str | None:
    """The language this message sets for the conversation, or None (it keeps the last)."""
    return asked_for(text) or detected(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageMark(GraphComponent):
    """Marks the message's language as the entity `language`, when it sets one."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> LanguageMark:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = language_of(text)
            if language is not None:
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), {
                    "entity": ENTITY, "value": language, "start": 0, "end": len(text),
                    "extractor": type(self).__name__}], add_to_output=True)
        return messages
