"""Browser fixtures: the real bot, the demo page, and headless Debian Chromium driven by
Playwright (launched from its executable path: no browser download)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from services.demo_page import serve_in_background
from tests.conftest import MODEL
from tests.support.bot_servers import free_port, running_bot

# What this machine's closed network needs: no background calls home, no QUIC.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is missing: `make browser` installs Debian's package"
    return path


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[str]:
    """The demo page's URL, its chat widget talking to the real Rasa and action servers."""
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    demo_port = free_port()
    origin = f"http://127.0.0.1:{demo_port}"
    with running_bot(MODEL, env={"CHAT_ALLOWED_ORIGINS": origin},
                     workdir=tmp_path_factory.mktemp("bot")) as bot:
        demo = serve_in_background(demo_port, bot.rasa_url)
        try:
            yield origin + "/"
        finally:
            demo.shutdown()


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
