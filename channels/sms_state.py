"""What the SMS channel must remember across requests and restarts, in SQLite.

Numbers are never stored: every key is the keyed hash the channel uses as the sender id.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from components.private_files import private_file

# A retried webhook arrives within minutes; a day of answered message ids is plenty.
PROCESSED_RETENTION_SECONDS = 24 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS opt_outs (sender TEXT PRIMARY KEY, since REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answered (message_sid TEXT PRIMARY KEY, twiml TEXT NOT NULL,
                                     at REAL NOT NULL, sender TEXT);
CREATE TABLE IF NOT EXISTS choices (sender TEXT PRIMARY KEY, payloads TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claimed (message_sid TEXT PRIMARY KEY, at REAL NOT NULL, sender TEXT);
CREATE TABLE IF NOT EXISTS notified (sender TEXT PRIMARY KEY, at REAL NOT NULL);
"""
# Columns added since the first release, for databases made before them.
ADDED_COLUMNS = {"answered": "sender TEXT", "claimed": "sender TEXT"}


class SmsState:
    """Opt-outs, answered message ids, pending numbered choices, and which conversations
    were given the privacy notice."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(str(private_file(path)), check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        for table, column in ADDED_COLUMNS.items():
            names = [row[1] for row in self._db.execute(f"PRAGMA table_info({table})")]
            if column.split()[0] not in names:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, *args: object) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def is_opted_out(self, sender: str) -> bool:
        return bool(self._run("SELECT 1 FROM opt_outs WHERE sender = ?", sender))

    def opt_out(self, sender: str) -> None:
        self._run("INSERT OR IGNORE INTO opt_outs VALUES (?, ?)", sender, time.time())

    def opt_in(self, sender: str) -> None:
        self._run("DELETE FROM opt_outs WHERE sender = ?", sender)

    def claim(self, message_sid: str, sender: str) -> bool:
        """True for the first delivery of a message id only, however many arrive at once:
        one atomic insert decides, before the bot is asked."""
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO claimed VALUES (?, ?, ?)",
                                      (message_sid, time.time(), sender))
            return cursor.rowcount == 1

    def answer_for(self, message_sid: str) -> str | None:
        rows = self._run("SELECT twiml FROM answered WHERE message_sid = ?", message_sid)
        return rows[0][0] if rows else None

    def remember_answer(self, message_sid: str, twiml: str, sender: str) -> None:
        now = time.time()
        self._run("INSERT OR REPLACE INTO answered VALUES (?, ?, ?, ?)", message_sid, twiml, now,
                  sender)
        self.expire_answers(now)

    def expire_answers(self, now: float | None = None) -> None:
        """Forget answered message ids older than a day (their replies are health data)."""
        cutoff = (time.time() if now is None else now) - PROCESSED_RETENTION_SECONDS
        self._run("DELETE FROM answered WHERE at < ?", cutoff)
        self._run("DELETE FROM claimed WHERE at < ?", cutoff)

    def expire_conversations(self, days: int, now: float | None = None) -> None:
        """With the conversations themselves (components/retention.py): a number not heard
        from for `days` gets the privacy notice again. Opt-outs are kept."""
        cutoff = (time.time() if now is None else now) - days * 86400
        self._run("DELETE FROM notified WHERE at < ?", cutoff)
        self.expire_answers(now)

    def first_message(self, sender: str) -> bool:
        """True once per conversation: whether it still needs the privacy notice."""
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO notified VALUES (?, ?)",
                                      (sender, time.time()))
            return cursor.rowcount == 1

    def forget(self, sender: str) -> None:
        """Everything kept for this number, but its opt-out ("forget me"; STOP still holds)."""
        for table in ("answered", "claimed", "choices", "notified"):
            self._run(f"DELETE FROM {table} WHERE sender = ?", sender)

    def choices_for(self, sender: str) -> list[str]:
        rows = self._run("SELECT payloads FROM choices WHERE sender = ?", sender)
        return json.loads(rows[0][0]) if rows else []

    def remember_choices(self, sender: str, payloads: list[str]) -> None:
        if payloads:
            self._run("INSERT OR REPLACE INTO choices VALUES (?, ?)", sender, json.dumps(payloads))
        else:
            self._run("DELETE FROM choices WHERE sender = ?", sender)
