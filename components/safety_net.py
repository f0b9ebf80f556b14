"""Emergency and crisis guidance exactly when a message needs it (components/assessment.py: the
red-flag rules and the learned risk model).

Runs last in config.yml's pipeline, after the FallbackClassifier:
- clear danger sets report_crisis or report_emergency with full confidence, so their rules
  answer first, at any point in a conversation, whatever the model or the fallback said;
- possible distress keeps the reading and marks the message with the entity `check_in`: the
  answer ends with a gentle line naming 988 (components/courteous_nlg.py);
- without either, a model's report_emergency or report_crisis reading is not trusted (a stroke
  years ago, a risk question, "this pain is killing me"): the message goes to the fallback,
  where the bot asks which topic was meant or says what it can help with.

Trainable: the risk model is learned from safety/corpus/ when Rasa trains (and again whenever a
corpus or red-flag file changes: fingerprint_addon), and saved inside the Rasa model, with the
rules' readings of what it learned from. Trained again from a model (rasa train --finetune, the
staff studio's publish), it starts from that model's weights and readings
(components/warm_start.py, components/rule_readings.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import assessment, several_questions, triage
from components.intent_ranking import FALLBACK_INTENT, put_on_top
from components.risk_model import (
    RiskModel,
    corpus_files,
    fingerprint,
    intent_examples,
    read_examples,
)
from components.rule_readings import Readings

logger = logging.getLogger(__name__)

INTENT_OF = {assessment.CRISIS: "report_crisis", assessment.EMERGENCY: "report_emergency"}
CHECK_IN_ENTITY = "check_in"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class EmergencySafetyNet(GraphComponent, IntentClassifier):
    """Sets or withdraws the emergency intents, or marks a check-in, by the assessment."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The thresholds were chosen on the development sets (docs/triage.md).
        defaults = assessment.Thresholds()
        return {"emergency_threshold": defaults.emergency, "crisis_threshold": defaults.crisis,
                "check_in_threshold": defaults.check_in, "veto_threshold": defaults.veto,
                "distress_weight": defaults.distress_weight, "risk_model": {}}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # What the risk model learns from, outside Rasa's training data: the corpus, and the
        # rules whose judgments it reads beside each message.
        return fingerprint([*corpus_files(), triage.RED_FLAGS, triage.CONTEXT_RULES])

    def __init__(self, config: dict[str, Any] | None = None,
                 model_storage: ModelStorage | None = None, resource: Resource | None = None,
                 model: RiskModel | None = None, readings: Readings | None = None,
                 finetuning: bool = False) -> None:
        self.config = {**self.get_default_config(), **(config or {})}
        self._model_storage, self._resource = model_storage, resource
        self.model = model or RiskModel(self.config["risk_model"])
        self.readings = readings or Readings()
        self.finetuning = finetuning  # loaded to be trained again: it starts from `model`
        self.thresholds = assessment.Thresholds(
            emergency=float(self.config["emergency_threshold"]),
            crisis=float(self.config["crisis_threshold"]),
            check_in=float(self.config["check_in_threshold"]),
            veto=float(self.config["veto_threshold"]),
            distress_weight=float(self.config["distress_weight"]))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> EmergencySafetyNet:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = read_examples(corpus_files()) + intent_examples(
            (message.get(INTENT), message.get(TEXT)) for message in training_data.intent_examples
            if message.get(INTENT) and message.get(TEXT))
        if len({e.label for e in examples}) < 2:
            logger.error("Safety net: no corpus to learn from in safety/corpus/; only the "
                         "red-flag rules will judge messages.")
            return self._resource
        start = self.model if self.finetuning else None
        readings = self.readings if self.finetuning else Readings()
        self.model = RiskModel(self.config["risk_model"]).fit(
            [readings.reader_text(e.text) for e in examples], [e.label for e in examples],
            start=start)
        self.readings = readings.only([e.text for e in examples])
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
            self.readings.save(directory)
        logger.info("Risk model trained on %d corpus messages.", len(examples))
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> EmergencySafetyNet:
        # The red-flag lexicons are read when the model loads; the risk model was trained on
        # their judgments, so an edit is followed by `make train`.
        for cached in (triage.pipeline, triage.crisis_denial, triage.animals):
            cached.cache_clear()
        triage.pipeline()
        readings = None
        try:
            with model_storage.read_from(resource) as directory:
                model = RiskModel.load(directory)
                if execution_context.is_finetuning:
                    readings = Readings.load(directory)
        except (ValueError, FileNotFoundError):
            logger.error("Safety net: the model holds no risk model; only the red-flag rules "
                         "judge messages. Train a model (make train).")
            model = None
        return cls(config, model_storage, resource, model, readings,
                   execution_context.is_finetuning)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            verdict = assessment.assess(message.get(TEXT) or "", self.model, self.thresholds)
            intent = (message.get(INTENT) or {}).get("name")
            # Never the patient's words in the log: only what was decided.
            if verdict in INTENT_OF:
                logger.debug("Clear danger: routing to '%s'.", INTENT_OF[verdict])
                self._set(message, INTENT_OF[verdict])
                continue
            if intent in INTENT_OF.values():
                logger.debug("No clear danger: '%s' withdrawn.", intent)
                self._set(message, FALLBACK_INTENT)
            # A further question read as danger is no answer of its own either: guidance
            # comes only from the verdict above.
            self._drop_further_questions(message, reading=INTENT_OF.values())
            if verdict == assessment.CHECK_IN:
                logger.debug("Possible distress: the answer ends with a check-in.")
                entities = message.get(ENTITIES) or []
                message.set(ENTITIES, [*entities, {"entity": CHECK_IN_ENTITY, "value": "988",
                                                   "extractor": type(self).__name__}],
                            add_to_output=True)
        return messages

    @staticmethod
    def _set(message: Message, name: str) -> None:
        put_on_top(message, name)
        # Guidance, or a withdrawn reading, is the whole reply: no further questions after it.
        EmergencySafetyNet._drop_further_questions(message)

    @staticmethod
    def _drop_further_questions(message: Message, reading: Any = None) -> None:
        """Without the message's further questions (components/several_questions.py): all of
        them, or those read as one of `reading`."""
        message.set(ENTITIES, [
            entity for entity in message.get(ENTITIES) or []
            if entity.get("entity") != several_questions.ENTITY
            or (reading is not None and entity.get("value") not in reading)],
            add_to_output=True)
