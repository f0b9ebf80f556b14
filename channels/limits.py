"""What every channel (REST, web chat, SMS) shares at its door: the size of a patient's
message, and the reply when the bot cannot answer at all.

Parsing cost grows with the text (a 40 KB message held the NLU for 17 s and 6.8 GB), and no
question needs more than a few sentences: a longer message is not parsed at all; the patient is
asked to shorten it, in the same words on every channel.
"""

from __future__ import annotations

from practice.facts import practice_phone

# The widget stops typing here too (web/static/spine-chat.js MAX_MESSAGE_LENGTH).
MAX_MESSAGE_CHARS = 1000


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


def too_long_reply() -> str:
    return (f"That message is too long for me. Please send a shorter question, or call us at "
            f"{practice_phone()}.")


def cannot_answer_reply() -> str:
    """When the bot itself failed: the patient still gets a way to reach the practice."""
    return f"Sorry, I can't answer right now. Please call us at {practice_phone()}."


def too_many_reply() -> str:
    """The one answer a sender gets when over a rate limit (channels/rate_limits.py)."""
    return (f"You're sending a lot of messages. Please wait a minute and try again, or call us "
            f"at {practice_phone()}.")
