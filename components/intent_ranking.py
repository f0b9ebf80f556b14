"""A message's reading put on top of its intent ranking, by the components that decide it
outright (components/safety_net.py: guidance; components/courtesy.py: a greeting or thanks).
"""

from __future__ import annotations

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

FALLBACK_INTENT = DEFAULT_NLU_FALLBACK_INTENT_NAME


def put_on_top(message: Message, name: str) -> None:
    """`name` becomes the message's intent with full confidence; the rest of the ranking stays
    in order below it, without the fallback (the reading is no longer unsure)."""
    top = {"name": name, "confidence": 1.0}
    ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
               if entry.get("name") not in (name, FALLBACK_INTENT)]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
