"""The staff studio in headless Chromium (issue 25): signed in to and used with the keyboard
alone, an edit's problem shown at its field, and no serious accessibility finding (axe-core)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import serious_accessibility_violations
from tests.support.studio_server import PASSWORD, RunningStudio, running_studio

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[RunningStudio]:
    with running_studio(tmp_path_factory.mktemp("studio")) as running:
        yield running


def sign_in_by_keyboard(page: Page, studio: RunningStudio, name: str) -> None:
    page.goto(f"{studio.base}/sign-in")
    expect(page.get_by_label("Name")).to_be_focused()  # autofocus: typing can start at once
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Topics")).to_be_visible()


def test_staff_sign_in_and_open_a_topic_with_the_keyboard_alone(staff_page, studio):
    page = staff_page
    sign_in_by_keyboard(page, studio, "ana")
    assert serious_accessibility_violations(page) == []
    link = page.get_by_role("link", name="contact.yml").first
    for _ in range(40):  # Tab until the link has focus, as a keyboard user would
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Topic file contact.yml")).to_be_visible()
    assert serious_accessibility_violations(page) == []


def test_an_invented_number_is_shown_at_its_field(staff_page, studio):
    page = staff_page
    sign_in_by_keyboard(page, studio, "ana")
    page.goto(f"{studio.base}/topics/contact.yml")
    answer = page.get_by_label("utter_ask_phone_number: English")
    answer.fill("Call us at 555-123-4567 any time.")
    page.get_by_role("button", name="Check and save").click()
    answer = page.get_by_label("utter_ask_phone_number: English")
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-problem .problem")).to_contain_text("555-123-4567")
    assert serious_accessibility_violations(page) == []


def test_a_sign_in_with_a_wrong_password_says_so_plainly(staff_page, studio):
    page = staff_page
    page.goto(f"{studio.base}/sign-in")
    page.get_by_label("Name").fill("rui")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert serious_accessibility_violations(page) == []


def test_the_new_topic_form_is_reached_from_the_topics_and_accessible(staff_page, studio):
    page = staff_page
    sign_in_by_keyboard(page, studio, "ana")
    page.get_by_role("link", name="Add a new topic").click()
    expect(page.get_by_role("heading", name="New topic")).to_be_visible()
    expect(page.get_by_label("Short name")).to_be_visible()
    assert serious_accessibility_violations(page) == []
