"""The studio over real HTTP: `python -m studio` on a free loopback port, signed in to as a
browser would (cookies, the form's CSRF token), and refused what it must refuse."""

from __future__ import annotations

import http.client
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.studio_server import (
    ANSWER,
    PASSWORD,
    Browser,
    contact_form,
    form_of,
    running_studio,
)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("studio")) as running:
        yield running.base, running.log, running.project


def test_signing_in_opens_the_topics_and_signing_out_closes_them(studio):
    base, _, _ = studio
    browser = Browser(base)
    status, url, page = browser.get("/topics")
    assert url.endswith("/sign-in?next=/studio/topics") and "Sign in" in page
    status, url, page = browser.sign_in("ana")
    assert status == 200 and url.endswith("/topics")
    assert "How to reach us" in page and "contact.yml" in page
    browser.post("/sign-out", {"csrf_token": browser.csrf_of(page)})
    assert browser.get("/topics")[1].endswith("/sign-in?next=/studio/topics")


def test_a_form_without_its_csrf_token_is_refused(studio):
    base, _, _ = studio
    browser = Browser(base)
    status, _, page = browser.sign_in("ana", token="forged")
    assert status == 403 and "did not come from the studio" in page
    status, _, page = browser.sign_in("ana")
    status, _, page = browser.post("/sign-out", {"csrf_token": "forged"})
    assert status == 403
    assert browser.get("/topics")[0] == 200  # still signed in: the forged sign-out did nothing


def test_five_wrong_passwords_lock_the_account(studio):
    base, _, _ = studio
    browser = Browser(base)
    for _ in range(4):
        status, _, page = browser.sign_in("lou", "wrong password here")
        assert status == 401 and "do not match" in page
    status, _, page = browser.sign_in("lou", "wrong password here")
    assert "locked" in page
    status, _, page = browser.sign_in("lou")
    assert status == 401 and "locked" in page


def test_after_signing_in_the_studio_goes_only_to_its_own_pages(studio):
    base, _, _ = studio
    browser = Browser(base)
    _, _, page = browser.get("/sign-in")
    status, url, _ = browser.post("/sign-in", {"name": "rui", "password": PASSWORD,
                                               "csrf_token": browser.csrf_of(page),
                                               "next": "//evil.example/studio/"})
    assert url.startswith(base) and url.endswith("/topics")


def test_oversized_or_unmeasured_forms_are_refused(studio):
    base, _, _ = studio
    address = urllib.parse.urlparse(base)
    # The studio answers from the headers alone: the body is never sent, so the answer cannot
    # race a connection closed under a body still being written.
    for headers, refusal in (({"Content-Length": str(2 * 1024 * 1024)}, 413),
                             ({"Transfer-Encoding": "chunked"}, 411)):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.putrequest("POST", "/studio/sign-in")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        assert connection.getresponse().status == refusal
        connection.close()


def test_pages_carry_security_headers_and_the_log_no_password(studio):
    base, log, _ = studio
    with urllib.request.urlopen(base + "/sign-in", timeout=10) as response:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    Browser(base).sign_in("ana")
    assert PASSWORD not in log.read_text()


def test_an_invented_number_is_refused_at_its_field_and_nothing_is_saved(studio):
    base, _, project = studio
    topic = project / "data" / "topics" / "contact.yml"
    before = topic.read_text(encoding="utf-8")
    browser, form = contact_form(base)
    form[ANSWER] = "Call us at 555-123-4567 any time."
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 422 and "Not saved" in page
    field = page[page.index(f'name="{ANSWER}"'):]
    assert 'aria-invalid="true"' in field[:200] and "555-123-4567" in field[:1500]
    assert topic.read_text(encoding="utf-8") == before


def test_a_good_edit_is_saved_as_a_person_would_write_it_and_recorded(studio):
    base, _, project = studio
    topic = project / "data" / "topics" / "contact.yml"
    before = topic.read_text(encoding="utf-8")
    browser, form = contact_form(base)
    new = ("Call us at {practice_phone} to make an appointment, see a surgeon, talk with our "
           "staff or learn more about surgery.")
    form[ANSWER] = new
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 200 and "Saved" in page
    # Each answer previewed as the web chat shows it and as one text, its facts filled in.
    preview = page[page.index(f'name="{ANSWER}"'):]
    preview = preview[preview.index("<details"):preview.index("</details>")]
    assert "In the web chat" in preview and "By SMS" in preview
    assert "SMS segment" in preview and "{practice_phone}" not in preview
    after = topic.read_text(encoding="utf-8")
    assert after != before and " ".join(after.split()).count(" ".join(new.split())) == 1
    # Only that answer changed: every other line (comments, Spanish, examples) as it was.
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert all(line.startswith("      ") for line in changed) and len(changed) <= 3
    _, _, page = browser.get("/changes")
    assert "edited contact.yml" in page


def test_a_reviewer_reads_topics_but_cannot_save_them(studio):
    base, _, project = studio
    browser = Browser(base)
    browser.sign_in("rui")
    status, _, page = browser.get("/topics/contact.yml")
    assert status == 200 and "readonly" in page and "Check and save" not in page
    form = form_of(browser, page)
    form[ANSWER] = "Anything."
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 403 and "editor" in page
    assert "Anything." not in (project / "data" / "topics" / "contact.yml").read_text()


def test_only_topic_files_can_be_opened(studio):
    base, _, _ = studio
    browser = Browser(base)
    browser.sign_in("rui")
    assert browser.get("/topics/..%2F..%2Fdomain.yml")[0] == 404
    status, _, page = browser.get("/topics/nothing.yml")
    assert status == 404 and "no such topic file" in page


def test_a_save_needs_its_csrf_token_and_its_length(studio):
    base, _, project = studio
    browser, form = contact_form(base)
    form = form | {ANSWER: "Forged.", "csrf_token": "forged"}
    assert browser.post("/topics/contact.yml", form)[0] == 403
    assert "Forged." not in (project / "data" / "topics" / "contact.yml").read_text()
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=10)
    connection.putrequest("POST", "/studio/sign-in")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"0\r\n\r\n")
    assert connection.getresponse().status == 411


def test_a_form_made_before_someone_else_saved_is_not_saved_over_their_change(studio):
    base, _, project = studio
    first, second = Browser(base), Browser(base)
    first.sign_in("ana")
    second.sign_in("ana")  # a second session (lou is locked by another test)
    _, _, first_page = first.get("/topics/chitchat.yml")
    _, _, second_page = second.get("/topics/chitchat.yml")
    title = next(key for key in form_of(first, first_page) if key.startswith("title:"))
    status, _, _ = first.post("/topics/chitchat.yml",
                              form_of(first, first_page) | {title: "Small talk first"})
    assert status == 200
    status, _, page = second.post("/topics/chitchat.yml",
                                  form_of(second, second_page) | {title: "Small talk second"})
    assert status == 409 and "Someone saved this file after you opened it" in page
    assert "Small talk first" in (project / "data" / "topics" / "chitchat.yml").read_text()


def test_invisible_characters_are_refused_at_their_field(studio):
    base, _, project = studio
    browser, form = contact_form(base)
    form = form | {ANSWER: "Call us at {practice_phone}.\x1b[31m now"}
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 422 and "invisible character" in page
    assert "\x1b" not in (project / "data" / "topics" / "contact.yml").read_text()


def test_a_question_moved_into_a_second_topic_is_refused_though_told_at_the_other(studio):
    base, _, project = studio
    browser = Browser(base)
    browser.sign_in("ana")
    privacy = (project / "data" / "topics" / "privacy.yml").read_text()
    question = next(line.strip()[2:] for line in privacy.splitlines()
                    if line.startswith("    - ") and "private" in line)
    _, _, page = browser.get("/topics/contact.yml")
    form = form_of(browser, page)
    form["examples:ask_phone_number"] += "\n" + question
    status, _, page = browser.post("/topics/contact.yml", form)
    assert status == 422 and "privacy.yml" in page
    assert question not in (project / "data" / "topics" / "contact.yml").read_text()


def test_publishing_a_project_that_is_no_git_repository_is_refused_plainly(studio):
    base, _, _ = studio  # the lone clone here is a folder of files, not a repository
    browser, form = contact_form(base)
    status, _, page = browser.get("/publish")
    assert status == 409 and "not a git repository" in page
    status, _, page = browser.post("/publish", {"csrf_token": form["csrf_token"]})
    assert status == 409 and "not a git repository" in page


NEW_TOPIC = {"name": "visiting_hours", "title": "Visitors", "title_es": "Visitas",
             "examples": "\n".join([
                 "can my husband come with me to the visit", "may I bring a family member",
                 "puedo llevar a mi hija a la consulta", "is my wife allowed in the exam room",
                 "can someone come with me", "are visitors allowed at the office",
                 "can i bring my son to translate", "puede entrar mi esposo conmigo",
                 "how many people can come with me", "can my mom sit in on the appointment",
                 "is a companion ok at my consult"]),
             "answer": "I don't have information about visitors. Please call us at "
                       "{practice_phone} to ask.",
             "answer_es": "No tengo información sobre visitas. Llámenos al {practice_phone} "
                          "para preguntar."}


def test_a_new_topic_from_the_template_is_checked_and_saved(studio):
    base, _, project = studio
    browser = Browser(base)
    browser.sign_in("ana")
    _, _, page = browser.get("/topics/new")
    token = browser.csrf_of(page)
    status, _, page = browser.post("/topics/new", {**NEW_TOPIC, "csrf_token": token,
                                                   "answer": "Call 555-123-4567 to ask."})
    assert status == 422 and "555-123-4567" in page
    assert not (project / "data" / "topics" / "visiting_hours.yml").exists()
    status, _, page = browser.post("/topics/new", {**NEW_TOPIC, "csrf_token": token,
                                                   "name": "../evil"})
    assert status == 422 and "short name" in page
    status, _, page = browser.post("/topics/new", {**NEW_TOPIC, "csrf_token": token})
    assert status == 200 and "Saved" in page
    text = (project / "data" / "topics" / "visiting_hours.yml").read_text(encoding="utf-8")
    assert "- intent: ask_visiting_hours" in text and "title_es: Visitas" in text
    assert "# What this topic is offered as" in text  # the template's comments kept
    status, _, page = browser.post("/topics/new", {**NEW_TOPIC, "csrf_token": token})
    assert status == 422 and "already" in page


def test_a_reviewer_cannot_add_a_topic(studio):
    base, _, _ = studio
    browser = Browser(base)
    _, _, page = browser.sign_in("rui")
    status, _, _ = browser.post("/topics/new", {**NEW_TOPIC, "csrf_token": browser.csrf_of(page),
                                                "name": "reviewer_topic"})
    assert status == 403
