"""What the bot says: the practice's facts only, in plain language, one phone number."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness.content import all_variations, domain, responses
from staff.content_rules import (
    MAX_GRADE,
    MIN_SPANISH_EASE,
    SAMPLE_VALUES,
    SPANISH,
    facts_not_known,
    grade,
    language_of,
    shown_text,
    spanish_ease,
    with_sample_values,
)

ROOT = Path(__file__).resolve().parent.parent
PHONE = SAMPLE_VALUES["practice_phone"]


RESPONSES = responses()
# What the patient reads of each variation (its text, or its card's words).
VARIATIONS = {name: shown_text(variation) for name, variation in all_variations().items()
              if shown_text(variation)}
SPANISH_VARIATIONS = {name for name, variation in all_variations().items()
                      if language_of(variation) == SPANISH}


def test_phone_number_is_written_in_one_place_only():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    holders = [
        path for path in tracked
        if not path.startswith("tests/") and PHONE in (ROOT / path).read_text(errors="ignore")
    ]
    assert holders == ["practice/facts.yml"]
    # Answers get it from there: the importer fills the slot domain.yml declares.
    phone_slot = next(slot for slot in domain().slots if slot.name == "practice_phone")
    assert phone_slot.initial_value == PHONE


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_response_is_plain_language(name):
    if name in SPANISH_VARIATIONS:
        # Spanish is read with a Spanish formula (Fernández Huerta), issue 24.
        text = with_sample_values(VARIATIONS[name])
        assert spanish_ease(text) >= MIN_SPANISH_EASE, VARIATIONS[name]
    else:
        text = with_sample_values(VARIATIONS[name])
        assert grade(text) <= MAX_GRADE, text


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_every_number_in_a_response_is_one_of_the_practices_facts(name):
    assert facts_not_known(VARIATIONS[name]) == []


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_response_has_no_markup_or_links_to_elsewhere(name):
    text = VARIATIONS[name]
    assert not re.search(r"<[a-z/]|\*\*|https?://|www\.|\$\d", text), name


def test_every_answer_about_what_the_page_does_not_say_gives_the_phone_number():
    for name in ["utter_ask_cost", "utter_ask_insurance", "utter_ask_location", "utter_ask_hours",
                 "utter_ask_brace", "utter_ask_physical_therapy", "utter_ask_candidacy",
                 "utter_condition_not_listed", "utter_default", "utter_ask_medical_advice",
                 "utter_notice_no_mention", "utter_notice_unavailable"]:
        assert "{practice_phone}" in RESPONSES[name], name


def test_emergency_answers_send_patients_to_emergency_care():
    assert "911" in RESPONSES["utter_report_emergency"]
    assert "988" in RESPONSES["utter_report_crisis"]
    assert "911" in RESPONSES["utter_ask_medical_advice"]
