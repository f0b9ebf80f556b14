"""Browser fixtures: the real bot, the demo page, and headless Debian Chromium driven by
Playwright (launched from its executable path: no browser download); and what a patient does
in the widget (open it, ask, scan it with axe-core)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.bot_servers import RunningBot, free_port, running_bot
from services.demo_page import serve_in_background
from tests.conftest import MODEL, FeedServer
from tests.feeds import TELEHEALTH_2020, rss

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# The first words of the privacy notice a new web conversation opens with (utter_privacy_notice).
PRIVACY_NOTICE = "I'm an automated assistant, not a person"

# What this machine's closed network needs: no background calls home, no QUIC.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is missing: `make browser` installs Debian's package"
    return path


@pytest.fixture(scope="session")
def origins() -> dict[str, str]:
    """The two pages allowed to chat: the demo page, and a practice page with the README's
    snippet pasted in."""
    return {"demo": f"http://127.0.0.1:{free_port()}",
            "practice": f"http://127.0.0.1:{free_port()}"}


# The practice's notice, with a link of each kind a feed could hold.
NOTICE_WITH_LINKS = (TELEHEALTH_2020[0], TELEHEALTH_2020[1],
                     TELEHEALTH_2020[2] + " More at https://www.example-practice.com/news or "
                     "http://insecure.example.com/news.")


@pytest.fixture(scope="session")
def bot(origins, tmp_path_factory) -> Iterator[RunningBot]:
    """The real Rasa and action servers; the Rasa server also serves the widget. The notice
    comes from a real local feed."""
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    feed = FeedServer()
    feed.body = rss([NOTICE_WITH_LINKS])
    env = {"CHAT_ALLOWED_ORIGINS": ",".join(origins.values()), "PRACTICE_NOTICE_URL": feed.url}
    try:
        with running_bot(MODEL, env=env, workdir=tmp_path_factory.mktemp("bot")) as bot:
            yield bot
    finally:
        feed.close()


@pytest.fixture(scope="session")
def site(bot, origins) -> Iterator[str]:
    """The demo page's URL, its chat widget talking to the real Rasa and action servers."""
    demo = serve_in_background(int(origins["demo"].rsplit(":", 1)[1]), bot.rasa_url)
    try:
        yield origins["demo"] + "/"
    finally:
        demo.shutdown()


def serve_html(port: int, page: str) -> ThreadingHTTPServer:
    """A page of some website: `page` at /, on 127.0.0.1:`port`; .shutdown() stops it."""
    body = page.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # Shown with a failing test's output: what the page itself complained about.
    page.on("console", lambda message: print(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: print(f"page error: {error}"))
    yield page
    context.close()


def open_chat(page: Page, site: str) -> None:
    """Open the widget on a fresh page: a new conversation, which the bot opens with its
    privacy notice (waited for, so a question's answer is never mistaken for it)."""
    page.goto(site)
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("dialog", name="Ask our spine team")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.locator(".msg.bot").first).to_contain_text(PRIVACY_NOTICE)


def ask(page: Page, question: str, answer: str) -> float:
    """Type a question, press Enter, wait for a new answer that says `answer` (an older one
    saying it does not count); seconds from Enter to answer."""
    box = page.get_by_label("Type your question")
    box.fill(question)
    before = page.locator(".msg.bot").count()
    start = time.perf_counter()
    box.press("Enter")
    expect(page.locator(".msg.bot").nth(before)).to_contain_text(answer)
    return time.perf_counter() - start


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def staff_page(browser: Browser) -> Iterator[Page]:
    """A page for the staff studio. Its CSP allows its own scripts only; axe-core is added to
    the page by the test, hence bypass_csp."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()
