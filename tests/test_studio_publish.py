"""Publish and roll back from the studio, for real: a staff member's edit is checked, trained
and committed (author: the staff member) in a clone of the project, the running bot swaps the
new model in, and a patient over REST gets the new answer; a roll back brings the old one back
the same way. A reviewer cannot publish. The publish timings go to results/ (the closing note
of issue 25 quotes them)."""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid

import pytest

from services.model_server import serve_in_background
from tests.conftest import MODEL
from tests.support.bot_servers import free_port, running_bot
from tests.support.studio_server import (
    ANSWER,
    Browser,
    contact_form,
    publishable_clone,
    running_studio,
)

pytestmark = pytest.mark.staff

NEW_SENTENCE = "Our front desk answers your call."
PHONE_QUESTION = "what number do I call to make an appointment?"


@pytest.fixture(scope="module")
def publishing(tmp_path_factory):
    """A clone of the project, its model server and running bot, and the studio editing it."""
    workdir = tmp_path_factory.mktemp("publishing")
    project = publishable_clone(workdir / "clone")
    models = serve_in_background(project / "models", free_port())
    port = models.server_address[1]
    try:
        with running_bot(project / "models" / MODEL.name, workdir=workdir / "bot",
                         model_server_url=f"http://127.0.0.1:{port}/{MODEL.name}") as bot, \
                running_studio(workdir / "studio", project,
                               f"http://127.0.0.1:{port}/status/{MODEL.name}",
                               bot.workdir / "conversations.db") as studio:
            yield studio, bot, project
    finally:
        models.shutdown()


def answer(bot, text: str) -> str:
    return " ".join(m.get("text", "") for m in bot.send(f"patient-{uuid.uuid4().hex}", text))


def published(browser: Browser, seconds: float = 600) -> str:
    """The publish page once the publish in progress has ended."""
    deadline = time.monotonic() + seconds
    while True:
        _, _, page = browser.get("/publish")
        if "Publishing now" not in page:
            return page
        assert time.monotonic() < deadline, "the publish did not end"
        time.sleep(1)


def live_seconds(page: str) -> int:
    found = re.search(r"Live in (\d+) seconds", page)
    assert found, re.sub(r"<[^>]+>", " ", page)[-1500:]
    return int(found.group(1))


def test_an_edit_published_goes_live_and_a_roll_back_brings_the_old_answer(publishing,
                                                                           output_dir):
    studio, bot, project = publishing
    before = answer(bot, PHONE_QUESTION)
    assert "Call us at" in before and NEW_SENTENCE not in before

    browser, form = contact_form(studio.base)
    form[ANSWER] = form[ANSWER].rstrip() + " " + NEW_SENTENCE
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 200 and "Saved" in page
    assert answer(bot, PHONE_QUESTION) == before  # saved is not live

    status, _, page = browser.get("/publish")
    assert "contact.yml" in page and "Publish</button>" in page
    status, _, page = browser.post("/publish", {"csrf_token": browser.csrf_of(page)})
    assert status == 200
    page = published(browser)
    edit_seconds = live_seconds(page)
    assert NEW_SENTENCE in answer(bot, PHONE_QUESTION)

    log = subprocess.run(["git", "log", "-2", "--format=%an|%s"], cwd=project, text=True,
                         capture_output=True, check=True).stdout.splitlines()
    assert log[0] == "ana|Studio: publish contact.yml"
    assert not subprocess.run(["git", "status", "--porcelain", "data"], cwd=project, text=True,
                              capture_output=True, check=True).stdout

    # The history tells the change in words; one click rolls back to the version before.
    _, _, page = browser.get("/history")
    newest, earlier = re.findall(r'href="/studio/history/([0-9a-f]{40})"', page)[:2]
    _, _, page = browser.get(f"/history/{newest}")
    assert f"<ins>{NEW_SENTENCE}</ins>" in page
    assert "utter_ask_phone_number" in page and "Roll back" not in page  # live already
    _, _, page = browser.get(f"/history/{earlier}")
    status, _, page = browser.post(f"/history/{earlier}/roll-back",
                                   {"csrf_token": browser.csrf_of(page)})
    assert status == 200
    roll_back_seconds = live_seconds(published(browser))
    assert answer(bot, PHONE_QUESTION) == before
    assert subprocess.run(["git", "log", "-1", "--format=%an|%s"], cwd=project, text=True,
                          capture_output=True, check=True).stdout.startswith(
        f"ana|Studio: roll back the topics to {earlier[:10]}")

    (output_dir / "studio-publish.json").write_text(json.dumps({
        "seconds_from_publish_to_live_answer_edit": edit_seconds,
        "seconds_from_roll_back_to_live": roll_back_seconds}, indent=1))


UNKNOWN = "zorblat hotline digits please"  # no topic's words: the bot cannot answer it yet


def test_a_review_question_taught_to_a_topic_and_published_is_answered(publishing,
                                                                       output_dir):
    studio, bot, project = publishing
    assert "Call us at" not in answer(bot, UNKNOWN)
    browser = Browser(studio.base)
    browser.sign_in("ana")
    deadline = time.monotonic() + 30  # the bot writes conversations in a thread of its own
    while UNKNOWN not in (page := browser.get("/review")[2]):
        assert time.monotonic() < deadline, re.sub(r"<[^>]+>", " ", page)[-1500:]
        time.sleep(0.5)
    group = re.search(r'name="group" value="([0-9a-f]+)"', page[page.index(UNKNOWN):])
    status, _, page = browser.post("/review/teach", {
        "csrf_token": browser.csrf_of(page), "group": group.group(1),
        "intent": "ask_phone_number", "text": UNKNOWN})
    assert status == 200 and "Added 1 question" in page and UNKNOWN not in page.split(
        "Added 1 question")[1]
    assert UNKNOWN in (project / "data" / "topics" / "contact.yml").read_text()

    _, _, page = browser.get("/publish")
    browser.post("/publish", {"csrf_token": browser.csrf_of(page)})
    seconds = live_seconds(published(browser))
    assert "Call us at" in answer(bot, UNKNOWN)
    figures = json.loads((output_dir / "studio-publish.json").read_text()) if (
        output_dir / "studio-publish.json").exists() else {}
    figures["seconds_from_publish_to_live_new_phrasings"] = seconds
    (output_dir / "studio-publish.json").write_text(json.dumps(figures, indent=1))


def test_the_dashboard_draws_counts_and_no_patient_text(publishing):
    studio, _, _ = publishing
    browser = Browser(studio.base)
    browser.sign_in("rui")
    status, _, page = browser.get("/dashboard")
    figures = json.loads(re.search(r'id="figures">(.*?)</script>', page, re.S).group(1))
    assert status == 200 and figures["questions"] >= 3 and "rest" in figures["channels"]
    assert UNKNOWN not in page and "phone number" not in page.lower()


def test_a_reviewer_cannot_publish_or_roll_back(publishing):
    studio, _, project = publishing
    browser = Browser(studio.base)
    browser.sign_in("rui")
    _, _, page = browser.get("/publish")
    assert "Only an editor can publish" in page or "Nothing" in page
    status, _, page = browser.post("/publish", {"csrf_token": browser.csrf_of(page)})
    assert status == 403 and "editor role" in page
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, text=True,
                          capture_output=True, check=True).stdout.strip()
    status, _, _ = browser.post(f"/history/{head}/roll-back",
                                {"csrf_token": browser.csrf_of(page)})
    assert status == 403


def test_nothing_saved_means_nothing_to_publish(publishing):
    studio, _, _ = publishing
    browser = Browser(studio.base)
    browser.sign_in("ana")
    _, _, page = browser.get("/publish")
    status, _, page = browser.post("/publish", {"csrf_token": browser.csrf_of(page)})
    assert status == 409 and "Nothing to publish" in page
