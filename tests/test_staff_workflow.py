"""The staff workflow of docs/staff-guide.md, end to end, on a lone clone of the project (no
folder beside it, as a practice clones it): add a topic file, `make check`, `make train`, and
a running bot answers the new question without a restart, conversations in progress carrying
on. Then a broken edit: `make check` explains it, `make train` refuses it, and the running bot
keeps answering with the last good model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from services.model_server import serve_in_background
from tests.conftest import MODEL, ROOT
from tests.support.bot_servers import free_port, running_bot
from tests.support.clone import lone_clone

pytestmark = pytest.mark.staff


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    copy = lone_clone(tmp_path_factory.mktemp("lone"))
    (copy / "models").mkdir()
    # The running bot starts from the current model; the clone trains its own below.
    shutil.copy2(MODEL, copy / "models" / MODEL.name)
    # make would otherwise rebuild what it sees as older than its inputs.
    for path in [copy / ".venv" / ".installed", *(copy / "models").rglob("*")]:
        os.utime(path, follow_symlinks=False)
    return copy


NEW_ANSWER = "I don't have information about referrals."
# (what a staff member might do to the topic file, what `make check` must say about it)
BROKEN_EDITS = [
    (lambda text: text.replace("    - referral?", "  - referral?"), "indented"),
    (lambda text: text.replace("    - referral?", "    - referral?\n    - how much does it cost"),
     "is also under 'ask_cost'"),
    (lambda text: text.replace("utter_ask_referral:", "utter_referral:"),
     "'ask_referral' has no answer"),
]


def make(project: Path, target: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", target], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "MAKEFLAGS": ""}, timeout=1200)


def ask(bot, sender: str, text: str) -> str:
    return " ".join(message.get("text", "") for message in bot.send(sender, text))


def test_staff_add_a_topic_and_the_running_bot_answers_it(project, tmp_path, output_dir):
    models = serve_in_background(project / "models", free_port())
    model_url = f"http://127.0.0.1:{models.server_address[1]}/{MODEL.name}"
    try:
        with running_bot(project / "models" / MODEL.name, model_server_url=model_url,
                         workdir=tmp_path / "bot") as bot:
            patient = f"patient-{uuid.uuid4().hex}"
            assert "Scott Schlesinger" in ask(bot, patient, "what is MIG-LIF?")
            assert NEW_ANSWER not in ask(bot, "before", "do I need a referral?")

            # Steps 1-4 of docs/staff-guide.md.
            saved = time.monotonic()
            shutil.copy(ROOT / "docs" / "examples" / "referral.yml",
                        project / "data" / "topics" / "referral.yml")
            check = make(project, "check")
            assert check.returncode == 0, check.stdout + check.stderr
            assert "All good" in check.stdout
            train = make(project, "train")
            assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
            trained = time.monotonic()
            while NEW_ANSWER not in ask(bot, f"probe-{uuid.uuid4().hex}", "do I need a referral?"):
                assert time.monotonic() - trained < 120, "the new model did not go live"
                time.sleep(1)
            live = time.monotonic()
            # The conversation from before the swap carries on: MIG-LIF is still the topic.
            assert "MRSA" in ask(bot, patient, "what are its benefits?")
            (output_dir / "staff-edit-to-live.json").write_text(json.dumps({
                "seconds_from_saving_the_faq_to_live": round(live - saved),
                "of_which_check_and_training": round(trained - saved),
                "of_which_going_live": round(live - trained)}, indent=1))

            # Broken edits: explained by make check, refused by make train, never published.
            published = (project / "models" / MODEL.name).stat().st_mtime_ns
            topic = project / "data" / "topics" / "referral.yml"
            good = topic.read_text()
            for broken, explanation in BROKEN_EDITS:
                topic.write_text(broken(good))
                check = make(project, "check")
                assert check.returncode != 0, broken
                assert "data/topics/referral.yml:" in check.stdout, check.stdout
                assert explanation in check.stdout, check.stdout
                assert make(project, "train").returncode != 0
                assert (project / "models" / MODEL.name).stat().st_mtime_ns == published
                assert NEW_ANSWER in ask(bot, f"after-{uuid.uuid4().hex}", "do I need a referral?")
            topic.write_text(good)
    finally:
        models.shutdown()
