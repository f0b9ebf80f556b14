"""Safety before any refusal: a message a channel will not pass to the bot — too long, over a
rate limit, or sent in a malformed request — is still read for an emergency or a crisis, and
one that describes one gets that guidance instead of the refusal.

The decision is the running model's own (its NLU, with the safety net last:
components/safety_net.py), so a refused message is judged exactly as an answered one. Its cost
stays bounded: a long text is read in pieces of the length the NLU reads at its normal cost, at
most MAX_PIECES of them (the start and the end of a longer text: where a story ends is where
"since this morning I can't feel my legs" tends to be); and a sender over a rate limit has at
most READS_PER_MINUTE of its refused messages read and gets the guidance at most once a minute,
so a flood cannot make the bot read all of it nor use the guidance to get past the limit.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from channels.limits import MAX_MESSAGE_CHARS
from channels.rate_limits import ALLOW, RateLimiter
from channels.responses import channel_says, running_agent
from components.language import language_of

logger = logging.getLogger(__name__)

# The guidance each safety intent gets (its rule in data/topics/safety.yml), most urgent first:
# the order the safety net itself answers in.
GUIDANCE = {"report_crisis": "utter_report_crisis",
            "report_emergency": "utter_report_emergency"}
MAX_PIECES = 8
READS_PER_MINUTE = 6
GUIDANCE_PER_MINUTE = 1
# Where a piece may end: after a sentence, else after a word.
SENTENCE_END = re.compile(r"[.!?\n]\s+")
WORD_END = re.compile(r"\s+")


def pieces(text: str, size: int = MAX_MESSAGE_CHARS, most: int = MAX_PIECES) -> list[str]:
    """The text cut into pieces of at most `size` characters, at a sentence's end where one is
    near, else at a word's; past `most` pieces, the first and last halves of them."""
    found: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= size:
            found.append(rest)
            break
        cut = last_match_end(SENTENCE_END, rest[:size], size // 2) or \
            last_match_end(WORD_END, rest[:size], 1) or size
        found.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if len(found) > most:
        found = found[:most // 2] + found[-(most - most // 2):]
    return [piece for piece in found if piece]


def last_match_end(pattern: re.Pattern[str], text: str, earliest: int) -> int | None:
    ends = [match.end() for match in pattern.finditer(text) if match.end() >= earliest]
    return ends[-1] if ends else None


async def safety_intent(app: Any, text: str) -> str | None:
    """report_crisis or report_emergency when the running model's NLU finds one in any piece of
    the text, the most urgent first; None when it finds neither or no model is loaded."""
    agent = running_agent(app)
    if agent is None or not text.strip():
        return None
    found = set()
    for piece in pieces(text):
        try:
            parsed = await agent.parse_message(piece)
        # Judging is a courtesy before a refusal: it must not turn the refusal into a failure.
        except Exception as error:  # noqa: BLE001
            logger.error("Safety check before a refusal failed (%s).", type(error).__name__)
            return None
        found.add(((parsed or {}).get("intent") or {}).get("name"))
    return next((intent for intent in GUIDANCE if intent in found), None)


async def guidance_for(app: Any, text: str, output_channel: str) -> str | None:
    """The emergency or crisis guidance this text needs, in the running model's words."""
    intent = await safety_intent(app, text)
    if intent is None:
        return None
    logger.info("A refused message described a red flag: answered with %s.", GUIDANCE[intent])
    return await channel_says(app, GUIDANCE[intent], output_channel, language_of(text))


class OverLimitSafety:
    """Reads a rate-limited sender's messages for a red flag, within bounds of its own."""

    def __init__(self, reads_per_minute: int = READS_PER_MINUTE,
                 guidance_per_minute: int = GUIDANCE_PER_MINUTE) -> None:
        self.reads = RateLimiter(reads_per_minute, 60)
        self.guided = RateLimiter(guidance_per_minute, 60)

    async def guidance_for(self, app: Any, sender: str, text: str,
                           output_channel: str) -> str | None:
        """The guidance for a message refused by a rate limit, or None: no red flag, or this
        sender has had its reads or its guidance for this minute."""
        if self.reads.check(sender) != ALLOW:
            return None
        intent = await safety_intent(app, text)
        if intent is None or self.guided.check(sender) != ALLOW:
            return None
        logger.info("A rate-limited sender described a red flag: answered with %s.",
                    GUIDANCE[intent])
        return await channel_says(app, GUIDANCE[intent], output_channel, language_of(text))
