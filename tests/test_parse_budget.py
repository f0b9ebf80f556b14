"""What the NLU reads of a message (components/parse_budget.py) and the red-flag matchers'
cost (components/triage.py): bounded work per message, and nothing a patient wrote in words is
lost on the way. The cost itself is measured by `make bench-parse`, not asserted here."""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml
from medspacy.common import medspacy_matcher
from medspacy.common.regex_matcher import RegexMatcher

from components import triage
from components.parse_budget import KEPT_SYMBOLS, MAX_MARKS, parse_text


@pytest.mark.parametrize("text, expected", [
    ("$" * 1000, "$$$"),
    ("help!!!!!!!!!!!! i cant feel my legs", "help!!! i cant feel my legs"),
    ("🦴" * 400 + " how long is recovery?", "🦴🦴🦴 how long is recovery?"),
    ("how\u200b long\u202e is\ufeff recovery", "how long is recovery"),
    ("what is MISS?", "what is MISS?"),
    ("it costs $1,000 --- or so", "it costs $1,000 --- or so"),
])
def test_what_carries_no_words_is_cut_short(text, expected):
    assert parse_text(text) == expected


def test_stacked_accents_keep_a_few_marks_and_every_letter():
    zalgo = "pa" + "\u0301" * 300 + "in"
    read = parse_text(zalgo)
    assert re.sub(r"[\u0300-\u036f]", "", unicodedata.normalize("NFD", read)) == "pain"
    assert len(read) <= len("pain") + MAX_MARKS
    assert parse_text("café dolor de espalda") == "café dolor de espalda"


def test_every_letter_and_digit_survives_whatever_surrounds_it():
    text = "".join(f"{word}{'#' * 30}{'😀' * 20}" for word in ("numb", "groin", "since", "6am"))
    read = parse_text(text)
    assert re.findall(r"\w+", read) == ["numb", "groin", "since", "6am"]
    assert read.count("#") == 4 * KEPT_SYMBOLS and "😀" not in read


MESSAGES = [
    "since this morning I can't control my bladder and my groin is numb",
    "I'm NOT SUICIDAL, just asking about recovery",
    "My husband FELL and can't move his legs. He had a fusion in 2019.",
    "İ fell and hit my head, now my face is drooping on one side",
    "no fever, no chills, the incision looks fine. is driving ok?",
    "wrote letters to my kids tonight. im going to kill myself",
    ("I had my fusion two weeks ago and it went fine. " * 12)
    + "Since this morning I can't feel my legs.",
]


def test_the_faster_matchers_find_exactly_what_medspacys_own_find(monkeypatch):
    fast = triage.build_pipeline()
    monkeypatch.setattr(medspacy_matcher, "RegexMatcher", RegexMatcher)
    medspacys_own = triage.build_pipeline()
    for text in MESSAGES:
        assert triage.findings(text, fast) == triage.findings(text, medspacys_own), text
    assert triage.judge(triage.findings(MESSAGES[-1], fast)) == "emergency"


def test_the_red_flag_patterns_are_lower_case_as_the_matchers_read_text():
    flags = yaml.safe_load(triage.RED_FLAGS.read_text(encoding="utf-8"))
    context = yaml.safe_load(triage.CONTEXT_RULES.read_text(encoding="utf-8"))
    patterns = [p for kind in triage.KINDS for p in flags[kind]]
    patterns += [rule["pattern"] for rule in context["rules"] if rule.get("pattern")]
    for pattern in patterns:
        assert not re.search(r"[A-Z]", re.sub(r"\\[A-Za-z]", "", pattern)), pattern
