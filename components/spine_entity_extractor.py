"""Report spine terms found by the spaCy entity ruler under their canonical names.

Rasa's SpacyEntityExtractor reports an entity's text as typed ("slipped discs"); the actions
need the canonical name the lexicon gives it ("herniated_disc"), which spaCy keeps as the
entity id. This subclass reports that id instead, and reuses the doc SpacyNLP already made
(lowercased, so the lemma-based patterns match "Slipped Discs" too) instead of running
spaCy a second time.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpineEntityExtractor(SpacyEntityExtractor):
    """Entities from the lexicon's entity ruler, valued by canonical name."""

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT]) or model.model(message.get(TEXT, "").lower())
            extracted = self.add_extractor_name(self._canonical_entities(doc))
            extracted = self.filter_irrelevant_entities(extracted, self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages

    @staticmethod
    def _canonical_entities(doc: Any) -> list[dict[str, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ]
