"""The studio over real HTTP: `python -m studio` on a free loopback port, signed in to as a
browser would (cookies, the form's CSRF token), and refused what it must refuse."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from services.processes import free_port, start, stop
from tests.support.bot_servers import wait_until_ready

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("studio")
    env = {"STUDIO_DATABASE": str(workdir / "studio.sqlite3"), "STUDIO_PORT": str(free_port()),
           "STUDIO_SECURE_COOKIES": "0"}
    for name, role in (("ana", "editor"), ("rui", "reviewer"), ("lou", "editor")):
        subprocess.run([sys.executable, "-m", "studio.users", name, "--role", role],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                       env={**os.environ, **env}, cwd=Path(__file__).parent.parent)
    log = workdir / "studio.log"
    process = start([sys.executable, "-m", "studio"], log, env)
    base = f"http://127.0.0.1:{env['STUDIO_PORT']}/studio"
    try:
        wait_until_ready(f"{base}/sign-in", process, log)
        yield base, log
    finally:
        stop(process)


class Browser:
    """Cookies kept, redirects followed, every answer returned (errors too)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base + path, data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def csrf_of(self, page: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, name: str, password: str = PASSWORD, token: str | None = None):
        _, _, page = self.get("/sign-in")
        return self.post("/sign-in", {"name": name, "password": password,
                                      "csrf_token": token or self.csrf_of(page)})


def test_signing_in_opens_the_topics_and_signing_out_closes_them(studio):
    base, _ = studio
    browser = Browser(base)
    status, url, page = browser.get("/topics")
    assert url.endswith("/sign-in?next=/studio/topics") and "Sign in" in page
    status, url, page = browser.sign_in("ana")
    assert status == 200 and url.endswith("/topics")
    assert "Recovery time" in page or "<table>" in page
    browser.post("/sign-out", {"csrf_token": browser.csrf_of(page)})
    assert browser.get("/topics")[1].endswith("/sign-in?next=/studio/topics")


def test_a_form_without_its_csrf_token_is_refused(studio):
    base, _ = studio
    browser = Browser(base)
    status, _, page = browser.sign_in("ana", token="forged")
    assert status == 403 and "did not come from the studio" in page
    status, _, page = browser.sign_in("ana")
    status, _, page = browser.post("/sign-out", {"csrf_token": "forged"})
    assert status == 403
    assert browser.get("/topics")[0] == 200  # still signed in: the forged sign-out did nothing


def test_five_wrong_passwords_lock_the_account(studio):
    base, _ = studio
    browser = Browser(base)
    for _ in range(4):
        status, _, page = browser.sign_in("lou", "wrong password here")
        assert status == 401 and "do not match" in page
    status, _, page = browser.sign_in("lou", "wrong password here")
    assert "locked" in page
    status, _, page = browser.sign_in("lou")
    assert status == 401 and "locked" in page


def test_after_signing_in_the_studio_goes_only_to_its_own_pages(studio):
    base, _ = studio
    browser = Browser(base)
    _, _, page = browser.get("/sign-in")
    status, url, _ = browser.post("/sign-in", {"name": "rui", "password": PASSWORD,
                                               "csrf_token": browser.csrf_of(page),
                                               "next": "//evil.example/studio/"})
    assert url.startswith(base) and url.endswith("/topics")


def test_oversized_or_unmeasured_forms_are_refused(studio):
    base, _ = studio
    request = urllib.request.Request(base + "/sign-in", data=b"x" * (2 * 1024 * 1024))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 413


def test_pages_carry_security_headers_and_the_log_no_password(studio):
    base, log = studio
    with urllib.request.urlopen(base + "/sign-in", timeout=10) as response:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    Browser(base).sign_in("ana")
    assert PASSWORD not in log.read_text()
