"""What every channel (REST, web chat, SMS) checks at its door: the size of a patient's
message, and what in it can be parsed and stored.

Parsing cost grows with the text (docs/performance.md: what one unbounded message cost), and no
question needs more than a few sentences: a longer message is not parsed at all; the patient is
asked to shorten it, in the same words on every channel (utter_message_too_long,
channels/responses.py).
"""

from __future__ import annotations

import re

# Control characters, but not tab, newline or carriage return (C0, DEL and C1).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# The widget stops typing here too (web/static/spine-chat.js MAX_MESSAGE_LENGTH).
MAX_MESSAGE_CHARS = 1000


def storable(text: str) -> str:
    """A message as the bot can parse and store it. JSON may carry a lone surrogate
    ("\\ud800"), which UTF-8 cannot encode: the NLU and the tracker store failed on it. Such
    characters become "?", and control characters (NUL, escape sequences) are dropped."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return CONTROL_CHARACTERS.sub("", text)


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS

