"""Retention (storage/retention.py, staff/purge.py): events older than the period are
deleted from Rasa's SQL store, newer ones and SMS opt-outs kept; a wrong setting is refused."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.sms_state import CHOICES_SECONDS, SmsState
from staff import purge
from storage.retention import purge_conversations

DAY = 86400


def store_with_conversations(db: str) -> SQLTrackerStore:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=db)
    now = time.time()
    for sender, ages in {"old": [40, 35], "mixed": [31, 2], "new": [1, 0]}.items():
        tracker = DialogueStateTracker(sender, [])
        for age in ages:
            tracker.update(UserUttered(f"{sender} {age} days ago", timestamp=now - age * DAY))
        asyncio.run(store.save(tracker))
    return store


def texts(store: SQLTrackerStore) -> list[str]:
    with store.session_scope() as session:
        return sorted(row.data.split('"text": "')[1].split('"')[0]
                      for row in session.query(store.SQLEvent).all())


def test_events_older_than_the_period_are_deleted(tmp_path):
    store = store_with_conversations(str(tmp_path / "c.db"))
    assert purge_conversations(store, days=30) == 3
    assert texts(store) == ["mixed 2 days ago", "new 0 days ago", "new 1 days ago"]


def test_make_purge_deletes_from_the_configured_store_and_keeps_opt_outs(
        tmp_path, monkeypatch, capsys):
    db = tmp_path / "conversations.db"
    store = store_with_conversations(str(db))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {
        "type": "storage.conversation_store.ConversationStore", "dialect": "sqlite",
        "db": str(db), "cache_conversations": 1000}}))
    sms = SmsState(tmp_path / "sms.sqlite3")
    sms.opt_out("sms-abc")
    monkeypatch.setenv("SMS_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    assert purge.main(["--endpoints", str(endpoints)]) == 0
    assert "Deleted 3 conversation events older than 30 days." in capsys.readouterr().out
    assert len(texts(store)) == 3
    assert SmsState(tmp_path / "sms.sqlite3").is_opted_out("sms-abc")
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "forever")
    assert purge.main(["--endpoints", str(endpoints)]) == 2


def test_numbered_sms_choices_expire_with_the_hour_they_were_offered_in(tmp_path):
    sms = SmsState(tmp_path / "sms.sqlite3")
    sms.remember_choices("sms-abc", ["/affirm", "/deny"], now=1_000_000)
    assert sms.choices_for("sms-abc", now=1_000_000 + 60) == ["/affirm", "/deny"]
    # A "1" a year later is a new message, not the choice offered then.
    assert sms.choices_for("sms-abc", now=1_000_000 + 365 * 86400) == []
    assert sms.choices_for("sms-abc", now=1_000_000 + CHOICES_SECONDS + 1) == []


def test_choices_kept_by_an_older_release_without_a_time_are_dropped(tmp_path):
    database = tmp_path / "sms.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE sms_choices (sender TEXT PRIMARY KEY, payloads TEXT NOT NULL)")
        db.execute("INSERT INTO sms_choices VALUES ('sms-abc', '[\"/affirm\"]')")
    sms = SmsState(database)
    assert sms.choices_for("sms-abc") == []
    sms.remember_choices("sms-abc", ["/deny"])
    assert sms.choices_for("sms-abc") == ["/deny"]
