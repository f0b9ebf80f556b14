"""What a topic file says about a question besides its phrasings: the intent's `metadata:`.

    - intent: ask_telehealth
      metadata:
        title: Telehealth          # offered under this title when the bot is unsure
        title_es: Telesalud        # the same, to a Spanish conversation
        notice_words: [telehealth, virtual, video visit]
                                   # answered from the notice's sentences holding one of them
        sms_keywords: [DELETE]     # a text message of just this word asks this question
      examples: |
        - ...

`skip_when_unsure: true` marks a reading the bot passes over when it is unsure what a message
meant: never offered as a choice, title or not, and the next readings are considered instead
(emergency and crisis reports: their guidance comes only from a red flag happening now; the
follow-up, which stands for the question before it). Any other reading without a title that
ranks in the top two means the bot deflects rather than offer a guess.

On the follow-up intent (data/follow_up.yml), `when_nothing_to_continue`: the question a
follow-up with nothing before it is taken as.

components/topic_importer.py puts each intent's metadata into the domain, and the domain goes
with every call to the action server: the model in use decides, with no restart and no intent
name in the code. Plain Python over the domain as a dict (Domain.as_dict(), or what the
action server receives).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TITLE = "title"
TITLE_ES = "title_es"
NOTICE_WORDS = "notice_words"
SMS_KEYWORDS = "sms_keywords"
NOTHING_TO_CONTINUE = "when_nothing_to_continue"
SKIP_WHEN_UNSURE = "skip_when_unsure"
KNOWN_KEYS = {TITLE, TITLE_ES, NOTICE_WORDS, SMS_KEYWORDS, NOTHING_TO_CONTINUE, SKIP_WHEN_UNSURE}
# The custom action that answers a notice topic (domain.yml, actions/actions.py).
NOTICE_ACTION = "action_fetch_latest_notice"


def how_answered(intent: str, ruled: set[str], responses: set[str],
                 metadata: Mapping[str, Any]) -> str | None:
    """How a topic's question is answered: "rule" (a rule or story of the project names it),
    "answer" (its response utter_<intent>: the topic importer adds the rule), "notice" (its
    notice words: the notice's rule), or None, not at all (`make check` says so)."""
    if intent in ruled:
        return "rule"
    if f"utter_{intent}" in responses:
        return "answer"
    if (metadata or {}).get(NOTICE_WORDS):
        return "notice"
    return None


def intent_metadata(domain: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each intent's metadata, by intent name (intents without any are left out)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in domain.get("intents") or []:
        if not isinstance(entry, Mapping):
            continue
        for name, properties in entry.items():
            metadata = (properties or {}).get("metadata") if isinstance(properties, Mapping) \
                else None
            if isinstance(metadata, Mapping):
                found[name] = dict(metadata)
    return found


def titles(domain: Mapping[str, Any], language: str | None = None) -> dict[str, str]:
    """The title of each topic that may be offered as a choice (a title that is not text is
    none: `make check` reports it); to a Spanish conversation ("es"), its Spanish title where
    it has one."""
    found = {}
    for name, metadata in intent_metadata(domain).items():
        title = metadata.get(TITLE)
        if not isinstance(title, str) or not title.strip() \
                or metadata.get(SKIP_WHEN_UNSURE) is True:
            continue
        spanish = metadata.get(TITLE_ES)
        found[name] = (spanish if language == "es" and isinstance(spanish, str)
                       and spanish.strip() else title).strip()
    return found


def skipped_when_unsure(domain: Mapping[str, Any]) -> set[str]:
    """The readings passed over when the bot is unsure (see the module's docstring)."""
    return {name for name, metadata in intent_metadata(domain).items()
            if metadata.get(SKIP_WHEN_UNSURE) is True}


@dataclass(frozen=True)
class NoticeTopic:
    called: str  # as a reply names it: "our latest update doesn't mention <called>"
    words: tuple[str, ...]

    def mentioned_in(self, sentence: str) -> bool:
        lowered = sentence.lower()
        return any(word in lowered for word in self.words)


def notice_topic(domain: Mapping[str, Any], intent: str | None) -> NoticeTopic | None:
    """The part of the notice a question is about (None: the whole notice)."""
    metadata = intent_metadata(domain).get(intent or "") or {}
    words = tuple(str(word).lower().strip() for word in as_list(metadata.get(NOTICE_WORDS))
                  if str(word).strip())
    if not words:
        return None
    return NoticeTopic(in_a_sentence(str(metadata.get(TITLE) or words[0])), words)


def in_a_sentence(title: str) -> str:
    """A title as it reads inside a sentence: "Elective procedures" -> "elective procedures";
    a name or an abbreviation keeps its capitals ("MIG-LIF", "COVID tests")."""
    title = title.strip().rstrip("?").strip()
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def sms_keywords(domain: Mapping[str, Any]) -> dict[str, str]:
    """Text messages of one word that ask a question: WORD -> intent."""
    return {str(word).strip().upper(): name
            for name, metadata in intent_metadata(domain).items()
            for word in as_list(metadata.get(SMS_KEYWORDS)) if str(word).strip()}


def nothing_to_continue(domain: Mapping[str, Any]) -> str | None:
    """The question a follow-up with nothing before it is taken as."""
    for metadata in intent_metadata(domain).values():
        if isinstance(metadata.get(NOTHING_TO_CONTINUE), str) and metadata[NOTHING_TO_CONTINUE]:
            return metadata[NOTHING_TO_CONTINUE]
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
