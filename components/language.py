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
# Spanish training phrasings and triage corpus and the English development sets and corpus
# (docs/languages.md): at 0.75, after the words below, 98.8% of 4,709 Spanish messages read
# Spanish and none of 15,477 English ones did (but nine asking whether the staff speak Spanish);
# at 0.6, "suicidal rn" read Spanish.
MIN_CONFIDENCE = 0.75
# Words of no language, set aside before detection: the page's names ("la MISS es segura?"
# read as English) and "ok".
NEUTRAL = re.compile(r"\b(?:miss|mis|mig[\s-]?lif+|miglif+|mrsa|legacy|schlesinger|scott|dr|"
                     r"covid|ok|okay)\b", re.IGNORECASE)
# Greetings and thanks that are Spanish whatever the detector says of one word ("hola": 0.66).
SPANISH_COURTESY = re.compile(r"^\W*(?:hol[ai]+|ola|buenas|buenos\s+d[ií]as|"
                              r"buenas\s+(?:tardes|noches)|(?:muchas\s+)?gracias|grax|chao|chau|"
                              r"adi[oó]s)\b", re.IGNORECASE)
# Words only one of the languages uses: a message with some of one and none of the other is in
# that language, whatever the detector says ("lo tratan?" is too short for it; Spanglish reads
# as English to it). A message with words of both is left to the detector.
WORDS = {
    SPANISH: frozenset(
        "el la los las lo le les del en es q que qué y un una unos unas con por para pq xq cómo "
        "como cuál cual cuánto cuanto cuánta cuanta cuándo cuando dónde donde quién quien ustedes "
        "usted uds ud mi mis se su sus tienen tiene hay hacen hace tratan trata operan opera "
        "aceptan acepta toman ven eres soy estoy está esta están estan al muy pero porque "
        "también tambien más mas sí tengo tuve puedo puede pueden necesito quiero cita "
        "consulta seguro cirugía cirugia espalda columna dolor médico medico teléfono telefono "
        "número numero horario precio cuesta vale".split()),
    ENGLISH: frozenset(
        "the is are do does did you your i i'm im my it it's its to of and what what's how can "
        "could for on with will would should have has was were this that there they we be an "
        "any about from at or if".split()),
}
WORD = re.compile(r"[a-záéíóúüñ']+", re.IGNORECASE)
SPANISH_MARKS = re.compile(r"[¿¡ñáíóú]", re.IGNORECASE)

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
    # Its models loaded now, not by the first message that needs them: the server's memory is
    # what it will be from the start (the fuzz test holds its growth under load).
    builder = LanguageDetectorBuilder.from_languages(*LANGUAGES)
    return builder.with_preloaded_language_models().build()


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
    # The words first: lingua reads "despues del surgery me mandan a therapy" as English.
    language = by_words(text)
    if language is not None:
        return language
    values = detector().compute_language_confidence_values(text)
    if values and values[0].value >= MIN_CONFIDENCE:
        return LANGUAGES.get(values[0].language)
    return None


def by_words(text: str) -> str | None:
    """The one language whose own words (or, for Spanish, marks: ¿ ñ á) the message has."""
    words = {word.lower() for word in WORD.findall(text)}
    found = {language for language, own in WORDS.items() if words & own}
    if SPANISH_MARKS.search(text) and not words & WORDS[ENGLISH]:
        found.add(SPANISH)
    return found.pop() if len(found) == 1 else None


def language_of(text: str) -> str | None:
    """The language this message sets for the conversation, or None (it keeps the last)."""
    return asked_for(text) or detected(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageMark(GraphComponent):
    """Marks the message's language as the entity `language`, when it sets one."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> LanguageMark:
        detector()
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
