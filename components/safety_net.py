"""Route messages that describe an emergency to the emergency intents, whatever the model says.

The DIET classifier is trained on emergency phrasings too, but a statistical model can miss
an unusual one. For safety that is not good enough: a message that matches one of the
patterns in lexicon/emergency_phrases.yml gets the pattern's intent with full confidence,
so the emergency rule answers it before anything else, at any point in a conversation.
It runs last in config.yml, after the FallbackClassifier, so not even a low-confidence
fallback can delay emergency guidance.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from re import Pattern
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

DEFAULT_PHRASES_FILE = "lexicon/emergency_phrases.yml"


def load_patterns(path: Path) -> list[tuple[str, Pattern[str]]]:
    """(intent, compiled pattern) pairs, in file order: the first match wins."""
    spec: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (intent, re.compile(pattern, re.IGNORECASE))
        for intent, patterns in spec.items()
        for pattern in patterns
    ]


def match_emergency(text: str, patterns: list[tuple[str, Pattern[str]]]) -> str | None:
    """The emergency intent a message describes, or None."""
    for intent, pattern in patterns:
        if pattern.search(text):
            return intent
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class EmergencySafetyNet(GraphComponent, IntentClassifier):
    """Overrides the predicted intent when a message matches an emergency pattern."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"phrases_file": DEFAULT_PHRASES_FILE}

    def __init__(self, patterns: list[tuple[str, Pattern[str]]]) -> None:
        self._patterns = patterns

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencySafetyNet:
        # Read at load time (not frozen into the model) so an edited pattern file
        # takes effect on the next start, without retraining.
        return cls(load_patterns(Path(config["phrases_file"])))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = match_emergency(message.get(TEXT) or "", self._patterns)
            if intent is None:
                continue
            logger.debug("Emergency pattern matched: routing to '%s'.", intent)
            top = {"name": intent, "confidence": 1.0}
            ranking = [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get("name") != intent
            ]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        return messages
