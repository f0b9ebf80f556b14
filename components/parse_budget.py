"""What the NLU reads of a message: its words, with what carries no words cut short, so that any
message within the length cap costs about what a long question costs.

The cap counts characters, not work: 1,000 `$` or emoji are 1,000 tokens for spaCy, the
red-flag matchers and the classifiers, several times the work of a long story. So, first in the
pipeline (config.yml), before anything tokenises:
- invisible format characters (zero-width spaces, direction overrides, joiners) are dropped;
- a letter keeps at most MAX_MARKS combining marks ("Zalgo" text stacks hundreds);
- a stretch without a letter or digit longer than MAX_WORDLESS keeps its first KEPT_SYMBOLS
  symbols ("help!!!!!!!!" reads as "help!!!").
Letters and digits are never dropped, so no word a patient wrote (nor a red flag in it) is lost.
Only the parse reads this text: the conversation keeps what the patient wrote.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MAX_MARKS = 2
MAX_WORDLESS = 8
KEPT_SYMBOLS = 3
# A stretch of characters that are neither letters nor digits (an underscore is a symbol here).
WORDLESS = re.compile(rf"(?:[^\w]|_){{{MAX_WORDLESS + 1},}}")


def parse_text(text: str) -> str:
    """The text as the NLU reads it (see the module's docstring)."""
    kept: list[str] = []
    marks = 0
    for character in unicodedata.normalize("NFC", text):
        category = unicodedata.category(character)
        if category == "Cf":
            continue
        if category in ("Mn", "Me"):
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        kept.append(character)
    return WORDLESS.sub(_shortened, "".join(kept))


def _shortened(stretch: re.Match[str]) -> str:
    text = stretch.group()
    symbols = "".join(character for character in text if not character.isspace())
    before = " " if text[0].isspace() else ""
    after = " " if text[-1].isspace() else ""
    return f"{before}{symbols[:KEPT_SYMBOLS]}{after}" if symbols else " "


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ParseBudget(GraphComponent):
    """First in the pipeline: the rest of it reads the bounded text."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> GraphComponent:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, parse_text(text))
        return messages
