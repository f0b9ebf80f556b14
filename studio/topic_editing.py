"""A topic file as a form: its titles, example questions and answers as fields, and an edit
written back the way a person would have written it (ruamel.yaml round trip: comments, order,
quoting and line folds kept), checked by `make check`'s own rules before it is saved.

Plain Python, no web framework (studio/app.py shows it).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from staff.problems import Problem
from staff.topic_files import parse, read_topic

FOLD_AT = 92  # answers are folded (">-") near this width, as the topic files are written
# Characters nobody types on purpose that break a file or hide text: control characters (but
# a new line), and the invisible ones that reorder or hide words (bidi overrides, zero widths).
UNWRITABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                        "\u2066-\u2069\ufeff]")


@dataclass
class Field:
    """One thing staff can change, and what the checks say about it."""
    key: str  # title:<intent>, title_es:<intent>, examples:<intent>, answer:<response>:<index>
    label: str
    value: str
    line: int
    multiline: bool = False
    problems: list[str] = field(default_factory=list)
    variation: dict[str, Any] | None = None  # an answer's whole variation (buttons, channel...)


def yaml_writer() -> YAML:
    writer = YAML(typ="rt")
    writer.width = 100
    writer.preserve_quotes = True
    writer.indent(mapping=2, sequence=2, offset=0)
    writer.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar(
            "tag:yaml.org,2002:null", "null"))
    return writer


def fields_of(path: Path, text: str) -> list[Field]:
    """The form's fields for a topic file, in the file's order."""
    data, problems = parse(path, text)
    if problems:
        raise ValueError(problems[0].message)
    topic = read_topic(path, data)
    fields: list[Field] = []
    for intent, examples in topic.examples.items():
        metadata = topic.metadata.get(intent, {})
        line = topic.intent_lines.get(intent, 1)
        for key, label in (("title", "Title (English)"), ("title_es", "Title (Spanish)")):
            if key in metadata:
                fields.append(Field(f"{key}:{intent}", f"{label} of {intent}",
                                    str(metadata[key].value), metadata[key].line))
        fields.append(Field(f"examples:{intent}", f"Example questions of {intent}, one a line",
                            "\n".join(str(e.value) for e in examples),
                            examples[0].line if examples else line, multiline=True))
    for response, variations in topic.answers.items():
        for index, variation in enumerate(variations):
            if isinstance(variation.value, dict) and "text" in variation.value:
                fields.append(Field(f"answer:{response}:{index}",
                                    f"{response}: {variation_label(variation.value)}",
                                    str(variation.value["text"]), variation.line,
                                    multiline=True, variation=dict(variation.value)))
    return fields


def variation_label(variation: dict[str, Any]) -> str:
    """ "Spanish, by SMS": how a variation differs from the plain English answer."""
    parts = []
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            parts.append({"es": "Spanish"}.get(condition.get("value"), str(condition.get("value"))))
        else:
            parts.append(f"when {condition.get('name')} is {condition.get('value')}")
    channel = str(variation.get("channel") or "")
    if channel:
        parts.append(f"by {'SMS' if channel == 'sms' else channel}")
    return ", ".join(parts or ["English"])


def edited(text: str, values: dict[str, str]) -> str:
    """The topic file's text with the fields in `values` changed, everything else as it was."""
    writer = yaml_writer()
    data = writer.load(text)
    items = {item["intent"]: item for item in data.get("nlu") or [] if "intent" in item}
    for key, value in values.items():
        kind, _, rest = key.partition(":")
        if kind in ("title", "title_es"):
            items[rest].setdefault("metadata", {})[kind] = value.strip()
        elif kind == "examples":
            lines = [line.strip().removeprefix("- ").strip() for line in value.splitlines()]
            items[rest]["examples"] = LiteralScalarString(
                "".join(f"- {line}\n" for line in lines if line))
        elif kind == "answer":
            response, _, index = rest.rpartition(":")
            data["responses"][response][int(index)]["text"] = folded(value)
        else:
            raise KeyError(key)
    out = io.StringIO()
    writer.dump(data, out)
    return out.getvalue()


def folded(text: str) -> FoldedScalarString:
    """An answer as a folded block, its lines broken at spaces near FOLD_AT characters."""
    text = " ".join(text.split())
    scalar = FoldedScalarString(text)
    positions, start, last_space = [], 0, None
    for index, character in enumerate(text):
        if character != " ":
            continue
        if index - start > FOLD_AT and last_space is not None and last_space > start:
            positions.append(last_space)
            start = last_space + 1
        last_space = index
    scalar.fold_pos = positions
    return scalar


def unwritable_characters(values: dict[str, str]) -> dict[str, list[str]]:
    """For each field holding a character no one types on purpose, what to do about it."""
    found = {}
    for key, value in values.items():
        match = UNWRITABLE.search(value)
        if match:
            name = unicodedata.name(match.group(), f"U+{ord(match.group()):04X}")
            found[key] = [f"This holds an invisible character ({name}), perhaps from a copy and "
                          "paste. Type the text again here rather than pasting it."]
    return found


def problems_of_edit(data_folder: Path, path: Path, new_text: str) -> list[Problem]:
    """What `make check` (without Rasa's own check) newly says of the project with this file so:
    every problem of the file itself, and any new one of another file (a question the edit
    puts in two topics is told at the other file). The real files are not touched."""
    from staff.check import check  # loads Rasa's pieces: only when an edit is checked

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(data_folder, copy)
        before = {(str(p.path), p.message) for p in check(copy / "topics", run_rasa=False)}
        target = copy / path.relative_to(data_folder)
        target.write_text(new_text, encoding="utf-8")
        after = check(copy / "topics", run_rasa=False)
    name = str(path.relative_to(data_folder.parent))
    return [problem for problem in after
            if str(problem.path) == name or (str(problem.path), problem.message) not in before]


def place_problems(fields: list[Field], problems: list[Problem], path: Path) -> list[str]:
    """Each problem of this file beside the field whose lines hold it; the rest (and those of
    other files, with their file and line) returned for the top of the page."""
    ordered = sorted(fields, key=lambda f: f.line)
    unplaced = []
    for problem in problems:
        if Path(problem.path).name != path.name or Path(problem.path).parent.name != "topics":
            unplaced.append(str(problem))
            continue
        owner = None
        for candidate in ordered:
            if candidate.line <= problem.line:
                owner = candidate
        if owner is None:
            unplaced.append(problem.message)
        else:
            owner.problems.append(problem.message)
    return unplaced


def previews(fields: list[Field]) -> dict[str, dict[str, list[str]]]:
    """Each answer as the web chat shows it and as one SMS (make preview's views)."""
    from staff.preview import sms_view, web_view  # Rasa's pieces, loaded with the checks

    return {f.key: {"web": web_view(f.variation), "sms": sms_view(f.variation)}
            for f in fields if f.variation is not None}


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step: a publish committing at that moment, or a crash, never
    sees half a file."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".",
                                     suffix=".saving", delete=False) as partial:
        partial.write(text)
    # A new file takes the mode of its folder's other topic files.
    model = path if path.exists() else next(path.parent.glob("*.yml"), None)
    if model is not None:
        shutil.copymode(model, partial.name)
    os.replace(partial.name, path)
