"""The review and the dashboard read a real conversation database (Rasa's `events` table, as the
bot's SQL tracker store writes it): what is shown, grouped and counted, and what never is."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from studio import patient_questions
from studio.patient_questions import Turn, dashboard, key_of, review, turns

NOW = time.time()


def user(sender, text, intent, confidence, days_ago=1.0, channel="rest", entities=()):
    return (sender, "user", NOW - days_ago * 86400, json.dumps({
        "event": "user", "text": text, "input_channel": channel,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence},
                       "entities": [{"entity": e} for e in entities]}}))


@pytest.fixture
def conversations(tmp_path):
    db = tmp_path / "conversations.db"
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                       "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, "
                       "data TEXT)")
    rows = [
        user("a", "do you take medicare", "ask_insurance", 0.41),
        user("b", "do u take medicare?", "ask_insurance", 0.38, channel="sms"),
        user("c", "Do you take Medicare insurance", "nlu_fallback", 0.9),
        user("d", "is there parking", "ask_not_on_page", 0.95),
        user("e", "I'm Jane Doe, call me at 555-201-3344 about parking", "nlu_fallback", 0.9),
        user("f", "what is miss", "ask_what_is_miss", 0.97),
        user("g", "i took all my pills", "report_crisis", 1.0),
        user("h", "my leg went numb and i cant pee", "report_emergency", 1.0),
        user("i", "everything feels pointless lately, what is mig lif", "ask_what_is_miglif",
             0.5, entities=["check_in"]),
        user("j", "old question about parking", "ask_not_on_page", 0.95, days_ago=40),
    ]
    connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                           "(?, ?, ?, ?)", rows)
    connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                       "('b', 'slot', ?, ?)", (NOW - 86400, json.dumps(
                           {"event": "slot", "name": "language", "value": "es"})))
    connection.commit()
    connection.close()
    return db


def test_the_review_groups_alike_questions_and_hides_details(conversations):
    groups = review(turns(conversations, 30)[0], dismissed=set())
    shown = [text for group in groups for text in group.texts]
    assert groups[0].count == 3 and "do you take medicare" in groups[0].texts
    assert groups[0].reasons == {"unsure": 2, "not understood": 1}
    assert "is there parking" in shown  # answered "not on our page"
    assert not any("Jane" in text or "555" in text for text in shown)
    assert any("[phone]" in text for text in shown)
    # Guidance and check-ins are never shown; nor a question older than the window.
    assert not any("pills" in t or "numb" in t or "pointless" in t or "old" in t for t in shown)
    assert "what is miss" not in shown  # answered well


def test_a_question_with_a_hidden_detail_cannot_be_taught(conversations):
    group = next(g for g in review(turns(conversations, 30)[0], set())
                 if any("[phone]" in t for t in g.texts))
    assert not any("[" in text for text in group.teachable)


def test_set_aside_questions_stay_aside(conversations):
    found = turns(conversations, 30)[0]
    first = review(found, set())[0]
    after = review(found, {key_of(text) for text in first.texts})
    assert all(g.key != first.key for g in after)
    assert not any("medicare" in text.lower() for g in after for text in g.texts)


def test_the_dashboard_counts_without_text(conversations):
    found, languages = turns(conversations, 12 * 7)
    figures = dashboard(found, languages, weeks=12)
    assert len(figures.weeks) in (12, 13)
    assert sum(figures.guidance["emergency"]) == 1 and sum(figures.guidance["crisis"]) == 1
    assert figures.questions == 8  # the two guidance messages are counted apart
    assert figures.channels == {"rest": 9, "sms": 1}
    assert figures.languages == {"en": 9, "es": 1}
    assert sum(figures.topics["ask_what_is_miss"]) == 1
    assert "Jane" not in json.dumps(vars(figures)) and "medicare" not in json.dumps(
        vars(figures))


def test_names_the_bot_does_not_have_count_as_other(conversations):
    found, languages = turns(conversations, 30)
    found[0].channel = "<img src=x onerror=alert(1)>"
    figures = dashboard(found, {**languages, "a": "klingon"}, weeks=4)
    assert figures.channels["other"] == 1 and figures.languages["other"] == 1
    assert "klingon" not in json.dumps(vars(figures)) and "img" not in json.dumps(vars(figures))


def test_a_flood_of_distinct_questions_is_cut_to_the_most_asked(monkeypatch):
    monkeypatch.setattr(patient_questions, "MOST_GROUPED", 50)
    syllables = ["ka", "lo", "mi", "tu", "re", "sa", "vo", "ne", "pi", "du"]
    words = [a + b + c for a in syllables for b in syllables for c in syllables]
    flood = [Turn(f"s{n}", NOW, f"{words[n]} {words[-1 - n]}", "nlu_fallback", 0.9, "rest",
                  False) for n in range(400)]
    flood += [Turn("often", NOW, "do you take medicare", "nlu_fallback", 0.9, "rest", False)] * 3
    groups = review(flood, set())
    assert sum(len(group.texts) for group in groups) == 50  # distinct questions
    assert groups[0].shown == "do you take medicare" and groups[0].count == 3
