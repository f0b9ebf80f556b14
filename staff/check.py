"""`make check`: check the FAQ topic files the way a careful colleague would, in plain words.

Fast (no training). Every problem names the file and line to fix. Every answer the bot can
give is checked — the topic files' and domain.yml's, the channels' own messages too
(data/topics/bot_messages.yml) — and so is what a topic file says about its questions
(`metadata:` titles, notice words, SMS keywords; components/topic_metadata.py). Then Rasa's own
checks run (staff/rasa_checks.py). Exit status 1 when anything must be fixed, 0 when all is
well.

Usage: python -m staff.check [--skip-rasa] [FOLDER]     (FOLDER defaults to data/topics)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz

from channels.responses import SMS_CHOICES
from channels.sms_format import CARRIER_KEYWORDS, CHOICES_TEMPLATE, compose, segments
from components import topic_metadata
from staff.content_rules import (
    MAX_GRADE,
    MAX_SMS_SEGMENTS,
    MIN_SPANISH_EASE,
    SPANISH,
    facts_not_known,
    grade,
    language_of,
    shown_text,
    spanish_ease,
    with_sample_values,
)
from staff.problems import Problem
from staff.rasa_checks import rasa_findings
from staff.topic_files import Located, Topic, parse, read_topic, read_topics

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "data" / "topics"
# Fewer than this and the bot cannot learn a topic; the guide asks for about 20.
MIN_EXAMPLES = 10
# Words that do not tell topics apart: examples that differ only by these are "the same".
FILLER = set("a an the please pls ok okay so um uh hi hey hello just really actually and also "
             "well".split())
# Two questions in two topics this alike (rapidfuzz ratio, 0-100) differ by a typo or two.
NEAR_DUPLICATE_RATIO = 95
# A title is a button (web) or a numbered choice (SMS): a few words.
MAX_TITLE_CHARS = 30


def normalised(example: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", example.lower()))


def reduced(example: str) -> str:
    return " ".join(word for word in normalised(example).split() if word not in FILLER)


# --- the example questions ------------------------------------------------------------------

def too_few_examples(topics: list[Topic]) -> list[Problem]:
    return [Problem(topic.path, examples[0].line if examples else topic.intent_lines[intent], (
        f"The topic '{intent}' has {len(examples)} example questions; it needs at least "
        f"{MIN_EXAMPLES} (about 20 is best), written the way patients really ask."))
        for topic in topics for intent, examples in topic.examples.items()
        if len(examples) < MIN_EXAMPLES]


def questions_in_two_topics(topics: list[Topic]) -> list[Problem]:
    """The same question (or the same but for filler words, or a typo) under two topics."""
    problems = []
    seen: dict[str, tuple[str, Path, int]] = {}
    alike: list[tuple[str, str, Path, int]] = []
    for topic in topics:
        for intent, examples in topic.examples.items():
            for example in examples:
                key = normalised(example.value)
                if key in seen and seen[key][0] != intent:
                    other_intent, other_path, other_line = seen[key]
                    problems.append(Problem(topic.path, example.line, (
                        f"The question \"{example.value}\" is also under '{other_intent}' "
                        f"({other_path.name}:{other_line}). Keep it under one topic only.")))
                seen.setdefault(key, (intent, topic.path, example.line))
                if seen[key][0] == intent:  # a repeat across topics is reported above
                    alike.append((intent, reduced(example.value), topic.path, example.line))
    by_text: dict[str, tuple[str, Path, int]] = {}
    for intent, text, path, line in alike:
        if len(text) < 4 or seen.get(text, (intent,))[0] != intent:
            continue  # too short to judge, or already reported as the same question
        match = by_text.get(text)
        if match and match[0] != intent:
            problems.append(Problem(path, line, almost_the_same(match[0], match[1], match[2])))
        by_text.setdefault(text, (intent, path, line))
    return problems + near_duplicates(alike)


def almost_the_same(intent: str, path: Path, line: int) -> str:
    return (f"This question is almost the same as one under '{intent}' ({path.name}:{line}), "
            "so the bot will mix up the two topics. Reword it or remove one of them.")


def near_duplicates(alike: list[tuple[str, str, Path, int]]) -> list[Problem]:
    """Questions in two topics that differ by a typo or two."""
    problems = []
    long_ones = [entry for entry in alike if len(entry[1]) > 12]
    for index, (intent, text, path, line) in enumerate(long_ones):
        for other_intent, other_text, other_path, other_line in long_ones[index + 1:]:
            if other_intent == intent or other_text == text:
                continue
            if abs(len(text) - len(other_text)) > 3:
                continue
            # rapidfuzz, not difflib: tens of thousands of pairs, compared in C.
            if fuzz.ratio(text, other_text, score_cutoff=NEAR_DUPLICATE_RATIO):
                problems.append(Problem(other_path, other_line,
                                        almost_the_same(intent, path, line)))
    return problems


# --- what answers each question --------------------------------------------------------------

def unanswered_topics(topics: list[Topic], shared_answers: set[str]) -> list[Problem]:
    """Topics with no answer: no utter_<intent>, no rule of their own, no notice words."""
    answers = shared_answers | {name for topic in topics for name in topic.answers}
    ruled = {intent for topic in topics for intent in topic.rule_intents}
    return [Problem(topic.path, topic.intent_lines[intent], (
        f"The topic '{intent}' has no answer. Add one under 'responses:' named "
        f"utter_{intent}."))
        for topic in topics for intent in topic.examples
        if topic_metadata.how_answered(intent, ruled, answers,
                                       topic.metadata.get(intent, {})) is None]


# --- what a topic file says about its questions (metadata) -----------------------------------

def metadata_problems(topics: list[Topic]) -> list[Problem]:
    problems = []
    titled: dict[str, tuple[str, Path, int]] = {}
    titled_es: dict[str, tuple[str, Path, int]] = {}
    keywords: dict[str, tuple[str, Path, int]] = {}
    intents = {intent for topic in topics for intent in topic.examples}
    fallbacks = []
    for topic in topics:
        for intent, metadata in topic.metadata.items():
            if topic_metadata.NOTHING_TO_CONTINUE in metadata:
                fallbacks.append(metadata[topic_metadata.NOTHING_TO_CONTINUE])
                problems += nothing_to_continue_problems(
                    topic.path, metadata[topic_metadata.NOTHING_TO_CONTINUE], intents, fallbacks)
            skip = metadata.get(topic_metadata.SKIP_WHEN_UNSURE)
            if skip is not None and not isinstance(skip.value, bool):
                problems.append(Problem(topic.path, skip.line,
                                        "'skip_when_unsure' is true or false."))
            for key, item in metadata.items():
                if key not in topic_metadata.KNOWN_KEYS:
                    problems.append(Problem(topic.path, item.line, (
                        f"'{key}' is not something a topic can say about its questions. Use "
                        f"{', '.join(sorted(topic_metadata.KNOWN_KEYS))}.")))
            if topic_metadata.TITLE in metadata:
                problems += title_problems(topic.path, intent, metadata[topic_metadata.TITLE],
                                           titled)
                if topic_metadata.TITLE_ES not in metadata:
                    problems.append(Problem(topic.path, metadata[topic_metadata.TITLE].line, (
                        f"The topic '{intent}' has a title but no Spanish one. Add "
                        "'title_es:' under it, the words a Spanish-speaking patient sees.")))
            if topic_metadata.TITLE_ES in metadata:
                problems += title_problems(topic.path, intent,
                                           metadata[topic_metadata.TITLE_ES], titled_es)
            if topic_metadata.NOTICE_WORDS in metadata:
                problems += word_list_problems(topic.path, metadata[topic_metadata.NOTICE_WORDS],
                                               "notice_words")
            if topic_metadata.SMS_KEYWORDS in metadata:
                problems += sms_keyword_problems(topic.path, intent,
                                                 metadata[topic_metadata.SMS_KEYWORDS], keywords)
    return problems


def nothing_to_continue_problems(path: Path, item: Located, intents: set[str],
                                 found: list[Located]) -> list[Problem]:
    if len(found) > 1:
        return [Problem(path, item.line, "Only one question can say 'when_nothing_to_continue' "
                                         f"(also at line {found[0].line}).")]
    if not isinstance(item.value, str) or item.value not in intents:
        return [Problem(path, item.line, (
            f"'when_nothing_to_continue' must name one topic, like ask_help; {item.value!r} is "
            "not a topic."))]
    return []


def title_problems(path: Path, intent: str, title: Located,
                   titled: dict[str, tuple[str, Path, int]]) -> list[Problem]:
    if title.value is not None and not isinstance(title.value, str):
        return [Problem(path, title.line, f"The title of '{intent}' must be words on one line, "
                                          "like 'title: Visitors'.")]
    text = str(title.value or "").strip()
    if not text:
        return [Problem(path, title.line, f"The title of '{intent}' is empty. Write the few "
                                          "words it is offered under, or remove 'title:'.")]
    problems = []
    if len(text) > MAX_TITLE_CHARS:
        problems.append(Problem(path, title.line, (
            f"The title \"{text}\" has {len(text)} characters; a button fits "
            f"{MAX_TITLE_CHARS}. Say it in fewer words.")))
    problems += [Problem(path, title.line, f"The title \"{text}\" mentions {fact}.")
                 for fact in facts_not_known(text)]
    other = titled.get(text.lower())
    if other and other[0] != intent:
        problems.append(Problem(path, title.line, (
            f"The title \"{text}\" is also the title of '{other[0]}' ({other[1].name}:"
            f"{other[2]}). Patients could not tell the two choices apart.")))
    titled.setdefault(text.lower(), (intent, path, title.line))
    return problems


def word_list_problems(path: Path, words: Located, key: str) -> list[Problem]:
    values = words.value if isinstance(words.value, list) else None
    if not values or not all(isinstance(word, str) and word.strip() for word in values):
        return [Problem(path, words.line, (
            f"'{key}' must be a list of words in square brackets, like "
            "[telehealth, video visit]."))]
    return []


def sms_keyword_problems(path: Path, intent: str, words: Located,
                         taken: dict[str, tuple[str, Path, int]]) -> list[Problem]:
    problems = word_list_problems(path, words, "sms_keywords")
    if problems:
        return problems
    for word in words.value:
        upper = word.strip().upper()
        if not re.fullmatch(r"[A-Z]+", upper):
            problems.append(Problem(path, words.line, (
                f"The SMS keyword \"{word}\" must be one word of letters only.")))
        elif upper in CARRIER_KEYWORDS:
            problems.append(Problem(path, words.line, (
                f"\"{word}\" is a phone carrier's keyword (STOP, START, HELP and the like); "
                "the text channel answers it itself. Choose another word.")))
        elif upper in taken and taken[upper][0] != intent:
            other = taken[upper]
            problems.append(Problem(path, words.line, (
                f"The SMS keyword \"{word}\" already asks '{other[0]}' ({other[1].name}:"
                f"{other[2]}).")))
        taken.setdefault(upper, (intent, path, words.line))
    return problems


# --- the answers -----------------------------------------------------------------------------

def answer_problems(path: Path, answers: dict[str, list[Located]],
                    choices_template: str = CHOICES_TEMPLATE) -> list[Problem]:
    problems = []
    for name, variations in answers.items():
        # With a shorter SMS version, only that one has to fit in a text message.
        has_sms_version = any(v.value.get("channel") == "sms" for v in variations)
        for variation in variations:
            problems += variation_problems(path, variation.line, name, variation.value,
                                           has_sms_version, choices_template)
        problems += missing_spanish(path, name, variations)
        if name == SMS_CHOICES:
            problems += [Problem(path, variation.line, (
                f"The answer {SMS_CHOICES} must keep {{choices}}: it becomes \"1 for Cost, 2 "
                "for Insurance\", the numbers patients reply with."))
                for variation in variations
                if "{choices}" not in str(variation.value.get("text") or "")]
    return problems


def variant_of(variation: dict) -> tuple:
    """What a variation is for, its language aside: its channel and its other conditions."""
    others = sorted((str(c.get("name")), str(c.get("value")))
                    for c in variation.get("condition") or []
                    if isinstance(c, dict) and c.get("name") != "language")
    return (variation.get("channel"), tuple(others))


def missing_spanish(path: Path, name: str, variations: list[Located]) -> list[Problem]:
    """Every English variation has its Spanish one, for the same channel and conditions
    (patients write in both languages)."""
    spanish = {variant_of(v.value) for v in variations if language_of(v.value) == SPANISH}
    return [Problem(path, v.line, (
        f"The answer {name} has no Spanish version"
        + (f" for {v.value.get('channel')}" if v.value.get("channel") else "")
        + ". Add one after it, with 'condition: [{type: slot, name: language, value: es}]'."))
        for v in variations
        if language_of(v.value) is None and variant_of(v.value) not in spanish]


def sms_length_notes(folder: Path = TOPICS) -> list[str]:
    """Spanish answers that take more than two SMS segments: worth shortening, not a fault."""
    topics, _ = read_topics(folder)
    notes = []
    for topic in topics:
        for name, variations in topic.answers.items():
            has_sms_version = any(v.value.get("channel") == "sms" and language_of(v.value)
                                  for v in variations)
            for variation in variations:
                value = variation.value
                text = shown_text(value)
                if language_of(value) != SPANISH or text is None or value.get("channel") not in (
                        None, "sms") or (value.get("channel") is None and has_sms_version):
                    continue
                count = sms_segments(text, value.get("buttons") or [])
                if count > MAX_SMS_SEGMENTS:
                    where = (topic.path.relative_to(folder.parent.parent)
                             if topic.path.is_relative_to(folder.parent.parent) else topic.path)
                    notes.append(f"{where}:{variation.line}: the Spanish "
                                 f"answer {name} takes {count} SMS segments (accents make a "
                                 "segment 70 characters).")
    return notes


def sms_choices_template(topics: list[Topic]) -> str:
    """How buttons read by SMS, as the files say (utter_sms_choices)."""
    for topic in topics:
        for variation in topic.answers.get(SMS_CHOICES, []):
            text = variation.value.get("text")
            if isinstance(text, str) and "{choices}" in text and not variation.value.get(
                    "channel"):
                return text
    return CHOICES_TEMPLATE


def variation_problems(path: Path, line: int, name: str, variation: dict,
                       has_sms_version: bool, choices_template: str = CHOICES_TEMPLATE
                       ) -> list[Problem]:
    label = f"The answer {name}" + (" (SMS)" if variation.get("channel") == "sms" else "")
    text = shown_text(variation)
    if text is None:
        if isinstance(variation.get("custom"), dict):
            return []  # a payload for the channel only (e.g. conversation_deleted)
        return [Problem(path, line, f"{label} has no text. Write it after 'text:'.")]
    problems = []
    spanish = language_of(variation) == SPANISH
    if spanish:
        label += " (Spanish)"
        ease = spanish_ease(with_sample_values(text))
        if ease < MIN_SPANISH_EASE:
            problems.append(Problem(path, line, (
                f"{label} reads at {ease:.0f} on the Fernández Huerta scale; keep Spanish answers "
                f"at {MIN_SPANISH_EASE:.0f} or above: shorter sentences, everyday words.")))
    else:
        reading = grade(with_sample_values(text))
        if reading > MAX_GRADE:
            problems.append(Problem(path, line, (
                f"{label} reads at US grade {reading:.0f}; keep answers at grade "
                f"{MAX_GRADE:.0f} or below: shorter sentences, everyday words.")))
    for fact in facts_not_known(text):
        problems.append(Problem(path, line, f"{label} mentions {fact}."))
    for button in variation.get("buttons") or []:
        title = str(button.get("title", "")) if isinstance(button, dict) else ""
        for fact in facts_not_known(title):
            problems.append(Problem(path, line, f"{label}'s button \"{title}\" mentions {fact}."))
    # A Spanish text message is longer than two segments more often than not (á, é, ñ are not
    # in the GSM alphabet: 70 characters a segment): said as a note (sms_length_notes), not a
    # fault.
    if variation.get("channel") in (None, "sms") and not spanish:
        count = sms_segments(text, variation.get("buttons") or [], choices_template)
        if count > MAX_SMS_SEGMENTS and (variation.get("channel") == "sms" or not has_sms_version):
            problems.append(Problem(path, line, (
                f"{label} takes {count} text messages (SMS segments) by phone; the limit is "
                f"{MAX_SMS_SEGMENTS}. Shorten it, or add a shorter '- channel: sms' version.")))
    return problems


def sms_segments(text: str, buttons: Iterable, choices_template: str = CHOICES_TEMPLATE) -> int:
    """How many SMS segments the answer takes, its choices numbered as the SMS channel does."""
    choices = [{"title": with_sample_values(b.get("title", "")), "payload": b.get("payload", "")}
               for b in buttons if isinstance(b, dict)]
    body, _ = compose([{"text": with_sample_values(text), "buttons": choices}], fallback="",
                      choices_template=choices_template)
    return segments(body)


# --- the whole check -------------------------------------------------------------------------

def check(folder: Path, run_rasa: bool = True) -> list[Problem]:
    topics, unreadable = read_topics(folder)
    shared, domain_problems = read_topics_of(ROOT / "domain.yml")
    # Other data files (data/follow_up.yml, data/rules.yml): their questions and answers too.
    others, other_problems = read_topics(folder.parent)
    unreadable += domain_problems + other_problems
    problems = list(unreadable)
    everything = topics + others
    problems += [problem for topic in everything for problem in topic.problems]
    problems += too_few_examples(everything)
    problems += questions_in_two_topics(everything)
    problems += metadata_problems(everything)
    choices_template = sms_choices_template([*everything, *shared])
    for topic in [*everything, *shared]:
        problems += answer_problems(topic.path, topic.answers, choices_template)
    problems += unanswered_topics(everything, {name for t in shared for name in t.answers})
    # Rasa's check repeats a broken file's error in its own words: skip it then.
    if run_rasa and not unreadable:
        problems += [Problem(folder.parent, 1, f"Rasa's own check: {finding}")
                     for finding in rasa_findings(folder.parent, ROOT / "domain.yml",
                                                  ROOT / "config.yml")]
    # Shown from the project folder: data/topics/contact.yml:12
    base = folder.parent.parent
    return [problem.relative_to(base if problem.path.is_relative_to(base) else ROOT)
            for problem in problems]


def read_topics_of(path: Path) -> tuple[list[Topic], list[Problem]]:
    data, found = parse(path, path.read_text(encoding="utf-8"))
    return ([] if found else [read_topic(path, data)]), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=TOPICS)
    parser.add_argument("--skip-rasa", action="store_true", help="skip Rasa's own checks")
    args = parser.parse_args(argv)
    problems = check(args.folder, run_rasa=not args.skip_rasa)
    for note in sms_length_notes(args.folder):
        print(f"Note: {note}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} thing(s) to fix. The bot keeps its current answers until "
              "`make check` passes.")
        return 1
    print("All good: every topic file passed the checks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
