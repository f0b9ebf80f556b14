"""A listed condition told in the patient's own words, when the lexicon finds no name for it.

"The cushion between my bones pushed out, do you treat that?" names no condition the lexicon
knows (lexicon/spine_terms.yml), so the bot answered with the whole list. Patients describe
more than any phrase list holds: here a model learned from descriptions (the lexicon's file
lexicon/condition_descriptions.yml, written by a helper from the brief, plus every phrase of
the lexicon itself) reads the message and, when it is sure, names the listed condition as the
entity `condition`, as the lexicon would have. It runs only for a question about one
condition that the lexicon left unnamed, and names only a listed condition: an unlisted one
the model recognises keeps the list as its answer (never a yes on a guess), and so does any
message it is unsure of. The threshold was chosen on the development sets (docs/performance.md).

The model is the risk model's kind (components/risk_model.py: TF-IDF of words and characters,
logistic regression), learned when Rasa trains and whenever the descriptions or the lexicon
change (fingerprint_addon).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lexicon import LEXICON_PATH, load_terms
from components import several_questions
from components.risk_model import RiskModel, fingerprint
from practice.facts import conditions_treated

logger = logging.getLogger(__name__)

DESCRIPTIONS = LEXICON_PATH.parent / "condition_descriptions.yml"
CONDITION_INTENT = "ask_condition_treated"
CONDITION_ENTITY = "condition"
NOT_LISTED = "not_listed"


def training_examples(descriptions: Path = DESCRIPTIONS, lexicon: Path = LEXICON_PATH
                      ) -> tuple[list[str], list[str]]:
    """(texts, labels): the descriptions, and each lexicon phrase under its condition (an
    unlisted condition's under not_listed)."""
    listed = set(conditions_treated())
    texts, labels = [], []
    data = yaml.safe_load(descriptions.read_text(encoding="utf-8")) or {}
    for label, examples in (data.get("descriptions") or {}).items():
        if label != NOT_LISTED and label not in listed:
            raise ValueError(f"{descriptions.name}: {label!r} is neither a listed condition "
                             f"(practice/facts.yml) nor {NOT_LISTED}")
        texts += [str(text) for text in examples]
        labels += [label] * len(examples)
    for term in load_terms(lexicon):
        if term.label != CONDITION_ENTITY:
            continue
        label = term.name if term.name in listed else NOT_LISTED
        texts += list(term.phrases)
        labels += [label] * len(term.phrases)
    return texts, labels


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ConditionDescriber(GraphComponent):
    """Names the listed condition a question describes, when the lexicon named none."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.6, "model": {"word_ngrams": [1, 2], "char_ngrams": [2, 5],
                                            "C": 10.0}}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return fingerprint([DESCRIPTIONS, LEXICON_PATH])

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, model: RiskModel | None = None,
                 finetuning: bool = False) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        self.model = model
        self.finetuning = finetuning  # loaded to be trained again: it starts from `model`

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ConditionDescriber:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # Rasa trains it again whenever the topics' questions change, though it does not read
        # them: when finetuning, a model that learned from the same descriptions is kept.
        texts, labels = training_examples()
        self.model = RiskModel(self.config["model"]).fit(
            texts, labels, start=self.model if self.finetuning else None)
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        logger.info("Condition describer trained on %d descriptions.", len(texts))
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ConditionDescriber:
        try:
            with model_storage.read_from(resource) as directory:
                model = RiskModel.load(directory)
        except (ValueError, FileNotFoundError):
            logger.error("Condition describer: none in the model; only the lexicon names "
                         "conditions. Train a model (make train).")
            model = None
        return cls(config, model_storage, resource, model, execution_context.is_finetuning)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            named = self.described(message)
            if named is not None:
                condition, confidence = named
                text = message.get(TEXT) or ""
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), {
                    "entity": CONDITION_ENTITY, "value": condition, "start": 0,
                    "end": len(text), "confidence": confidence,
                    "extractor": type(self).__name__}], add_to_output=True)
        return messages

    def described(self, message: Message) -> tuple[str, float] | None:
        """(condition, confidence) if the message asks about one listed condition that only
        its description names, and the model is sure of it."""
        if self.model is None or (message.get(INTENT) or {}).get("name") != CONDITION_INTENT:
            return None
        entities = message.get(ENTITIES) or []
        if any(e.get("entity") in (CONDITION_ENTITY, several_questions.ENTITY)
               for e in entities):
            return None
        probabilities = self.model.probabilities(message.get(TEXT) or "")
        condition = max(probabilities, key=probabilities.get)
        if condition == NOT_LISTED or probabilities[condition] < self.config["threshold"]:
            return None
        return condition, probabilities[condition]
