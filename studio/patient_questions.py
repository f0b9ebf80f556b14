"""What patients asked, read from the bot's conversations for the studio: the review (questions
the bot was unsure about, deflected or answered "not on our page", redacted and grouped) and the
dashboard's counts (no patient text at all).

The conversations are Rasa's SQL tracker store (endpoints.yml; a SQLite file), read-only. Only
the user turns and the language slot are read; a message that got emergency or crisis guidance
or a check-in is never in the review (it is no FAQ question, and it is the most private thing a
patient writes): it is counted on the dashboard, never shown. Plain Python, no web framework.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from components.safety_net import CHECK_IN_ENTITY, INTENT_OF
from staff.redaction import redact
from staff.review import why_unanswered

# The intents the safety net routes to, and the kind of guidance each gives.
GUIDANCE = {intent: kind for kind, intent in INTENT_OF.items()}
NOT_ON_PAGE = "ask_not_on_page"
# Two questions this alike (cosine of their character n-grams) are one group: "do you take
# medicare" and "do u take medicare?" are; "do you take medicare" and "do you treat scoliosis"
# are not.
ALIKE = 0.5
TAG = "["  # redaction's tags ("[name]"): such a question cannot become a phrasing as it is
MOST_GROUPED = 3000  # distinct questions grouped at most (merge_alike): the most asked
# The dashboard's names for the channels (channels/*.py: name()) and languages
# (components/language.py) the bot has; anything else in the store counts as "other".
CHANNELS = frozenset({"rest", "socketio", "sms", "cmdline", "unknown"})
LANGUAGES = frozenset({"en", "es"})


@dataclass
class Turn:
    conversation: str
    at: float
    text: str
    intent: str | None
    confidence: float
    channel: str
    check_in: bool


@dataclass
class Group:
    texts: Counter[str]  # redacted question -> times asked
    reasons: Counter[str]
    guesses: Counter[str]  # the topic the bot leaned to
    last_seen: float = 0.0
    key: str = ""

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def shown(self) -> str:
        return self.texts.most_common(1)[0][0]

    @property
    def teachable(self) -> list[str]:
        return [text for text, _ in self.texts.most_common() if TAG not in text]


def known(name: str, names: frozenset[str]) -> str:
    """The name if it is one of ours, else "other": the stored events are not trusted."""
    return name if name in names else "other"


def key_of(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:20]


def turns(db: Path, days: int, now: float | None = None) -> tuple[list[Turn], dict[str, str]]:
    """The user turns of the last `days` days, and each conversation's language."""
    since = (now or dt.datetime.now(dt.timezone.utc).timestamp()) - days * 86400
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT sender_id, type_name, timestamp, data FROM events WHERE timestamp >= ? "
            "AND type_name IN ('user', 'slot') ORDER BY timestamp", (since,)).fetchall()
    finally:
        connection.close()
    found, languages = [], {}
    for sender, kind, at, data in rows:
        event = json.loads(data or "{}")
        if kind == "slot":
            if event.get("name") == "language" and event.get("value"):
                languages[sender] = str(event["value"])
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        found.append(Turn(sender, at or 0.0, " ".join(str(event.get("text") or "").split()),
                          intent.get("name"), float(intent.get("confidence") or 0.0),
                          str(event.get("input_channel") or "unknown"),
                          any(e.get("entity") == CHECK_IN_ENTITY
                              for e in parse.get("entities") or [])))
    return found, languages


def reason_of(turn: Turn) -> str | None:
    """Why a question belongs in the review, or None (answered well, or guidance)."""
    if turn.intent in GUIDANCE or turn.check_in or not turn.text or turn.text.startswith("/"):
        return None
    if turn.intent == NOT_ON_PAGE:
        return "not on our page"
    reason = why_unanswered({"intent": {"name": turn.intent, "confidence": turn.confidence},
                             "text": turn.text})
    return reason.split(" (")[0] if reason else None


def review(found: list[Turn], dismissed: set[str]) -> list[Group]:
    """The questions to review, redacted, grouped by likeness, biggest group first."""
    asked: dict[str, Group] = {}
    for turn in found:
        reason = reason_of(turn)
        if reason is None:
            continue
        text = redact(turn.text)
        if key_of(text) in dismissed:
            continue
        group = asked.setdefault(text.lower(), Group(Counter(), Counter(), Counter()))
        group.texts[text] += 1
        group.reasons[reason] += 1
        if turn.intent:
            group.guesses[turn.intent] += 1
        group.last_seen = max(group.last_seen, turn.at)
    groups = merge_alike(sorted(asked.values(), key=lambda g: -g.count))
    for group in groups:
        group.key = key_of(group.shown)
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen))


def merge_alike(singles: list[Group]) -> list[Group]:
    """Each question joins the first (biggest) group it is ALIKE to, or starts its own.

    Each is compared with the groups so far, never all with all (no n x n matrix): time grows
    with questions x groups, so a flood of distinct messages is cut to the MOST_GROUPED most
    asked; the rest are left out of the review."""
    singles = singles[:MOST_GROUPED]
    if len(singles) < 2:
        return singles
    # Rows of unit length: a row times another is their cosine likeness.
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                              strip_accents="unicode").fit_transform(g.shown for g in singles)
    leaders: list[int] = []
    merged: dict[int, Group] = {}
    for index, single in enumerate(singles):
        leader = None
        if leaders:
            likeness = (vectors[leaders] @ vectors[index].T).toarray().ravel()
            alike = np.flatnonzero(likeness >= ALIKE)
            leader = leaders[alike[0]] if len(alike) else None
        if leader is None:
            leaders.append(index)
            merged[index] = single
            continue
        group = merged[leader]
        group.texts.update(single.texts)
        group.reasons.update(single.reasons)
        group.guesses.update(single.guesses)
        group.last_seen = max(group.last_seen, single.last_seen)
    return list(merged.values())


@dataclass
class Dashboard:
    weeks: list[str]  # ISO weeks, oldest first ("2026-W48")
    topics: dict[str, list[int]]  # topic -> questions a week (the most asked, then "other")
    outcomes: dict[str, list[float]] = field(default_factory=dict)  # share of questions a week
    guidance: dict[str, list[int]] = field(default_factory=dict)  # emergency, crisis a week
    channels: dict[str, int] = field(default_factory=dict)  # conversations
    languages: dict[str, int] = field(default_factory=dict)
    questions: int = 0


def week_of(at: float) -> str:
    year, week, _ = dt.datetime.fromtimestamp(at, dt.timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


def dashboard(found: list[Turn], languages: dict[str, str], weeks: int,
              now: float | None = None, most: int = 8) -> Dashboard:
    now = now or dt.datetime.now(dt.timezone.utc).timestamp()
    labels = sorted({week_of(now - 7 * 86400 * back) for back in range(weeks)})
    slot = {label: index for index, label in enumerate(labels)}
    per_topic: dict[str, list[int]] = defaultdict(lambda: [0] * len(labels))
    outcome_counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(labels))
    guidance: dict[str, list[int]] = {kind: [0] * len(labels) for kind in GUIDANCE.values()}
    totals = [0] * len(labels)
    channels: dict[str, set[str]] = defaultdict(set)
    for turn in found:
        index = slot.get(week_of(turn.at))
        if index is None or not turn.text or turn.text.startswith("/"):
            continue
        channels[known(turn.channel, CHANNELS)].add(turn.conversation)
        if turn.intent in GUIDANCE:
            guidance[GUIDANCE[turn.intent]][index] += 1
            continue
        totals[index] += 1
        reason = reason_of(turn)
        outcome = {"not on our page": "not on our page", None: "answered"}.get(reason, "unsure")
        outcome_counts[outcome][index] += 1
        if outcome == "answered" and turn.intent:
            per_topic[turn.intent][index] += 1
    ranked = sorted(per_topic, key=lambda name: -sum(per_topic[name]))
    topics = {name: per_topic[name] for name in ranked[:most]}
    if len(ranked) > most:
        topics["other"] = [sum(per_topic[name][i] for name in ranked[most:])
                           for i in range(len(labels))]
    conversations = {turn.conversation for turn in found}
    return Dashboard(
        labels, topics,
        outcomes={name: [round(100 * counts[i] / totals[i], 1) if totals[i] else 0.0
                         for i in range(len(labels))]
                  for name in ("answered", "unsure", "not on our page")
                  for counts in [outcome_counts[name]]},
        guidance=guidance,
        channels={name: len(senders) for name, senders in channels.items()},
        languages=dict(Counter(known(languages.get(c, "en"), LANGUAGES)
                               for c in conversations)),
        questions=sum(totals))
