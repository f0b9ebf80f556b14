"""`make review` reads Rasa's own SQL tracker store (SQLite) and lists what went unanswered."""

from __future__ import annotations

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.content import domain
from staff.review import main, redact, report, unanswered_questions


def said(text: str, intent: str, confidence: float, at: float) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": confidence}, timestamp=at)


def store_conversations(db, conversations: dict) -> None:
    store = SQLTrackerStore(domain(), dialect="sqlite", db=str(db))
    for sender, events in conversations.items():
        tracker = DialogueStateTracker.from_events(sender, events)
        asyncio.run(store.save(tracker))


def test_unanswered_questions_grouped_counted_newest_first_and_redacted(tmp_path, capsys):
    db = tmp_path / "conversations.db"
    now = time.time()
    store_conversations(db, {
        "web-1": [said("how long is recovery", "ask_recovery_time", 0.98, now - 300),
                  said("Is there parking at the hospital?", "nlu_fallback", 0.4, now - 200)],
        "sms-2": [said("is there parking at the hospital", "nlu_fallback", 0.45, now - 100),
                  said("my appt is 12/03, call me at 501-555-0199 or a@b.com", "out_of_scope",
                       0.9, now - 50)],
        "web-3": [said("do you do acupuncture", "ask_what_is_miss", 0.52, now - 10),
                  said("/ask_recovery_time", "ask_recovery_time", 0.3, now - 5)],
    })
    found = unanswered_questions(db)
    assert [(f.text, f.count) for f in found] == [
        ("do you do acupuncture", 1),
        ("my appt is [date], call me at [phone] or [e-mail]", 1),
        ("Is there parking at the hospital?", 2),
    ]
    assert main(["--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2x  Is there parking at the hospital?    [not understood]" in out
    assert "501-555-0199" not in out and "a@b.com" not in out


def test_no_conversations_yet_is_said_plainly(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "missing.db")]) == 0
    assert "No conversations yet" in capsys.readouterr().out


def test_redaction_of_dates_in_words():
    assert redact("surgery on March 3rd, 2026 or April 30") == "surgery on [date] or [date]"


def test_review_shows_no_name_address_zip_record_or_insurance_number(tmp_path, capsys):
    db = tmp_path / "conversations.db"
    now = time.time()
    messages = [
        "Hi, this is Maria Garcia-Lopez calling, can my wife Susan come in with me?",
        "I'm John Smith, MRN 00123456, is my MIG-LIF at L4-L5 still on?",
        "do you bill my insurance? member ID XJH123456789, group #12345",
        "send the forms to 123 N Main St Apt 4, Little Rock AR 72201 thanks, Bob",
        "Dr. Patel said 6-8 weeks, my policy number 998877, call 501-555-0199",
        "my name is jane doe, PO Box 12, 72032, jane.doe@example.com",
    ]
    store_conversations(db, {f"web-{i}": [said(text, "nlu_fallback", 0.3, now - 60 + i)]
                             for i, text in enumerate(messages)})
    shown = report(unanswered_questions(db), limit=50)
    assert main(["--db", str(db)]) == 0
    shown += capsys.readouterr().out
    personal = ["Maria", "Garcia", "Lopez", "Susan", "John", "Smith", "00123456", "XJH123456789",
                "12345", "123 N Main", "Little Rock", "72201", "Bob", "Patel", "998877",
                "501-555-0199", "jane doe", "Box 12", "72032", "example.com"]
    assert [detail for detail in personal if detail.lower() in shown.lower()] == []
    for kept in ["MIG-LIF at L4-L5", "6-8 weeks", "do you bill my insurance?", "[name]",
                 "[address]", "[zip]", "[record number]", "[insurance number]"]:
        assert kept in shown
