"""What the bot says: facts from the practice page only, in plain language, one phone number."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import textstat

from tests.content import all_variations, domain, practice_page, responses

ROOT = Path(__file__).resolve().parent.parent
PHONE = "501-661-0077"
# US school grade (Flesch-Kincaid) that patient answers must not pass.
MAX_GRADE = 8.0
# Numbers the bot may say that are not on the practice page, and why.
NUMBERS_NOT_ON_PAGE = {
    "911": "emergency number",
    "988": "Suicide & Crisis Lifeline",
    "3": "75 mm, said as about 3 inches",
}
# Sample values for response variables, to read a response as a patient would.
SAMPLE_VALUES = {
    "practice_phone": PHONE,
    "practice_name": "The Legacy Team",
    "condition_on_page": "herniated discs",
    "condition_name": "Sciatica",
    "notice_date": "April 30, 2020",
    "notice_quote": "We will continue to see patients via telehealth for office visits.",
    "notice_topic": "telehealth",
    "clarify_first_title": "Recovery time",
    "clarify_second_title": "Hospital stay",
}


def as_read(text: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: SAMPLE_VALUES[match.group(1)], text)


def grade(text: str) -> float:
    """Reading grade of a response. A list line of a few words with no full stop is a name
    (a condition on the page's list), not a sentence; other lines count as sentences."""
    sentences = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("• ")
        if len(line.split()) <= 5 and line[-1:] not in ".!?":
            continue
        if line:
            sentences.append(line if line[-1] in ".!?:" else line + ".")
    return textstat.flesch_kincaid_grade(" ".join(sentences))


RESPONSES = responses()
VARIATIONS = {name: variation["text"] for name, variation in all_variations().items()}


def test_phone_number_is_written_in_one_place_only():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    holders = [
        path for path in tracked
        if not path.startswith("tests/") and PHONE in (ROOT / path).read_text(errors="ignore")
    ]
    assert holders == ["domain.yml"]
    phone_slot = next(slot for slot in domain().slots if slot.name == "practice_phone")
    assert phone_slot.initial_value == PHONE
    assert PHONE in practice_page()


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_response_is_plain_language(name):
    assert grade(as_read(VARIATIONS[name])) <= MAX_GRADE, as_read(VARIATIONS[name])


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_every_number_in_a_response_is_on_the_practice_page(name):
    page_numbers = set(re.findall(r"\d+", practice_page()))
    for number in re.findall(r"\d+", as_read(VARIATIONS[name])):
        assert number in page_numbers or number in NUMBERS_NOT_ON_PAGE, (name, number)


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
