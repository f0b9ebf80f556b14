"""Emergency and crisis guidance exactly when a red flag is happening now (components/triage.py).

Runs last in config.yml's pipeline, after the FallbackClassifier:
- a current red flag sets report_crisis or report_emergency with full confidence, so their
  rules answer first, at any point in a conversation, whatever the model or the fallback said;
- without one, a model's report_emergency or report_crisis reading is not trusted (a stroke
  years ago, a risk question, "this pain is killing me"): the message goes to the fallback,
  where the bot asks which topic was meant or says what it can help with.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components import triage

logger = logging.getLogger(__name__)

INTENT_OF = {"crisis": "report_crisis", "emergency": "report_emergency"}
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class EmergencySafetyNet(GraphComponent, IntentClassifier):
    """Sets or withdraws the emergency intents by the triage's verdict."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencySafetyNet:
        # The lexicons are read when the model loads (not frozen into it): an edit takes
        # effect on the next start, without retraining.
        triage.pipeline.cache_clear()
        triage.pipeline()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            verdict = triage.judge(triage.findings(message.get(TEXT) or ""))
            intent = (message.get(INTENT) or {}).get("name")
            if verdict is not None:
                # Never the patient's words in the log: only what was decided.
                logger.debug("Current red flag: routing to '%s'.", INTENT_OF[verdict])
                self._set(message, {"name": INTENT_OF[verdict], "confidence": 1.0})
            elif intent in INTENT_OF.values():
                logger.debug("No current red flag: '%s' withdrawn.", intent)
                self._set(message, {"name": FALLBACK_INTENT, "confidence": 1.0})
        return messages

    @staticmethod
    def _set(message: Message, top: dict[str, Any]) -> None:
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                   if entry.get("name") not in (top["name"], FALLBACK_INTENT)]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
