"""A topic file as `make check` sees it: each question, title, keyword and answer with the line
it is on, read by a real YAML parser that keeps line numbers (ruamel.yaml, installed with Rasa).
Rasa's own reader is what trains the bot; this one only points staff to the right line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from staff.problems import Problem


@dataclass(frozen=True)
class Located:
    value: Any
    line: int


@dataclass
class Topic:
    """What one topic file says, with the line each thing is on."""
    path: Path
    # intent -> its example questions
    examples: dict[str, list[Located]] = field(default_factory=dict)
    # intent -> its `metadata:` (title, notice_words, sms_keywords, ...), with the line of each key
    metadata: dict[str, dict[str, Located]] = field(default_factory=dict)
    intent_lines: dict[str, int] = field(default_factory=dict)
    # response name -> its variations (text, channel, buttons, custom ...)
    answers: dict[str, list[Located]] = field(default_factory=dict)
    rule_intents: set[str] = field(default_factory=set)
    # What is written in a shape the bot cannot use, found while reading.
    problems: list[Problem] = field(default_factory=list)


def parse(path: Path, text: str) -> tuple[Any, list[Problem]]:
    """The file's YAML, or what is wrong with it in words for someone who does not write YAML
    every day."""
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line:
            return None, [Problem(path, number, "This line has a tab. Use spaces to indent (two "
                                                "per level), never tabs.")]
    try:
        return YAML(typ="rt").load(text), []
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(path, line, "The file's layout is broken around here ("
                              f"{error.problem or error.context}). Check that this line is "
                              "indented exactly like the lines above it at the same level, that "
                              "each question starts with '- ', and that a line ending in ':' is "
                              "followed by indented lines.")]
    except YAMLError as error:
        return None, [Problem(path, 1, f"The file cannot be read as YAML: {error}")]


def read_topics(folder: Path) -> tuple[list[Topic], list[Problem]]:
    """Every topic file of the folder, and what in them cannot be read."""
    topics, problems = [], []
    for path in sorted(folder.glob("*.yml")):
        data, found = parse(path, path.read_text(encoding="utf-8"))
        if found:
            problems += found
        else:
            topics.append(read_topic(path, data))
    return topics, problems


def line_of(container: Any, key: Any, default: int) -> int:
    """The 1-based line of a key of a mapping (or an item of a list)."""
    try:
        position = (container.lc.key(key) if isinstance(key, str) else container.lc.item(key))
        return position[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return default


def read_topic(path: Path, data: Any) -> Topic:
    topic = Topic(path)
    data = data if isinstance(data, dict) else {}
    for item in data.get("nlu") or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        intent = str(item["intent"])
        intent_line = line_of(item, "intent", 1)
        topic.intent_lines.setdefault(intent, intent_line)
        topic.examples.setdefault(intent, []).extend(examples_of(item, intent_line))
        if "examples" in item and not isinstance(item["examples"], str):
            topic.problems.append(Problem(path, line_of(item, "examples", intent_line), (
                "Write the example questions as 'examples: |' followed by one '- question' per "
                "line (see docs/examples/referral.yml).")))
        metadata = item.get("metadata")
        if isinstance(metadata, dict):
            topic.metadata[intent] = {str(key): Located(value, line_of(metadata, key, intent_line))
                                      for key, value in metadata.items()}
        elif metadata is not None:
            topic.problems.append(Problem(path, line_of(item, "metadata", intent_line), (
                f"The metadata of '{intent}' must be indented lines like 'title: ...' under "
                "'metadata:'.")))
    responses = data.get("responses") or {}
    for name, variations in responses.items() if isinstance(responses, dict) else []:
        line = line_of(responses, name, 1)
        variations = variations if isinstance(variations, list) and variations else [{}]
        topic.answers[str(name)] = [
            Located(variation if isinstance(variation, dict) else {},
                    line_of(variations, index, line))
            for index, variation in enumerate(variations)]
    for section in ("rules", "stories"):
        entries = data.get(section) or []
        if not isinstance(entries, list):
            topic.problems.append(Problem(path, line_of(data, section, 1), (
                f"'{section}:' must be a list: each one starts with '- rule:' or '- story:'.")))
            continue
        for rule in entries:
            steps = rule.get("steps") if isinstance(rule, dict) else None
            if not isinstance(steps, list):
                topic.problems.append(Problem(path, line_of(data, section, 1) if not isinstance(
                    rule, dict) else line_of(rule, "steps", 1), (
                    "A rule needs its 'steps:', a list of '- intent: ...' and '- action: ...'.")))
                continue
            for step in steps:
                if isinstance(step, dict) and "intent" in step:
                    topic.rule_intents.add(str(step["intent"]))
    return topic


def examples_of(item: Any, intent_line: int) -> list[Located]:
    """The example questions of one intent, each with its line: they are the lines of the
    `examples: |` block, which starts on the line after the key."""
    block = item.get("examples")
    if not isinstance(block, str):
        return []
    try:
        first = item.lc.value("examples")[0] + 2
    except (AttributeError, KeyError):
        first = intent_line + 1
    found = []
    for offset, line in enumerate(str(block).splitlines()):
        stripped = line.strip()
        if stripped.startswith("- ") and stripped[2:].strip():
            found.append(Located(stripped[2:].strip(), first + offset))
    return found
