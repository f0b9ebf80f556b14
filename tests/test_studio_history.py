"""The history's readable changes, on a real git repository: a version's changes told field by
field (answers with their words added and removed, questions added and removed), and only the
topic files' versions can be opened."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from studio.history import changes_of, version, versions, word_diff
from studio.publishing import RefusedError, git, unpublished

ROOT = Path(__file__).resolve().parent.parent
CONTACT = ROOT / "data" / "topics" / "contact.yml"


def commit(project: Path, message: str) -> str:
    for command in (["add", "--all"], ["-c", "user.name=ana", "-c", "user.email=a@b.invalid",
                                       "commit", "--quiet", "-m", message]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, check=True, text=True,
                          capture_output=True).stdout.strip()


@pytest.fixture
def project(tmp_path) -> Path:
    topics = tmp_path / "data" / "topics"
    topics.mkdir(parents=True)
    (topics / "contact.yml").write_text(CONTACT.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "init", "--quiet"], cwd=tmp_path, check=True)
    commit(tmp_path, "installed")
    return tmp_path


def test_a_version_tells_its_changes_in_words(project):
    topic = project / "data" / "topics" / "contact.yml"
    text = topic.read_text(encoding="utf-8")
    text = text.replace("talk with our staff", "talk with our friendly staff")
    text = text.replace("    - where do i call to schedule my first visit\n",
                        "    - whats the number for the front desk\n")
    topic.write_text(text, encoding="utf-8")
    assert unpublished(project) == ["data/topics/contact.yml"]
    newest = commit(project, "Studio: publish contact.yml")
    assert [v.subject for v in versions(project)] == ["Studio: publish contact.yml",
                                                      "installed"]
    assert version(project, newest[:10]).author == "ana"
    (changed,) = changes_of(project, newest)
    assert changed.name == "data/topics/contact.yml" and changed.status == "changed"
    by_label = {change.label: change for change in changed.changes}
    answer = by_label["utter_ask_phone_number: English"]
    assert ("added", "friendly") in answer.words
    questions = by_label["Example questions of ask_phone_number, one a line"]
    assert questions.added == ["whats the number for the front desk"]
    assert questions.removed == ["where do i call to schedule my first visit"]


def test_only_a_version_of_the_topics_opens(project):
    (project / "notes.txt").write_text("not a topic", encoding="utf-8")
    other = commit(project, "notes")
    assert version(project, other) is None
    assert version(project, "--output=x") is None  # no option slips into git
    assert version(project, "HEAD~1") is None
    assert version(project, "HEAD") is None


def test_words_removed_and_added_are_marked_in_order():
    assert word_diff("Call us at the office.", "Call us at our office today.") == [
        ("same", "Call us at"), ("removed", "the office."), ("added", "our office today.")]


def test_a_folder_that_is_no_repository_is_refused_plainly(tmp_path):
    with pytest.raises(RefusedError, match="not a git repository"):
        unpublished(tmp_path)


def test_the_studio_runs_no_git_hook(project):
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch {project / 'hook-ran'}\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    (project / "data" / "topics" / "contact.yml").write_text("version: '3.1'\n",
                                                              encoding="utf-8")
    git(project, "add", "--all")
    git(project, "-c", "user.name=ana", "-c", "user.email=a@b.invalid", "commit", "--quiet",
        "-m", "an edit")
    assert not (project / "hook-ran").exists()
    assert unpublished(project) == []
