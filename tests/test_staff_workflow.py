"""The staff workflow of docs/staff-guide.md, end to end, on a lone clone of the project (no folder
beside it, as a practice clones it): add two topic files — a topic with its answer and title
(docs/examples/referral.yml), and a notice topic with its words (docs/examples/visitors.yml) —
`make check`, `make train FINETUNE=1` as the studio publishes (new topics: Rasa will not start
from the current model, so the model is trained from zero), and a running bot answers both new
questions without a restart, over REST, the web chat and SMS, and offers both by their titles
when unsure, with nothing changed but the two new files; conversations in progress carry on.
Then broken edits: `make check` explains them, `make train` refuses them, and the running bot
keeps answering with the last good model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage

from harness.bot_servers import free_port, running_bot
from harness.clone import lone_clone
from services.model_server import serve_in_background
from tests.conftest import MODEL, ROOT
from tests.feeds import rss
from tests.support.web_chat import Chat
from tests.test_sms_webhook import TOKEN, SmsGateway, new_patient, sms_env

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
# The practice's notice, with a sentence on visitors (the bundled notice has none).
VISITORS_NOTICE = ("2026-11-20", "Visiting", "One family member may come with each patient to "
                   "office visits. Telehealth visits continue.")
# (what a staff member might do to the topic file, what `make check` must say about it)
BROKEN_EDITS = [
    (lambda text: text.replace("    - referral?", "  - referral?"), "indented"),
    (lambda text: text.replace("    - referral?", "    - referral?\n    - how much does it cost"),
     "is also under 'ask_cost'"),
    (lambda text: text.replace("utter_ask_referral:", "utter_referral:"),
     "'ask_referral' has no answer"),
]


def only_the_new_files_changed(project: Path, new: set[str]) -> None:
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split())
    for name in tracked:
        if (ROOT / name).is_file():
            assert (project / name).read_bytes() == (ROOT / name).read_bytes(), name
    added = {str(path.relative_to(project)) for folder in ("data", "actions", "channels",
                                                           "components", "web")
             for path in (project / folder).rglob("*") if path.is_file()} - tracked
    assert {name for name in added if "__pycache__" not in name} == new


def the_new_topics_work_on_every_channel(bot, project: Path) -> None:
    visitors = "One family member may come with each patient to office visits."
    # REST: the notice topic quotes the notice's sentence on visitors, and only that.
    reply = ask(bot, f"rest-{uuid.uuid4().hex}", "can my husband come with me?")
    assert reply == f"Update of November 20, 2026: {visitors}"
    # The web chat: the answer, and the notice as a card (its heading and words).
    chat = Chat(bot)
    try:
        assert any(NEW_ANSWER in text for text in chat.ask("do i need a referral?"))
        chat.ask("are visitors allowed?")
        assert {"notice": {"heading": "Practice update, November 20, 2026",
                           "text": visitors}} in chat.customs
    finally:
        chat.close()
    # SMS: both answers, as text messages.
    gateway, number = SmsGateway(bot.rasa_url), new_patient()
    assert NEW_ANSWER in gateway.text("do I need a referral?", sender=number)[1][0]
    assert gateway.text("are visitors allowed", sender=number)[1][0] == \
        f"Update of November 20, 2026: {visitors}"
    # Unsure between the two: both offered by the titles their files give them. The action
    # server gets what Rasa sends it: the message's ranking and the trained model's domain.
    domain = LocalModelStorage.metadata_from_archive(
        project / "models" / MODEL.name).domain.as_dict()
    slots = run_action(bot.action_url, "action_assess_unclear_message", domain, ranking=[
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "ask_referral", "confidence": 0.42},
        {"name": "ask_visitors", "confidence": 0.4}])
    assert (slots["clarify_first_title"], slots["clarify_second_title"]) == ("Referrals",
                                                                             "Visitors")


def run_action(action_url: str, action: str, domain: dict, ranking: list[dict]) -> dict:
    """The slots the running action server sets, called as Rasa calls it."""
    body = {"next_action": action, "sender_id": "staff-test", "version": "3.6.21",
            "domain": domain, "tracker": {
                "sender_id": "staff-test", "slots": {}, "events": [],
                "latest_message": {"text": "referral or visitors", "intent": ranking[0],
                                   "intent_ranking": ranking, "entities": []}}}
    request = urllib.request.Request(f"{action_url}/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        events = json.load(response)["events"]
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def make(project: Path, target: str, *variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", target, *variables], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "MAKEFLAGS": ""}, timeout=1200)


def ask(bot, sender: str, text: str) -> str:
    return " ".join(message.get("text", "") for message in bot.send(sender, text))


def bot_env(tmp_path: Path, port: int) -> dict[str, str]:
    feed = tmp_path / "notice.xml"
    feed.write_bytes(rss([VISITORS_NOTICE]))
    return {"PRACTICE_NOTICE_URL": str(feed), "TWILIO_AUTH_TOKEN": TOKEN,
            "SMS_PUBLIC_URL": f"http://127.0.0.1:{port}/webhooks/sms/webhook",
            **sms_env(tmp_path / "sms-state")}


def test_staff_add_topics_and_the_running_bot_answers_them(project, tmp_path, output_dir):
    models = serve_in_background(project / "models", free_port())
    model_url = f"http://127.0.0.1:{models.server_address[1]}/{MODEL.name}"
    port = free_port()
    try:
        with running_bot(project / "models" / MODEL.name, model_server_url=model_url,
                         workdir=tmp_path / "bot", rasa_port=port,
                         env=bot_env(tmp_path, port)) as bot:
            patient = f"patient-{uuid.uuid4().hex}"
            assert "Scott Schlesinger" in ask(bot, patient, "what is MIG-LIF?")
            assert NEW_ANSWER not in ask(bot, "before", "do I need a referral?")

            # Steps 1-4 of docs/staff-guide.md.
            saved = time.monotonic()
            for example in ("referral.yml", "visitors.yml"):
                shutil.copy(ROOT / "docs" / "examples" / example,
                            project / "data" / "topics" / example)
            check = make(project, "check")
            assert check.returncode == 0, check.stdout + check.stderr
            assert "All good" in check.stdout
            train = make(project, "train", "FINETUNE=1")
            assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
            assert "A topic was added or removed: training from zero" in train.stdout
            trained = time.monotonic()
            while NEW_ANSWER not in ask(bot, f"probe-{uuid.uuid4().hex}", "do I need a referral?"):
                assert time.monotonic() - trained < 120, "the new model did not go live"
                time.sleep(1)
            live = time.monotonic()
            # The conversation from before the swap carries on: MIG-LIF is still the topic.
            assert "MRSA" in ask(bot, patient, "what are its benefits?")
            only_the_new_files_changed(project, {"data/topics/referral.yml",
                                                 "data/topics/visitors.yml"})
            the_new_topics_work_on_every_channel(bot, project)
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
                assert make(project, "train", "FINETUNE=1").returncode != 0
                assert (project / "models" / MODEL.name).stat().st_mtime_ns == published
                assert NEW_ANSWER in ask(bot, f"after-{uuid.uuid4().hex}", "do I need a referral?")
            topic.write_text(good)
    finally:
        models.shutdown()
