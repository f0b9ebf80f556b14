"""`make check`: check the FAQ topic files the way a careful colleague would, in plain words.

Fast (no training). Every problem names the file and line to fix. Exit status 1 when
anything must be fixed, 0 when all is well.

Usage: python -m staff.check [--skip-rasa] [FOLDER]     (FOLDER defaults to data/topics)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from channels.sms_format import compose, segments
from staff.content_rules import (
    MAX_GRADE,
    MAX_SMS_SEGMENTS,
    as_read,
    facts_not_known,
    grade,
)

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "data" / "topics"
# Fewer than this and the bot cannot learn a topic; the guide asks for about 20.
MIN_EXAMPLES = 10
# Words that do not tell topics apart: examples that differ only by these are "the same".
FILLER = set("a an the please pls ok okay so um uh hi hey hello just really actually and also "
             "well".split())


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def relative_to(self, base: Path) -> Problem:
        try:
            return Problem(self.path.relative_to(base), self.line, self.message)
        except ValueError:
            return self


@dataclass
class Topic:
    """What one topic file says, with the line each thing is on."""
    path: Path
    examples: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    answers: dict[str, list[tuple[dict, int]]] = field(default_factory=dict)
    rule_intents: set[str] = field(default_factory=set)


def yaml_problems(path: Path, text: str) -> list[Problem]:
    """YAML mistakes, explained for someone who does not write YAML every day."""
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line:
            return [Problem(path, number, "This line has a tab. Use spaces to indent (two per "
                                          "level), never tabs.")]
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return [Problem(path, line, "The file's layout is broken around here ("
                        f"{error.problem or error.context}). Check that this line is indented "
                        "exactly like the lines above it at the same level, that each question "
                        "starts with '- ', and that a line ending in ':' is followed by indented "
                        "lines.")]
    except yaml.YAMLError as error:
        return [Problem(path, 1, f"The file cannot be read as YAML: {error}")]
    return []


def read_topic(path: Path, text: str) -> Topic:
    """Parse a topic file, keeping line numbers (yaml.safe_load forgets them)."""
    topic = Topic(path)
    data = yaml.safe_load(text) or {}
    lines = text.splitlines()
    intent, in_examples, section = None, False, None
    for number, line in enumerate(lines, 1):
        if re.match(r"^\w", line):
            section = line.split(":", 1)[0]
            in_examples = False
        match = re.match(r"^- intent: *(\S+)", line)
        if match:
            intent, in_examples = match.group(1), False
            topic.examples.setdefault(intent, [])
            continue
        if section == "nlu" and re.match(r"^  examples: *\|", line):
            in_examples = True
            continue
        example = re.match(r"^    - (.*\S)", line)
        if section == "nlu" and in_examples and intent and example:
            topic.examples[intent].append((example.group(1), number))
    answer_lines = {m.group(1): n for n, line in enumerate(lines, 1)
                    if (m := re.match(r"^  (utter_\w+):", line))}
    for name, variations in (data.get("responses") or {}).items():
        line = answer_lines.get(name, 1)
        topic.answers[name] = [(v if isinstance(v, dict) else {}, line) for v in variations or [{}]]
    for rule in (data.get("rules") or []) + (data.get("stories") or []):
        for step in rule.get("steps", []) if isinstance(rule, dict) else []:
            if isinstance(step, dict) and "intent" in step:
                topic.rule_intents.add(step["intent"])
    return topic


def normalised(example: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", example.lower()))


def reduced(example: str) -> str:
    return " ".join(word for word in normalised(example).split() if word not in FILLER)


def example_problems(topics: list[Topic]) -> list[Problem]:
    problems = []
    seen: dict[str, tuple[str, Path, int]] = {}
    alike: list[tuple[str, str, Path, int]] = []
    for topic in topics:
        for intent, examples in topic.examples.items():
            if len(examples) < MIN_EXAMPLES:
                line = examples[0][1] if examples else 1
                problems.append(Problem(topic.path, line, (
                    f"The topic '{intent}' has {len(examples)} example questions; it needs at "
                    f"least {MIN_EXAMPLES} (about 20 is best), written the way patients "
                    "really ask.")))
            for example, line in examples:
                key = normalised(example)
                if key in seen and seen[key][0] != intent:
                    other_intent, other_path, other_line = seen[key]
                    problems.append(Problem(topic.path, line, (
                        f"The question \"{example}\" is also under '{other_intent}' "
                        f"({other_path.name}:{other_line}). Keep it under one topic only.")))
                seen.setdefault(key, (intent, topic.path, line))
                if seen[key][0] == intent:  # a repeat across topics is reported above
                    alike.append((intent, reduced(example), topic.path, line))
    by_text: dict[str, tuple[str, Path, int]] = {}
    for intent, text, path, line in alike:
        if len(text) < 4 or seen.get(text, (intent,))[0] != intent:
            continue  # too short to judge, or already reported as the same question
        match = by_text.get(text)
        if match and match[0] != intent:
            problems.append(Problem(path, line, (
                f"This question is almost the same as one under '{match[0]}' "
                f"({match[1].name}:{match[2]}), so the bot will mix up the two topics. "
                "Reword it or remove one of them.")))
        by_text.setdefault(text, (intent, path, line))
    return problems + near_duplicates(alike)


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
            # rapidfuzz, not difflib: tens of thousands of pairs, in C (difflib took 20 s).
            if fuzz.ratio(text, other_text, score_cutoff=95):
                problems.append(Problem(other_path, other_line, (
                    f"This question is almost the same as one under '{intent}' "
                    f"({path.name}:{line}), so the bot will mix up the two topics. Reword it "
                    "or remove one of them.")))
    return problems


def missing_answers(topics: list[Topic], shared_answers: set[str]) -> list[Problem]:
    """Topics with no answer: no utter_<intent>, and no rule of their own."""
    problems = []
    all_answers = shared_answers | {name for t in topics for name in t.answers}
    ruled = {intent for t in topics for intent in t.rule_intents}
    for topic in topics:
        for intent, examples in topic.examples.items():
            if f"utter_{intent}" not in all_answers and intent not in ruled:
                line = examples[0][1] - 1 if examples else 1
                problems.append(Problem(topic.path, line, (
                    f"The topic '{intent}' has no answer. Add one under 'responses:' named "
                    f"utter_{intent}.")))
    return problems


def answer_problems(topic: Topic) -> list[Problem]:
    problems = []
    for name, variations in topic.answers.items():
        # With a shorter SMS version, only that one has to fit in a text message.
        has_sms_version = any(v.get("channel") == "sms" for v, _ in variations)
        for variation, line in variations:
            problems += variation_problems(topic.path, line, name, variation, has_sms_version)
    return problems


def variation_problems(path: Path, line: int, name: str, variation: dict,
                       has_sms_version: bool) -> list[Problem]:
    text = variation.get("text")
    label = f"The answer {name}" + (" (SMS)" if variation.get("channel") == "sms" else "")
    if not isinstance(text, str) or not text.strip():
        return [Problem(path, line, f"{label} has no text. Write it after 'text:'.")]
    problems = []
    reading = grade(as_read(text))
    if reading > MAX_GRADE:
        problems.append(Problem(path, line, (
            f"{label} reads at US grade {reading:.0f}; keep answers at grade {MAX_GRADE:.0f} "
            "or below: shorter sentences, everyday words.")))
    for fact in facts_not_known(text):
        problems.append(Problem(path, line, f"{label} mentions {fact}."))
    if variation.get("channel") in (None, "sms"):
        buttons = [{"title": as_read(b.get("title", "")), "payload": b.get("payload", "")}
                   for b in variation.get("buttons", []) if isinstance(b, dict)]
        body, _ = compose([{"text": as_read(text), "buttons": buttons}], fallback="")
        count = segments(body)
        if count > MAX_SMS_SEGMENTS and (variation.get("channel") == "sms" or not has_sms_version):
            problems.append(Problem(path, line, (
                f"{label} takes {count} text messages (SMS segments) by phone; the limit is "
                f"{MAX_SMS_SEGMENTS}. Shorten it, or add a shorter '- channel: sms' version.")))
    return problems


def rasa_problems(data: Path) -> list[Problem]:
    """`rasa data validate` findings for the data folder, one line each."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "data", "validate", "--fail-on-warnings",
         "--data", str(data), "--domain", str(ROOT / "domain.yml"),
         "--config", str(ROOT / "config.yml")],
        cwd=ROOT, capture_output=True, text=True,
        env={"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
             "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    if result.returncode == 0:
        return []
    output = result.stdout + result.stderr
    messages = re.findall(r"UserWarning: (.+)|(?:YamlSyntaxException|InvalidDomain|"
                          r"YamlValidationException)[^:]*: (.+)", output)
    lines = [next(part for part in match if part) for match in messages]
    lines = [line for line in lines if "Slot auto-fill has been removed" not in line]
    return [Problem(data, 1, f"Rasa's own check: {line.strip()}")
            for line in lines] or [Problem(data, 1, "Rasa's own check failed:\n" + output[-1500:])]


def check(folder: Path, run_rasa: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    topics = []
    for path in sorted(folder.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        found = yaml_problems(path, text)
        if found:
            problems += found
            continue
        topics.append(read_topic(path, text))
    problems += example_problems(topics)
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    shared = set((domain.get("responses") or {}).keys())
    for topic in topics:
        problems += answer_problems(topic)
    problems += missing_answers(topics, shared)
    # Rasa's check repeats a broken file's error in its own words: skip it then.
    if run_rasa and len(topics) == len(list(folder.glob("*.yml"))):
        problems += rasa_problems(folder.parent)
    # Shown from the project folder: data/topics/contact.yml:12
    return [problem.relative_to(folder.parent.parent) for problem in problems]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=TOPICS)
    parser.add_argument("--skip-rasa", action="store_true", help="skip `rasa data validate`")
    args = parser.parse_args(argv)
    problems = check(args.folder, run_rasa=not args.skip_rasa)
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
