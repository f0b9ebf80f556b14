"""The chat widget in a real browser, against the real bot."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from harness.bot_servers import free_port
from harness.content import responses
from services.demo_page import serve_in_background
from staff.content_rules import with_sample_values
from tests.browser.conftest import (
    ROOT,
    ask,
    open_chat,
    serious_accessibility_violations,
    serve_html,
)

pytestmark = pytest.mark.browser
PHONE = "501-661-0077"


def test_patient_asks_three_questions_and_reads_the_answers(page, site, output_dir):
    open_chat(page, site)
    expect(page.locator(".disclaimer")).to_contain_text("Not for emergencies: call 911")
    timings = [
        ask(page, "What is minimally invasive spine surgery?", "15 to 20 mm"),
        ask(page, "how long is recovery", "two weeks"),
        ask(page, "do you treat scoliosis?", "spinal deformities such as scoliosis"),
    ]
    (output_dir / "browser-latency.json").write_text(json.dumps(
        {"seconds_from_enter_to_answer": [round(t, 3) for t in timings]}))


def test_quick_reply_and_the_conversation_survives_a_reload(page, site):
    open_chat(page, site)
    ask(page, "hello", "virtual assistant")
    page.locator(".choice", has_text="MIG-LIF").click()
    expect(page.locator(".msg.bot").filter(has_text="Scott Schlesinger")).to_be_visible()
    page.reload()
    expect(page.locator(".msg.bot").filter(has_text="Scott Schlesinger")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    # The bot still knows MIG-LIF is the topic: the benefits are MIG-LIF's.
    ask(page, "what are the benefits?", "MRSA")


def test_markup_typed_by_a_patient_is_shown_as_text(page, site):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_chat(page, site)
    attack = "<img src=x onerror=alert(1)>"
    box = page.get_by_label("Type your question")
    box.fill(attack)
    box.press("Enter")
    expect(page.locator(".msg.user").last).to_have_text("You said: " + attack)
    expect(page.locator(".msg.bot").last).to_be_visible()
    assert page.locator("#spine-chat img").count() == 0
    assert dialogs == []


def test_phone_numbers_are_tap_to_call_links(page, site):
    open_chat(page, site)
    ask(page, "what is your phone number", PHONE)
    link = page.locator(".msg.bot a", has_text=PHONE).last
    expect(link).to_have_attribute("href", "tel:5016610077")


def test_latest_notice_is_shown_as_a_notice(page, site):
    open_chat(page, site)
    ask(page, "do you offer telehealth?", "telehealth for office visits")
    expect(page.locator(".notice").last).to_contain_text("Practice update, April 30, 2020")


def test_only_https_addresses_in_a_notice_become_links(page, site):
    open_chat(page, site)
    ask(page, "any news from the practice?", "example-practice.com")
    bubble = page.locator(".msg.bot").last
    expect(bubble.locator("a[href='https://www.example-practice.com/news']")).to_have_count(1)
    expect(bubble.locator("a[href^='http:']")).to_have_count(0)
    expect(bubble).to_contain_text("http://insecure.example.com/news")


def test_keyboard_alone_opens_asks_and_closes(page, site):
    page.goto(site)
    for _ in range(20):  # Tab through the page until the launcher has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id === 'spine-chat'"
                         " && document.activeElement.shadowRoot.activeElement"
                         "?.textContent === 'Chat with us'"):
            break
    else:
        pytest.fail("the chat button never got keyboard focus")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Type your question")).to_be_focused()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    page.keyboard.type("how big is the incision")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").filter(has_text="15 to 20 mm")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


def test_no_serious_accessibility_violations(page, site):
    open_chat(page, site)
    ask(page, "hi", "virtual assistant")  # a reply with quick-reply buttons
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("name, viewport", [
    ("desktop", {"width": 1280, "height": 800}),
    ("phone", {"width": 390, "height": 844}),
])
def test_screenshots_at_desktop_and_phone_size(browser, site, output_dir, name, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=name == "phone")
    page = context.new_page()
    try:
        page.goto(site)
        page.screenshot(path=str(output_dir / f"demo-{name}-closed.png"))
        open_chat(page, site)
        ask(page, "hi", "virtual assistant")
        ask(page, "do you offer telehealth?", "telehealth for office visits")
        panel = page.get_by_role("dialog").bounding_box()
        assert panel["width"] <= viewport["width"]
        page.screenshot(path=str(output_dir / f"demo-{name}-chat.png"))
    finally:
        context.close()


def test_a_dropped_connection_reconnects_by_itself(page, site):
    open_chat(page, site)
    ask(page, "what is MIG-LIF", "Scott Schlesinger")
    # Drop the transport under socket.io, as a flaky network would.
    page.evaluate("window.SpineChat.socket.io.engine.close()")
    expect(page.get_by_role("button", name="Send")).to_be_enabled(timeout=15000)
    expect(page.get_by_role("alert")).to_be_hidden()
    ask(page, "who came up with it?", "Scott Schlesinger")


def test_unreachable_chat_server_says_so_and_gives_the_phone_number(page, bot):
    # The widget loaded, but its chat server is gone (down since the page was opened).
    dead_port = free_port()  # nothing listens there
    config = json.dumps({"serverUrl": f"http://127.0.0.1:{dead_port}", "phone": PHONE})
    site = serve_html(free_port(), f"<!doctype html><html lang='en'><head><title>Page</title>"
                                   f"</head><body><script>window.SpineChatConfig = {config};"
                                   f"</script><script src='{bot.rasa_url}/widget/spine-chat.js'>"
                                   "</script></body></html>")
    try:
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        page.get_by_role("button", name="Chat with us").click()
        status = page.get_by_role("alert")
        expect(status).to_contain_text("can't reach the chat", timeout=15000)
        expect(status.locator("a", has_text=PHONE)).to_have_attribute("href", "tel:5016610077")
        expect(page.get_by_role("button", name="Send")).to_be_disabled()
        expect(page.get_by_role("button", name="Delete this conversation")).to_be_disabled()
    finally:
        site.shutdown()


def test_the_chat_windows_own_messages_are_the_topic_files_words(page, site):
    with page.expect_response(lambda r: "/widget/messages.json" in r.url) as loaded:
        page.goto(site)
    words = loaded.value.json()
    assert words == {"unreachable": with_sample_values(responses()["utter_web_unreachable"]),
                     "noAnswer": with_sample_values(responses()["utter_web_no_answer"])}
    # Readable by the practice's page, which lives on another origin.
    assert loaded.value.headers["access-control-allow-origin"] == site.rstrip("/")
    page.get_by_role("button", name="Chat with us").click()
    # Connected first: the connection's arrival would hide the message shown before it.
    expect(page.get_by_role("button", name="Send")).to_be_enabled(timeout=15000)
    page.evaluate("window.SpineChat.showProblem()")
    expect(page.get_by_role("alert")).to_have_text(words["unreachable"])
    # Another origin's page gets no leave to read them.
    request = urllib.request.Request(loaded.value.url, headers={"Origin": "https://evil.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "Access-Control-Allow-Origin" not in response.headers


def test_page_from_an_origin_not_listed_cannot_open_a_chat(page, site):
    page.goto(site)
    rasa_url = page.evaluate("window.SpineChatConfig.serverUrl")
    # The same page served from another port is another origin, not in CHAT_ALLOWED_ORIGINS.
    other_port = free_port()
    demo = serve_in_background(other_port, rasa_url)
    try:
        page.goto(f"http://127.0.0.1:{other_port}/")
        page.get_by_role("button", name="Chat with us").click()
        expect(page.get_by_role("alert")).to_contain_text("can't reach the chat", timeout=15000)
    finally:
        demo.shutdown()


def readme_snippet() -> str:
    """The widget snippet exactly as the README tells a practice to paste it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The chat widget on the practice's website", 1)[1]
    return re.search(r"```html\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_snippet_pasted_into_any_page_chats_with_the_rasa_server_alone(
        page, bot, origins):
    snippet = readme_snippet()
    assert "https://chat.example-practice.com/widget/spine-chat.js" in snippet
    # The practice's chat server is, here, the bare Rasa server; the page is any page.
    snippet = snippet.replace("https://chat.example-practice.com", bot.rasa_url)
    practice_page = serve_html(int(origins["practice"].rsplit(":", 1)[1]),
                               "<!doctype html><html lang='en'><head><title>Our practice</title>"
                               f"</head><body><h1>Welcome</h1>{snippet}</body></html>")
    try:
        open_chat(page, origins["practice"] + "/")
        ask(page, "what is your phone number?", PHONE)
    finally:
        practice_page.shutdown()


def test_the_spanish_page_chats_in_spanish(page, site):
    """Issue 24: on a page that says lang="es", the window's own words, its privacy notice
    and the answers are Spanish."""
    page.goto(site + "es/")
    page.get_by_role("button", name="Chatee con nosotros").click()
    expect(page.get_by_role("dialog", name="Pregunte a nuestro equipo")).to_be_visible()
    expect(page.get_by_role("button", name="Enviar")).to_be_enabled()
    expect(page.locator(".disclaimer")).to_contain_text("No es para emergencias: llame al 911")
    expect(page.locator(".msg.bot").first).to_contain_text("asistente autom")
    box = page.get_by_label("Escriba su pregunta")
    box.fill("cuanto tiempo tarda la recuperacion?")
    before = page.locator(".msg.bot").count()
    box.press("Enter")
    expect(page.locator(".msg.bot").nth(before)).to_contain_text("dos semanas")
    assert not serious_accessibility_violations(page)
