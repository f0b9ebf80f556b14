"""`make review`: what patients asked that the bot could not answer well, for staff.

Reads the conversations the bot keeps (the SQL tracker store of endpoints.yml, a SQLite file)
and lists the messages that ended in the fallback, were out of scope, or were understood
with low confidence: grouped, counted, newest first, with names, addresses, ZIP codes, phone,
record and insurance numbers, e-mail addresses and dates taken out (staff/redaction.py).
Staff copy good ones into a topic file as example questions.

Usage: python -m staff.review [--db FILE] [--limit 50]   (FILE: endpoints.yml's tracker store)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from components.intent_ranking import FALLBACK_INTENT
from services.endpoints import endpoint
from staff.redaction import redact

# Rasa's SQL store as endpoints.yml may name it: Rasa's own, or the project's (a cache on top).
SQL_STORES = {"SQL", "sql", "storage.conversation_store.ConversationStore"}

ROOT = Path(__file__).resolve().parent.parent
# Below this the bot was guessing, even when it answered.
LOW_CONFIDENCE = 0.7
UNANSWERED_INTENTS = {FALLBACK_INTENT: "not understood", "out_of_scope": "out of scope"}

@dataclass
class UnansweredQuestion:
    text: str
    count: int
    last_seen: float
    reasons: set[str]


def why_unanswered(parse: dict) -> str | None:
    intent = (parse.get("intent") or {})
    name, confidence = intent.get("name"), intent.get("confidence") or 0.0
    if name in UNANSWERED_INTENTS:
        return UNANSWERED_INTENTS[name]
    if name and confidence < LOW_CONFIDENCE and not str(parse.get("text", "")).startswith("/"):
        return f"unsure ({name}, {confidence:.0%})"
    return None


def configured_db(project: Path = ROOT) -> Path | None:
    """The SQLite file of the tracker store in the project's endpoints.yml (relative to the
    project, where the bot runs); None for another kind of store."""
    store = endpoint("tracker_store", project / "endpoints.yml")
    if str(store.get("type", "")) not in SQL_STORES or store.get("dialect") != "sqlite":
        return None
    return project / str(store.get("db", "rasa.db"))


def unanswered_questions(db: Path) -> list[UnansweredQuestion]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT timestamp, data FROM events WHERE type_name = 'user' ORDER BY timestamp"
        ).fetchall()
    finally:
        connection.close()
    grouped: dict[str, UnansweredQuestion] = {}
    for timestamp, data in rows:
        event = json.loads(data or "{}")
        reason = why_unanswered(event.get("parse_data") or {})
        text = " ".join(str(event.get("text") or "").split())
        if reason is None or not text:
            continue
        shown = redact(text)
        key = shown.lower().strip(" ?!.")
        question = grouped.setdefault(key, UnansweredQuestion(shown, 0, 0.0, set()))
        question.count += 1
        question.last_seen = max(question.last_seen, timestamp or 0.0)
        question.reasons.add(reason.split(" (")[0])
    return sorted(grouped.values(), key=lambda f: f.last_seen, reverse=True)


def report(found: list[UnansweredQuestion], limit: int) -> str:
    if not found:
        return "No unanswered questions. (Patients' questions appear here after `make run`.)"
    lines = [f"{len(found)} question(s) the bot could not answer well, newest first:", ""]
    for question in found[:limit]:
        reasons = ", ".join(sorted(question.reasons))
        lines.append(f"{question.count:>4}x  {question.text}    [{reasons}]")
    if len(found) > limit:
        lines.append(f"... and {len(found) - limit} more (--limit to see them).")
    lines += ["", "To teach the bot: copy a question into the examples of the right topic in "
              "data/topics/, or start a new topic (docs/staff-guide.md)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)
    args.db = args.db or configured_db()
    if args.db is None:
        print("endpoints.yml keeps conversations in a store other than a SQLite file: "
              "give the file with --db.")
        return 1
    if not args.db.exists():
        print(f"No conversations yet: {args.db} does not exist (`make run` creates it).")
        return 0
    try:
        print(report(unanswered_questions(args.db), args.limit))
    except sqlite3.DatabaseError as error:
        print(f"Cannot read the conversations in {args.db}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
