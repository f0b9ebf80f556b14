"""The widget and the patient's privacy (issue 12), in a real browser against the real bot:
the notice a new conversation opens with, and the header's "Delete" control, which has the
bot delete the conversation from its database and the widget forget it too."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import jwt
import pytest
from playwright.sync_api import Locator, Page, expect

from harness.bot_servers import wait_until
from tests.browser.conftest import PRIVACY_NOTICE, ask, open_chat, serious_accessibility_violations

pytestmark = pytest.mark.browser

ASKED_BACK = "Do you want me to delete this conversation? This can't be undone."
DELETED = "Done. I deleted this conversation."
KEPT = "I kept it"


def conversation_of(page: Page) -> str:
    """The conversation id in the token the server gave this tab (read, not verified: the
    test only needs to know which rows are this conversation's)."""
    token = json.loads(page.evaluate("sessionStorage.getItem('spine-chat:session')"))
    return jwt.decode(token, options={"verify_signature": False})["sub"]


def stored_events(workdir: Path, conversation: str) -> list[tuple[str, str | None]]:
    """The conversation's events in the bot's database: (type, patient text or None)."""
    with contextlib.closing(sqlite3.connect(workdir / "conversations.db")) as db:
        return db.execute("SELECT type_name, json_extract(data, '$.text') FROM events "
                          "WHERE sender_id = ? ORDER BY id", (conversation,)).fetchall()


def patient_texts(workdir: Path, conversation: str) -> list[str]:
    return [text for kind, text in stored_events(workdir, conversation) if kind == "user"]


def delete_control(page: Page) -> Locator:
    return page.get_by_role("button", name="Delete this conversation")


def notices(page: Page) -> Locator:
    return page.locator(".msg.bot", has_text=PRIVACY_NOTICE)


def ask_to_delete(page: Page) -> None:
    """Use the header's control and see the bot ask back, with its two choices."""
    delete_control(page).click()
    expect(page.locator(".msg.user").last).to_have_text("You said: Delete this conversation")
    expect(page.locator(".msg.bot").last).to_contain_text(ASKED_BACK)
    expect(page.get_by_role("group", name="Suggested replies").get_by_role("button")).to_have_text(
        ["Yes, delete it", "No, keep it"])


def test_a_new_chat_opens_with_the_privacy_notice_and_a_reload_does_not_repeat_it(page, site):
    open_chat(page, site)  # the notice is the first message
    notice = page.locator(".msg.bot").first
    expect(notice).to_contain_text("call 911")
    expect(notice).to_contain_text("Please don't share personal details")
    expect(notice.locator("a", has_text="911")).to_have_attribute("href", "tel:911")
    ask(page, "how long is recovery", "two weeks")
    conversation = conversation_of(page)
    page.reload()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    # An answer after the reload: any notice the server sent would have come before it.
    ask(page, "how big is the incision", "15 to 20 mm")
    assert conversation_of(page) == conversation
    expect(notices(page)).to_have_count(1)
    expect(page.locator(".msg").first).to_contain_text(PRIVACY_NOTICE)


def test_delete_forgets_the_conversation_in_the_widget_and_on_the_server(page, site, bot):
    open_chat(page, site)
    question = "my name is Zelda Quarrington, do you treat scoliosis?"
    ask(page, question, "scoliosis")
    conversation = conversation_of(page)
    assert wait_until(lambda: question in patient_texts(bot.workdir, conversation))

    ask_to_delete(page)
    page.get_by_role("button", name="Yes, delete it").click()
    # Only the confirmation is left, then the new conversation's own notice.
    log = page.get_by_role("log", name="Conversation")
    expect(page.locator(".msg").first).to_contain_text(DELETED)
    expect(page.locator(".msg.bot").nth(1)).to_contain_text(PRIVACY_NOTICE)
    expect(page.locator(".msg")).to_have_count(2)
    expect(log).not_to_contain_text("Zelda")
    expect(log).not_to_contain_text("conversation_deleted")  # the payload is never shown
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    assert conversation_of(page) != conversation
    kept = page.evaluate("sessionStorage.getItem('spine-chat:transcript')")
    assert "Zelda" not in kept and "scoliosis" not in kept
    # The bot deletes every stored event of the conversation, the confirming turn's too.
    assert wait_until(lambda: stored_events(bot.workdir, conversation) == [])

    page.reload()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.locator(".msg").first).to_contain_text(DELETED)
    expect(log).not_to_contain_text("Zelda")
    # A fresh conversation that answers normally, and knows nothing of the deleted one.
    ask(page, "how long is recovery", "two weeks")
    expect(notices(page)).to_have_count(1)
    fresh = conversation_of(page)
    assert wait_until(lambda: patient_texts(bot.workdir, fresh) == ["how long is recovery"])
    assert stored_events(bot.workdir, conversation) == []


def test_no_keep_it_keeps_the_conversation(page, site, bot):
    open_chat(page, site)
    ask(page, "what is MIG-LIF", "Scott Schlesinger")
    conversation = conversation_of(page)
    ask_to_delete(page)
    page.get_by_role("button", name="No, keep it").click()
    expect(page.locator(".msg.bot").last).to_contain_text(KEPT)
    assert wait_until(lambda: "/deny" in patient_texts(bot.workdir, conversation))
    assert "what is MIG-LIF" in patient_texts(bot.workdir, conversation)
    page.reload()
    expect(page.locator(".msg.bot", has_text="Scott Schlesinger")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    assert conversation_of(page) == conversation


def focused(locator: Locator) -> bool:
    return locator.evaluate("node => node.getRootNode().activeElement === node")


def test_the_delete_control_works_by_keyboard_and_passes_axe(page, site):
    open_chat(page, site)  # focus is in the text box
    control = delete_control(page)
    for _ in range(10):  # back through the panel to the header
        page.keyboard.press("Shift+Tab")
        if focused(control):
            break
    else:
        pytest.fail("the delete control never got keyboard focus")
    # A keyboard user sees where focus is: the widget's focus ring, not the browser's default.
    assert control.evaluate("node => node.matches(':focus-visible')"
                            " && getComputedStyle(node).outlineStyle === 'solid'")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text(ASKED_BACK)
    assert serious_accessibility_violations(page) == []
    keep = page.get_by_role("button", name="No, keep it")
    for _ in range(15):  # forward into the conversation, to the bot's choices
        page.keyboard.press("Tab")
        if focused(keep):
            break
    else:
        pytest.fail("the bot's choices never got keyboard focus")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text(KEPT)
