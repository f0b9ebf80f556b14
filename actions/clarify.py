"""What to do when the NLU is unsure: ask which of two topics was meant, or deflect (never
emergency guidance: that comes only from a red flag happening now, components/triage.py).
Plain Python over the intent ranking, testable without a tracker.

A topic is offered under the title its topic file gives it (the intent's `metadata: title:`,
components/topic_metadata.py). A question without a title is never offered: the fallback,
emergency, crisis and follow-up intents have none, so an unsure reading never gives emergency
or crisis guidance (components/safety_net.py gives it for a red flag happening now), and a
follow-up ("and now?") is passed over for the topics behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A runner-up this unlikely is noise, not a second reading worth offering. Two questions in one
# message ("hours and phone?") leave the second near 0.15: offering both beats a deflection.
MIN_SECOND_CONFIDENCE = 0.1


@dataclass(frozen=True)
class Assessment:
    outcome: str  # clarify or deflect (slot unclear_message)
    choices: tuple[tuple[str, str], ...] = ()  # (title, payload) of the topics to offer


def ranked_topics(ranking: list[dict[str, Any]], titles: Mapping[str, str]
                  ) -> list[dict[str, Any]]:
    """The intents of the ranking that have a title, most likely first."""
    candidates = [entry for entry in ranking if entry.get("name") in titles]
    return sorted(candidates, key=lambda entry: entry.get("confidence") or 0.0, reverse=True)


def assess(ranking: list[dict[str, Any]], titles: Mapping[str, str]) -> Assessment:
    """`titles`: each offerable topic's title, by intent."""
    pair = ranked_topics(ranking, titles)[:2]
    if len(pair) == 2 and (pair[1].get("confidence") or 0.0) >= MIN_SECOND_CONFIDENCE:
        return Assessment(
            "clarify", tuple((titles[entry["name"]], f"/{entry['name']}") for entry in pair))
    return Assessment("deflect")
