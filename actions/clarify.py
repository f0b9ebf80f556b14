"""What to do when the NLU is unsure: ask which of two topics was meant, or deflect (never
emergency guidance: that comes only from a red flag happening now, components/triage.py).
Plain Python over the intent ranking, testable without a tracker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Button titles for the topics the bot can answer, by intent.
TOPIC_TITLES = {
    "ask_what_is_miss": "What MISS is",
    "ask_incision_size": "Incision size",
    "ask_benefits": "Benefits",
    "ask_benefit_safety": "Safety and blood loss",
    "ask_benefit_infection_pain": "Infection and pain",
    "ask_benefit_scarring": "Scarring and stitches",
    "ask_recovery_time": "Recovery time",
    "ask_hospital_stay": "Hospital stay",
    "ask_conditions_treated": "Conditions treated",
    "ask_condition_treated": "Is my condition treated?",
    "ask_what_is_miglif": "What MIG-LIF is",
    "ask_miglif_developer": "Who developed MIG-LIF",
    "ask_surgeons": "Our surgeons",
    "ask_phone_number": "How to reach us",
    "ask_telehealth": "Telehealth",
    "ask_elective_procedures": "Elective procedures",
    "ask_safety_precautions": "Safety precautions",
    "ask_latest_news": "Latest update",
    "ask_cost": "Cost",
    "ask_insurance": "Insurance",
    "ask_location": "Our address",
    "ask_hours": "Office hours",
    "ask_brace": "Wearing a brace",
    "ask_physical_therapy": "Physical therapy",
    "ask_candidacy": "Am I a candidate?",
    "ask_medical_advice": "Advice for my health",
    "bot_challenge": "Who I am",
    "ask_help": "What I can help with",
}

# An unsure reading never gives emergency or crisis guidance (components/safety_net.py gives
# it for a red flag happening now, whatever the reading): these are never offered as topics.
# A follow-up ("and now?") is no topic of its own: passed over, so the topics behind it are offered.
NOT_OFFERED = {"nlu_fallback", "report_emergency", "report_crisis", "follow_up"}
# A runner-up this unlikely is noise, not a second reading worth offering. Two questions in one
# message ("hours and phone?") leave the second near 0.15: offering both beats a deflection.
MIN_SECOND_CONFIDENCE = 0.1


@dataclass(frozen=True)
class Assessment:
    outcome: str  # clarify or deflect (slot unclear_message)
    choices: tuple[tuple[str, str], ...] = ()  # (title, payload) of the topics to offer


def ranked_intents(ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The intent ranking without the fallback and emergency intents, most likely first."""
    candidates = [entry for entry in ranking if entry.get("name") not in NOT_OFFERED]
    return sorted(candidates, key=lambda entry: entry.get("confidence") or 0.0, reverse=True)


def assess(ranking: list[dict[str, Any]]) -> Assessment:
    pair = ranked_intents(ranking)[:2]
    if (
        len(pair) == 2
        and (pair[1].get("confidence") or 0.0) >= MIN_SECOND_CONFIDENCE
        and all(entry["name"] in TOPIC_TITLES for entry in pair)
    ):
        return Assessment(
            "clarify", tuple((TOPIC_TITLES[entry["name"]], f"/{entry['name']}") for entry in pair)
        )
    return Assessment("deflect")
