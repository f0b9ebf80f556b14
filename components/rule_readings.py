"""The red-flag rules' words beside each message the risk model learns from, kept with it.

The risk model reads each message with the rules' judgments of it (assessment.reader_text).
Working those out runs medspaCy over every message it learns from, a large part of its
training. The risk model keeps them, each under a hash of its message and with a fingerprint of
the rules that made them, so that training again (rasa train --finetune, as the staff studio
publishes) works out only the new messages' words, while the rules are the same.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from components import assessment, triage
from components.risk_model import fingerprint

FILE = "risk-readings.json"


def rules_fingerprint() -> str:
    return fingerprint([triage.RED_FLAGS, triage.CONTEXT_RULES])


def key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class Readings:
    """The rules' words for messages (" zzemergencycurrent", or "" for none), by their hash."""

    def __init__(self, words: dict[str, str] | None = None) -> None:
        self.words = dict(words or {})

    def reader_text(self, text: str) -> str:
        found = self.words.get(key(text))
        if found is None:
            found = assessment.reader_text(text, triage.findings(text))[len(text):]
            self.words[key(text)] = found
        return text + found

    def only(self, texts: list[str]) -> Readings:
        """Without the words of messages no longer learned from."""
        keys = {key(text) for text in texts}
        return Readings({k: words for k, words in self.words.items() if k in keys})

    def save(self, directory: Path) -> None:
        (directory / FILE).write_text(
            json.dumps({"rules": rules_fingerprint(), "words": self.words}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Readings:
        """The saved words, if the rules are still those that made them; else none."""
        try:
            saved = json.loads((directory / FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls()
        if saved.get("rules") != rules_fingerprint() or not isinstance(saved.get("words"), dict):
            return cls()
        return cls({str(k): str(v) for k, v in saved["words"].items()})
