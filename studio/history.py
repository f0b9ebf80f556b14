"""The published versions of the topic files, and each one's changes told as staff read them.

Every publish is a commit (studio/publishing.py), so the history is the repository's own: `git
log` of the topic files. A version's changes are shown field by field, as the topic form names
them ("utter_ask_phone_number: English", "Example questions of ask_hours"), each answer with its
removed and added words marked, each question list with the questions added and removed. A file
the form does not show is told as lines added and removed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.error import YAMLError

from studio.publishing import TOPICS, git
from studio.topic_editing import fields_of

COMMIT = re.compile(r"[0-9a-f]{7,40}")
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Version:
    commit: str
    author: str
    when: str  # as the server's clock read it
    subject: str

    @property
    def short(self) -> str:
        return self.commit[:10]


@dataclass
class Change:
    """One field (or, for a file the form does not show, the file) before and after."""
    label: str
    words: list[tuple[str, str]] = field(default_factory=list)  # (same|removed|added, text)
    added: list[str] = field(default_factory=list)  # questions or lines
    removed: list[str] = field(default_factory=list)


@dataclass
class FileChanges:
    name: str
    status: str  # changed, added, deleted
    changes: list[Change]


def versions(project: Path, limit: int = 50) -> list[Version]:
    out = git(project, "log", f"-n{limit}", "--date=format:%Y-%m-%d %H:%M",
              f"--format=%H{SEPARATOR}%an{SEPARATOR}%ad{SEPARATOR}%s", "--", TOPICS,
              check=False)
    return [Version(*line.split(SEPARATOR, 3)) for line in out.splitlines()
            if line.count(SEPARATOR) == 3]


def version(project: Path, commit: str) -> Version | None:
    """The version `commit` names, only if it is one of the topic files' versions."""
    if not COMMIT.fullmatch(commit):
        return None
    return next((v for v in versions(project, limit=1000) if v.commit.startswith(commit)), None)


def changes_of(project: Path, commit: str) -> list[FileChanges]:
    parent = git(project, "rev-list", "--parents", "-n1", commit).split()[1:2]
    base = parent[0] if parent else git(project, "hash-object", "-t", "tree",
                                        "/dev/null").strip()  # the empty tree
    listing = git(project, "diff", "--name-status", "--no-renames", base, commit, "--",
                  TOPICS)
    files = []
    for line in listing.splitlines():
        status, name = line.split("\t", 1)
        before = "" if status == "A" else git(project, "show", f"{base}:{name}")
        after = "" if status == "D" else git(project, "show", f"{commit}:{name}")
        files.append(FileChanges(name, {"A": "added", "D": "deleted"}.get(status, "changed"),
                                 file_changes(Path(name), before, after)))
    return files


def file_changes(path: Path, before: str, after: str) -> list[Change]:
    try:
        old = {f.key: f for f in fields_of(path, before)} if before else {}
        new = {f.key: f for f in fields_of(path, after)} if after else {}
    except (ValueError, YAMLError, KeyError, TypeError):
        return [line_changes(path.name, before, after)]
    if not old and not new:
        return [line_changes(path.name, before, after)]
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:
        was, now = old.get(key), new.get(key)
        before_value, after_value = (was.value if was else ""), (now.value if now else "")
        if before_value == after_value:
            continue
        label = (now or was).label  # type: ignore[union-attr]
        if key.startswith("examples:"):
            old_lines, new_lines = before_value.splitlines(), after_value.splitlines()
            changes.append(Change(label, added=[q for q in new_lines if q not in old_lines],
                                  removed=[q for q in old_lines if q not in new_lines]))
        else:
            changes.append(Change(label, words=word_diff(before_value, after_value)))
    return changes


def line_changes(label: str, before: str, after: str) -> Change:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return Change(label, added=[line[2:] for line in diff if line.startswith("+ ")],
                  removed=[line[2:] for line in diff if line.startswith("- ")])


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The text with its removed and added words marked, as a reader compares two versions."""
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            parts.append(("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("removed", " ".join(old[a1:a2])))
        if b2 > b1:
            parts.append(("added", " ".join(new[b1:b2])))
    return parts
