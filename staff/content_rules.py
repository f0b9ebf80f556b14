"""Rules every answer must follow, shared by `make check` and the tests."""

from __future__ import annotations

import re

import textstat

from practice.facts import (
    bundled_notice,
    date_label,
    figures,
    measures,
    numbers,
    practice_name,
    practice_phone,
)

# US school grade (Flesch-Kincaid) that patient answers must not pass.
MAX_GRADE = 8.0
# The Spanish answers' reading ease (Fernández Huerta, 0-100, higher is easier) must reach
# this: 60-70 is "normal" on its scale, read by 7th and 8th graders, the same grade 8 as above.
MIN_SPANISH_EASE = 60.0
SPANISH = "es"
# Every answer must fit in this many SMS segments by text message.
MAX_SMS_SEGMENTS = 2
# Sample values for response variables, to read an answer as a patient would.
SAMPLE_VALUES = {
    "practice_phone": practice_phone(),
    "practice_name": practice_name(),
    "condition_on_page": "herniated discs",
    "condition_name": "Sciatica",
    "notice_date": date_label(bundled_notice()["published"]),
    "notice_quote": "We will continue to see patients via telehealth for office visits.",
    "notice_topic": "telehealth",
    "clarify_first_title": "Recovery time",
    "clarify_first_payload": "/ask_recovery_time",
    "clarify_second_title": "Hospital stay",
    "clarify_second_payload": "/ask_hospital_stay",
    # utter_nearest_topic: a topic's title, as words in a sentence.
    "topic": "our surgeons",
    # utter_ask_on_its_own: a further question, in the patient's words.
    "asked": "are video visits still happening",
    # utter_sms_choices: the numbered choices the SMS channel writes in (as words here: the
    # numbers are not facts to check).
    "choices": "one for Recovery time, two for Hospital stay",
}
PHONE_NUMBER = re.compile(r"\(?\b\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}\b")
PRICE = re.compile(r"\$\s?\d|\b\d+\s?(dollars|usd)\b", re.IGNORECASE)
WEB_ADDRESS = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(com|org|net|gov|edu)\b", re.IGNORECASE)


def with_sample_values(text: str) -> str:
    """The answer with its {variables} filled in with sample values."""
    return re.sub(r"\{(\w+)\}", lambda match: SAMPLE_VALUES.get(match.group(1), "it"), text)


def grade(text: str) -> float:
    """Reading grade of an answer. A list line of a few words with no full stop is a name
    (a condition on the page's list), not a sentence; other lines count as sentences."""
    sentences = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("• ")
        if len(line.split()) <= 5 and line[-1:] not in ".!?":
            continue
        if line:
            sentences.append(line if line[-1] in ".!?:" else line + ".")
    return textstat.flesch_kincaid_grade(" ".join(sentences)) if sentences else 0.0


def language_of(variation: dict) -> str | None:
    """The language a response variation is in: "es" when its condition says so, else None
    (English, the page's language)."""
    for condition in variation.get("condition") or []:
        if isinstance(condition, dict) and condition.get("name") == "language":
            return str(condition.get("value"))
    return None


def spanish_ease(text: str) -> float:
    """Fernández Huerta reading ease of a Spanish answer (lines read as grade() reads them)."""
    sentences = [line if line[-1] in ".!?:" else line + "."
                 for line in (raw.strip().lstrip("• ") for raw in text.splitlines())
                 if line and not (len(line.split()) <= 5 and line[-1:] not in ".!?")]
    if not sentences:
        return 100.0
    textstat.set_lang(SPANISH)
    try:
        return textstat.fernandez_huerta(" ".join(sentences))
    finally:
        textstat.set_lang("en")


def facts_not_known(text: str) -> list[str]:
    """Phone numbers, prices, web addresses and numbers in an answer that the practice's facts
    (practice/facts.yml) do not give. The practice's own number must be written
    {practice_phone}."""
    problems = []
    for number in PHONE_NUMBER.findall(text):
        problems.append(f"the phone number {number} (write {{practice_phone}} for ours)")
    for match in PRICE.finditer(text):
        problems.append(f"a price ({match.group(0)}...): the practice gives no prices")
    for match in WEB_ADDRESS.finditer(text):
        problems.append(f"the web address {match.group(0)}: the practice gives none")
    read = PHONE_NUMBER.sub("", with_sample_values(text))
    for number in re.findall(r"\d+", read):
        if number not in numbers():
            problems.append(f"the number {number}, which is not in practice/facts.yml")
    for number, unit in sorted(measures(read) - figures()):
        if number in numbers():  # else reported above
            problems.append(f"\"{number} {unit}\", which practice/facts.yml does not give")
    return problems


def shown_text(variation: dict) -> str | None:
    """What the patient reads: the text, or a card's (the notice: custom.notice)."""
    text = variation.get("text")
    if isinstance(text, str) and text.strip():
        return text
    card = (variation.get("custom") or {}).get("notice") \
        if isinstance(variation.get("custom"), dict) else None
    if isinstance(card, dict):
        return "\n".join(str(card.get(part) or "") for part in ("heading", "text")).strip() or None
    return None
