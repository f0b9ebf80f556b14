"""Staff edits, from saving the file to the running bot giving the new answer, on a lone clone of
the project as the staff studio publishes: save the topic file, `make train FINETUNE=1`
(training from the running model's weights, studio/publishing.py), and the running bot (polling
the model server, as `make run` does) picks the new model up. While each new model is swapped
in, a patient keeps asking a question, and every reply's wait is recorded: the longest is the
stall a patient would see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.bot_servers import ROOT, free_port, running_bot
from harness.clone import lone_clone
from scripts.bench.traffic import reply_text, send
from scripts.bench.training import cache_use
from services.launch import PUBLISHED_MODEL
from services.model_server import serve_in_background

# running_bot makes the Rasa server ask the model server every 2 s.
GO_LIVE_TIMEOUT_SECONDS = 180
POLL_SECONDS = 0.25
PROBE_QUESTION = "how long is recovery?"
# Our REST channel allows 20 messages a minute to each sender.
PROBE_MESSAGES_PER_SENDER = 10


@dataclass
class Edit:
    name: str
    change: Callable[[Path], None]  # applied to the clone's folder
    question: str  # asked until the reply contains...
    new_text: str


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise RuntimeError(f"{path.name}: expected {old!r} exactly once; the benchmark's edit "
                           "no longer fits the topic file")
    path.write_text(text.replace(old, new), encoding="utf-8")


def reword_phone_answer(project: Path) -> None:
    replace_once(project / "data/topics/contact.yml", "talk with our staff or learn more.",
                 "talk with our team or learn more.")


# "Waiting list" is in no topic yet: before the edit the bot deflects the first phrasing
# (measure_edit checks that, as an answer given already could not be timed).
NEW_PHONE_PHRASINGS = [
    "how do i get on your waiting list",
    "how do i get on the waiting list to see a surgeon",
    "can you put me on the waiting list",
]


def add_phone_phrasings(project: Path) -> None:
    """The phrasings first in the ask_phone_number block's examples (after its metadata)."""
    path = project / "data/topics/contact.yml"
    text = path.read_text(encoding="utf-8")
    block = text.find("- intent: ask_phone_number\n")
    head = "  examples: |\n"
    at = text.find(head, block) + len(head) if block >= 0 else -1
    if block < 0 or at < len(head):
        raise RuntimeError(f"{path.name}: no ask_phone_number examples; the benchmark's edit "
                           "no longer fits the topic file")
    added = "".join(f"    - {phrasing}\n" for phrasing in NEW_PHONE_PHRASINGS)
    path.write_text(text[:at] + added + text[at:], encoding="utf-8")


def add_referral_topic(project: Path) -> None:
    # The staff guide's worked example: a whole new topic file.
    shutil.copy(ROOT / "docs/examples/referral.yml", project / "data/topics/referral.yml")


EDITS = [
    Edit("reword an answer", reword_phone_answer, "what is your phone number?",
         "talk with our team"),
    Edit("add phrasings to a topic", add_phone_phrasings, NEW_PHONE_PHRASINGS[0],
         "You can make an appointment"),
    Edit("add a topic file", add_referral_topic, "do I need a referral?",
         "information about referrals"),
]


def working_tree_clone(parent: Path) -> Path:
    """A lone clone of the project as it stands: files not yet added to git are copied too
    (not the ignored ones), so the benchmark measures the working tree."""
    clone = lone_clone(parent)
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z"],
                               cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, untracked.split("\0")):
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    return clone


def make_train(project: Path, finetune: bool) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    # The clone links this project's installed .venv: `-o` keeps make from rebuilding it when
    # requirements.txt looks newer. MAKEFLAGS emptied: under `make bench`, this make must not
    # join the outer one's jobs.
    result = subprocess.run(["make", "-o", ".venv/.installed", "train",
                             *(["FINETUNE=1"] if finetune else [])], cwd=project,
                            capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""},
                            timeout=1800)
    return time.monotonic() - start, result


class PullLog:
    """Every answer of the model server to the Rasa server: (when, HTTP status)."""

    def __init__(self, server) -> None:
        self.answers: list[tuple[float, int]] = []
        answers, base = self.answers, server.RequestHandlerClass

        class Recorded(base):
            def send_response(self, code: int, message: str | None = None) -> None:
                answers.append((time.monotonic(), code))
                super().send_response(code, message)

        server.RequestHandlerClass = Recorded

    def first_download_after(self, moment: float) -> float | None:
        return next((when for when, code in self.answers if when >= moment and code == 200),
                    None)

    def wait_until_loaded(self, since: float, timeout: float = 120) -> None:
        """Until the Rasa server, having pulled since `since`, has loaded what it pulled: it
        runs one pull at a time, so once it asks again after a download, that model is in."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answers = [(when, code) for when, code in self.answers if when >= since]
            downloaded = self.first_download_after(since)
            if downloaded is not None and any(when > downloaded for when, _ in answers):
                return
            if downloaded is None and any(code == 304 for _, code in answers):
                return  # it already had this model
            time.sleep(0.2)
        raise TimeoutError("the Rasa server did not pull and load a model")


@dataclass
class StallProbe:
    """A patient asking one simple question after another, each reply's wait recorded."""

    rasa_url: str
    samples: list[tuple[float, float, float]] = field(default_factory=list)  # start, end, ms
    stop_asking: threading.Event = field(default_factory=threading.Event)
    failures: int = 0

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._ask, daemon=True)
        self.thread.start()

    def _ask(self) -> None:
        sent = 0
        sender = ""
        while not self.stop_asking.is_set():
            if sent % PROBE_MESSAGES_PER_SENDER == 0:
                sender = f"bench-probe-{uuid.uuid4().hex[:10]}"
            start = time.monotonic()
            try:
                send(self.rasa_url, sender, PROBE_QUESTION)
            except (urllib.error.URLError, OSError):
                self.failures += 1  # still a wait the patient saw, until it failed
            end = time.monotonic()
            self.samples.append((start, end, (end - start) * 1000))
            sent += 1

    def stop(self) -> None:
        self.stop_asking.set()
        self.thread.join(timeout=120)

    def longest_wait_between(self, begin: float, end: float) -> float | None:
        """The longest reply among those waited for at any moment from `begin` to `end`."""
        waits = [ms for start, stop, ms in self.samples if stop >= begin and start <= end]
        return max(waits, default=None)


def wait_for_answer(rasa_url: str, question: str, new_text: str) -> float:
    """When the bot first gave the new answer (a new conversation for each try)."""
    deadline = time.monotonic() + GO_LIVE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if new_text in reply_text(rasa_url, f"bench-poll-{uuid.uuid4().hex[:10]}", question):
            return time.monotonic()
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"not live {GO_LIVE_TIMEOUT_SECONDS} s after training")


def measure_edit(edit: Edit, project: Path, rasa_url: str, pulls: PullLog) -> dict:
    """Save, `make train FINETUNE=1`, poll until live; the probe runs from publication to
    going live."""
    figures: dict = {"edit": edit.name, "question": edit.question}
    if edit.new_text in reply_text(rasa_url, f"bench-before-{uuid.uuid4().hex[:10]}",
                                   edit.question):
        return {**figures, "error": "the bot gave the new answer before the edit"}
    saved = time.monotonic()
    edit.change(project)
    train_seconds, result = make_train(project, finetune=True)
    published = time.monotonic()
    figures.update(make_train_seconds=round(train_seconds, 1),
                   cache=cache_use(result.stdout + result.stderr))
    if result.returncode != 0:
        return {**figures, "error": "make train failed",
                "output": (result.stdout + result.stderr)[-3000:]}
    probe = StallProbe(rasa_url)
    try:
        live = wait_for_answer(rasa_url, edit.question, edit.new_text)
    except TimeoutError as error:
        return {**figures, "error": str(error)}
    finally:
        time.sleep(1)  # a stall that began as the answer changed still shows
        probe.stop()
    downloaded = pulls.first_download_after(published)
    pulls.wait_until_loaded(published)
    waits = [ms for _, _, ms in probe.samples]
    return {**figures,
            "seconds_to_live": round(live - saved, 1),
            "going_live_seconds": round(live - published, 1),
            "model_pulled_after_seconds": round(downloaded - published, 1) if downloaded else None,
            "longest_stall_ms": round(probe.longest_wait_between(published, live) or 0, 1),
            "probe_replies": len(waits), "probe_failures": probe.failures,
            "probe_median_ms": round(sorted(waits)[len(waits) // 2], 1) if waits else None}


def measure_edits_to_live(workdir: Path | None = None) -> dict:
    """The three edits of EDITS, one after another, on one clone with one running bot."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-edits-"))
    project = working_tree_clone(workdir / "lone")
    # The first training builds the spaCy pipeline and fills Rasa's cache in the clone's
    # .rasa/: not part of any edit, so it is done before timing starts.
    first_seconds, first = make_train(project, finetune=False)
    if first.returncode != 0:
        raise RuntimeError(f"make train failed in the clone:\n{first.stdout[-3000:]}"
                           f"{first.stderr[-3000:]}")
    models = serve_in_background(project / "models", free_port())
    pulls = PullLog(models)
    url = f"http://127.0.0.1:{models.server_address[1]}/{PUBLISHED_MODEL.name}"
    try:
        started = time.monotonic()
        with running_bot(project / PUBLISHED_MODEL, model_server_url=url,
                         workdir=workdir / "bot") as bot:
            # Its first pull loads the same model again: let that pass before timing.
            pulls.wait_until_loaded(started)
            edits = [measure_edit(edit, project, bot.rasa_url, pulls) for edit in EDITS]
    finally:
        models.shutdown()
    return {"first_make_train_seconds": round(first_seconds, 1), "edits": edits}
