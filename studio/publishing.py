"""Publish and roll back: the saved topic files become what the running bot answers.

A publish runs what an engineer would run, in the project the studio edits: `make train`
(which checks the data with `make check`'s rules while it trains, here from the live model's
weights: scripts/train.py), commits the topic files with the
staff member as the author, and waits until the Rasa server has swapped the new model in (it
pulls from the model server, services/model_server.py, every few seconds, and asks with the ETag
of the model it has). A roll back restores the topic files of an earlier version, commits that,
and publishes it the same way.

One publish at a time, in a thread: the studio's pages stay quick, and the page shows each step
as it goes (studio/templates/publish.html). Plain Python, no web framework.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scripts.train import CHECKS_PASSED
from services.launch import PUBLISHED_MODEL
from services.model_server import etag

logger = logging.getLogger(__name__)

# What the studio edits, and so all that a publish commits and a roll back restores: the topic
# files, never an engineer's other data (rules, phrasings) nor a save still being written.
TOPICS = "data/topics"
SAVING = ":(exclude,glob)**/.*.saving"  # studio/topic_editing.py's half-written files
LIVE_WITHIN = 90  # seconds the bot may take to swap the model in before the page says so
COMPONENT_LINE = re.compile(r"Finished training component '(\w+)'")
# Training prints the patients' example questions nowhere, but a failure's log is for engineers:
# staff see the step that failed and where the log is.
STEPS = ("Check the answers", "Train the assistant", "Save the version", "Go live")


@dataclass
class Step:
    label: str
    state: str = "waiting"  # waiting, running, done, failed
    seconds: float | None = None
    detail: str = ""
    began: float = 0.0


@dataclass
class Publish:
    number: int
    by: str
    what: str  # "publish" or "roll back to <commit>"
    steps: list[Step] = field(default_factory=lambda: [Step(label) for label in STEPS])
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None
    outcome: str = "running"  # running, live, failed
    message: str = ""
    commit: str = ""

    @property
    def running(self) -> bool:
        return self.outcome == "running"


class RefusedError(Exception):
    """A publish or roll back that cannot start, with the reason staff read."""


def git(project: Path, *args: str, check: bool = True) -> str:
    # No hooks: the studio runs git for staff, and a hook in the repository would run as the
    # studio with whatever it holds.
    result = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd=project,
                            capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {result.stderr.strip()[:500]}")
    return result.stdout


def unpublished(project: Path) -> list[str]:
    """The topic files saved since the last publish (changed, added or deleted)."""
    try:
        status = git(project, "status", "--porcelain", "--untracked-files=all", "--", TOPICS,
                     SAVING)
    except (RuntimeError, OSError) as error:
        raise RefusedError("Publishing keeps each version in git, and the project folder is "
                           "not a git repository (or git is missing). Ask an engineer to "
                           "install the bot from its repository.") from error
    return [line[3:] for line in status.splitlines() if line.strip()]


def author(name: str) -> str:
    # Staff accounts have no e-mail; .invalid is reserved for names that are not addresses.
    return f"{name} <{name}@studio.invalid>"


class Publisher:
    """Runs one publish at a time, in a thread; remembers the last few for the page."""

    def __init__(self, project: Path, model_status_url: str | None,
                 record: Callable[[str, str], None], log: Path) -> None:
        self.project = project
        self.model_status_url = model_status_url
        self.record = record
        self.log = log
        self.lock = threading.Lock()
        self.publishes: list[Publish] = []

    @property
    def current(self) -> Publish | None:
        return self.publishes[-1] if self.publishes else None

    def find(self, number: int) -> Publish | None:
        return next((p for p in self.publishes if p.number == number), None)

    def start(self, by: str, roll_back_to: str | None = None) -> Publish:
        with self.lock:
            if self.current and self.current.running:
                raise RefusedError(f"{self.current.by} is publishing now. Wait for it to finish.")
            if roll_back_to is not None:
                if unpublished(self.project):
                    raise RefusedError("Some saved changes are not published yet. Publish them "
                                  "first, or ask an engineer to discard them, then roll back.")
                what = f"roll back to {roll_back_to[:10]}"
            else:
                if not unpublished(self.project):
                    raise RefusedError("Nothing to publish: every saved change is live already.")
                what = "publish"
            publish = Publish(len(self.publishes) + 1, by, what)
            self.publishes = [*self.publishes[-9:], publish]
        threading.Thread(target=self.run, args=(publish, roll_back_to), daemon=True).start()
        return publish

    def run(self, publish: Publish, roll_back_to: str | None) -> None:
        try:
            if roll_back_to is not None:
                git(self.project, "restore", f"--source={roll_back_to}", "--staged",
                    "--worktree", "--", TOPICS)
            self.train(publish)
            publish.commit = self.commit(publish, roll_back_to)
            self.go_live(publish)
        except Exception as error:  # noqa: BLE001 (every failure is told on the page)
            failed = next((s for s in publish.steps if s.state == "running"), publish.steps[0])
            failed.state = "failed"
            publish.outcome = "failed"
            publish.message = str(error) or type(error).__name__
            logger.warning("Studio: %s by %s failed at %r: %s", publish.what, publish.by,
                           failed.label, publish.message)
            if roll_back_to is not None and not publish.commit:
                # The files go back to the live version: nothing half done is left saved.
                git(self.project, "restore", "--source=HEAD", "--staged", "--worktree", "--",
                    TOPICS, check=False)
        else:
            publish.outcome = "live"
        publish.seconds = round(time.monotonic() - publish.started, 1)
        self.record(publish.by, f"{publish.what}: {publish.outcome} in {publish.seconds:.0f} s"
                    + (f" ({publish.commit[:10]})" if publish.commit else ""))

    def step(self, publish: Publish, index: int) -> Step:
        """Step `index` starts; the ones before it are done."""
        now = time.monotonic()
        for earlier in publish.steps[:index]:
            if earlier.state == "running":
                earlier.state = "done"
                earlier.seconds = round(now - earlier.began, 1)
        step = publish.steps[index]
        step.state = "running"
        step.began = now
        return step

    def train(self, publish: Publish) -> None:
        """`make train FINETUNE=1`: the checks and training (from the live model's weights),
        side by side; the Makefile is the one home of both."""
        self.step(publish, 0)
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {publish.what} by "
                      f"{publish.by}\n")
            process = subprocess.Popen(["make", "--no-print-directory", "train", "FINETUNE=1"],
                                       cwd=self.project, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                if line.startswith(CHECKS_PASSED) and publish.steps[1].state == "waiting":
                    self.step(publish, 1)
                elif found := COMPONENT_LINE.search(line):
                    publish.steps[1].detail = f"trained {found.group(1)}"
            if process.wait() != 0:
                if publish.steps[1].state == "waiting":
                    raise RuntimeError("The checks found a problem. Open the topic you changed "
                                       "and save it again to see where.")
                raise RuntimeError(f"Training failed. The bot keeps its current answers. "
                                   f"An engineer can read why in {self.log}.")
        if publish.steps[1].state == "waiting":  # nothing to train: the model is current
            self.step(publish, 1)
        publish.steps[1].detail = ""

    def commit(self, publish: Publish, roll_back_to: str | None) -> str:
        step = self.step(publish, 2)
        git(self.project, "add", "--all", "--", TOPICS, SAVING)
        if not git(self.project, "diff", "--cached", "--name-only", "--", TOPICS).strip():
            # A roll back to a version whose topics are those live now: nothing to record.
            step.detail = "the topics were already as in that version"
            return git(self.project, "rev-parse", "HEAD").strip()
        message = (f"Studio: roll back the topics to {roll_back_to[:10]}" if roll_back_to
                   else "Studio: publish " + ", ".join(sorted(
                       Path(name).name for name in git(
                           self.project, "diff", "--cached", "--name-only", "--",
                           TOPICS).split())))
        git(self.project, "-c", "user.name=Spine assistant studio",
            "-c", "user.email=studio@studio.invalid", "commit", "--quiet",
            f"--author={author(publish.by)}", "-m", message, "--", TOPICS)
        return git(self.project, "rev-parse", "HEAD").strip()

    def go_live(self, publish: Publish) -> None:
        step = self.step(publish, 3)
        if not self.model_status_url:
            step.detail = "No model server is set: the bot loads the new model when it restarts."
            self.finish(publish)
            return
        tag = etag(self.project / PUBLISHED_MODEL)
        deadline = time.monotonic() + LIVE_WITHIN
        while time.monotonic() < deadline:
            if self.bot_has() == tag:
                self.finish(publish)
                return
            time.sleep(0.5)
        raise RuntimeError("The new version is saved and trained, but the bot has not loaded "
                           "it yet. Is the bot running? It loads it as soon as it is.")

    def bot_has(self) -> str | None:
        try:
            with urllib.request.urlopen(self.model_status_url, timeout=5) as response:
                return json.load(response).get("bot_has")
        except (OSError, ValueError):
            return None

    def finish(self, publish: Publish) -> None:
        now = time.monotonic()
        for step in publish.steps:
            if step.state == "running":
                step.state = "done"
                step.seconds = round(now - step.began, 1)
