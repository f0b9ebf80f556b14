"""What to do when the NLU is unsure: ask which of two topics was meant, or deflect (never
emergency guidance: that comes only from a red flag happening now, components/triage.py).
Plain Python over the intent ranking, testable without a tracker.

What the topic files say decides (components/topic_metadata.py): a topic is offered under the
title its file gives it; readings marked `skip_when_unsure` (emergency, crisis, follow-up) are
passed over, never offered; any other reading without a title (a greeting, out of scope) in
the top two means the bot deflects rather than offer a guess.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from components.intent_ranking import FALLBACK_INTENT

# Questions about the practice or its care that the page does not answer (data/topics/
# not_on_page.yml): among the two likeliest readings, the bot says so rather than guess.
NOT_ON_PAGE_INTENT = "ask_not_on_page"
# A runner-up this unlikely is noise, not a second reading worth offering. Two questions in one
# message ("hours and phone?") leave the second near 0.15: offering both beats a deflection.
MIN_SECOND_CONFIDENCE = 0.1
# Offering two topics is only worth it when the two hold much of the model's belief between
# them; spread thin over many topics (a question the page does not answer), both options are
# usually wrong. Measured on tests/nlu_dev.yml (docs/performance.md): of its unsure
# messages, clarifying below this share offered two wrong topics in 5 of 8 clarifications.
MIN_PAIR_SHARE = 0.45


@dataclass(frozen=True)
class Assessment:
    outcome: str  # clarify, not_on_page or deflect (slot unclear_message)
    choices: tuple[tuple[str, str], ...] = ()  # (title, payload) of the topics to offer


def ranked_readings(ranking: list[dict[str, Any]], skipped: Collection[str]
                    ) -> list[dict[str, Any]]:
    """The ranking without the fallback and the readings passed over, most likely first."""
    candidates = [entry for entry in ranking
                  if entry.get("name") not in skipped and entry.get("name") != FALLBACK_INTENT]
    return sorted(candidates, key=lambda entry: entry.get("confidence") or 0.0, reverse=True)


def assess(ranking: list[dict[str, Any]], titles: Mapping[str, str],
           skipped: Collection[str] = ()) -> Assessment:
    """`titles`: each offerable topic's title, by intent; `skipped`: the readings passed over."""
    pair = ranked_readings(ranking, skipped)[:2]
    # "Not on our page" is for a question about the practice or its care: one the classifier
    # gives that reading a real share of (a share this small is noise: "who invented the
    # telephone", whose likeliest readings are both near zero, is deflected).
    if any(entry.get("name") == NOT_ON_PAGE_INTENT
           and (entry.get("confidence") or 0.0) >= MIN_SECOND_CONFIDENCE for entry in pair):
        return Assessment("not_on_page")
    confidences = [entry.get("confidence") or 0.0 for entry in pair]
    if (len(pair) == 2 and confidences[1] >= MIN_SECOND_CONFIDENCE
            and sum(confidences) >= MIN_PAIR_SHARE
            and all(entry["name"] in titles for entry in pair)):
        return Assessment(
            "clarify", tuple((titles[entry["name"]], f"/{entry['name']}") for entry in pair))
    return Assessment("deflect")
