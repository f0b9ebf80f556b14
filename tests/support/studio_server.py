"""The staff studio for tests: `python -m studio` on a free loopback port, editing a lone clone
of the project, with an editor (ana), a reviewer (rui) and a spare editor (lou)."""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.bot_servers import ROOT, RunningBot, running_bot, wait_until_ready
from harness.clone import lone_clone
from services.model_server import serve_in_background
from services.processes import free_port, start, stop

PASSWORD = "correct horse battery"
ACCOUNTS = (("ana", "editor"), ("rui", "reviewer"), ("lou", "editor"))


@dataclass(frozen=True)
class RunningStudio:
    base: str  # http://127.0.0.1:PORT/studio
    log: Path
    project: Path  # the clone whose files it edits


def publishable_clone(parent: Path) -> Path:
    """A lone clone as a practice runs it: a git repository (the studio commits each publish),
    with the current model and Rasa's training cache (a publish retrains only what changed)."""
    project = lone_clone(parent)
    for built in ("models", ".rasa"):
        if (ROOT / built).is_dir():
            shutil.copytree(ROOT / built, project / built, symlinks=True,
                            ignore=shutil.ignore_patterns("staging"))
    # make would otherwise rebuild what it sees as older than its inputs.
    for path in [project / ".venv" / ".installed", *(project / "models").rglob("*")]:
        os.utime(path, follow_symlinks=False)
    (project / ".gitignore").write_text(".venv\nmodels/\n.rasa/\nstate/\n", encoding="utf-8")
    for command in (["init", "--quiet"], ["add", "--all"],
                    ["-c", "user.name=The practice", "-c", "user.email=it@practice.invalid",
                     "commit", "--quiet", "-m", "The project as installed"]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    return project


@contextlib.contextmanager
def publishing_studio(workdir: Path) -> Iterator[tuple[RunningStudio, RunningBot, Path]]:
    """A publishable clone, its model server and running bot, and the studio editing it and
    reading the bot's conversations: (studio, bot, clone)."""
    project = publishable_clone(workdir / "clone")
    models = serve_in_background(project / "models", free_port())
    url = f"http://127.0.0.1:{models.server_address[1]}"
    model = project / "models" / "spine-assistant.tar.gz"
    try:
        with running_bot(model, workdir=workdir / "bot",
                         model_server_url=f"{url}/{model.name}") as bot, \
                running_studio(workdir / "studio", project, f"{url}/status/{model.name}",
                               bot.workdir / "conversations.db") as studio:
            yield studio, bot, project
    finally:
        models.shutdown()


@contextlib.contextmanager
def running_studio(workdir: Path, project: Path | None = None, model_status: str = "",
                   conversations: Path | None = None,
                   secure_cookies: bool = False) -> Iterator[RunningStudio]:
    """The studio editing `project` (a lone clone, unless given); a publish asks the model
    server at `model_status` whether the bot has the new model (none: it does not wait); the
    review and the dashboard read `conversations` (the bot's database)."""
    project = project or lone_clone(workdir / "project")
    env = {"STUDIO_DATABASE": str(workdir / "studio.sqlite3"), "STUDIO_PORT": str(free_port()),
           "STUDIO_SECURE_COOKIES": "1" if secure_cookies else "0", "STUDIO_PROJECT": str(project),
           "STUDIO_MODEL_STATUS": model_status,
           "STUDIO_CONVERSATIONS": str(conversations or workdir / "no-conversations.db")}
    for name, role in ACCOUNTS:
        subprocess.run([sys.executable, "-m", "studio.users", name, "--role", role],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                       env={**os.environ, **env}, cwd=ROOT)
    log = workdir / "studio.log"
    process = start([sys.executable, "-m", "studio"], log, env)
    base = f"http://127.0.0.1:{env['STUDIO_PORT']}/studio"
    try:
        wait_until_ready(f"{base}/sign-in", process, log)
        yield RunningStudio(base, log, project)
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
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def csrf_of(self, page: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, name: str, password: str = PASSWORD, token: str | None = None):
        _, _, page = self.get("/sign-in")
        return self.post("/sign-in", {"name": name, "password": password,
                                      "csrf_token": token or self.csrf_of(page)})


ANSWER = "answer:utter_ask_phone_number:0"


def form_of(browser: Browser, page: str) -> dict[str, str]:
    """The topic form's fields as the page shows them (what a browser would send back)."""
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S)}
    fields |= {name: html.unescape(value) for name, value in
               re.findall(r'<input id="f\d+" name="([^"]+)" value="([^"]*)"', page)}
    fields["version"] = re.search(r'name="version" value="([^"]+)"', page).group(1)
    return {**fields, "csrf_token": browser.csrf_of(page)}


def contact_form(base: str, name: str = "ana") -> tuple[Browser, dict[str, str]]:
    """A browser signed in as `name`, and contact.yml's form as its page shows it."""
    browser = Browser(base)
    browser.sign_in(name)
    _, _, page = browser.get("/topics/contact.yml")
    return browser, form_of(browser, page)
