"""The staff studio's web application: sign-in, roles, and the pages built on the project's files.

Starlette with Jinja2 templates and plain forms: small, well kept, no front-end build step, and
apart from the bot's own server (Rasa's Sanic), so a studio fault never touches patients.
Every page is under /studio/ so that it reads the same on loopback and behind nginx.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import logging
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from ruamel.yaml.error import YAMLError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from staff.topic_files import Topic, read_topics
from studio import history, patient_questions, topic_editing
from studio.accounts import Session, StaffStore, same_token
from studio.publishing import Publisher, RefusedError, unpublished
from studio.settings import StudioSettings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PREFIX = "/studio"
SESSION_COOKIE = "studio_session"
SIGN_IN_COOKIE = "studio_sign_in"  # the sign-in form's own CSRF token (no session yet)
MAX_FORM_BYTES = 256 * 1024
# Failed sign-ins per client address a minute, and argon2 checks at once: a flood of tries can
# neither guess nor starve the server (each check takes 64 MiB and a few hundred ms).
SIGN_INS_PER_MINUTE = 10
HASHING_AT_ONCE = 2
WRONG_OR_LOCKED = ("That name and password do not match an account, or the account is locked "
                   "for 15 minutes after 5 wrong passwords. Ask an editor to reset it if you "
                   "cannot wait.")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))


class Guard:
    """Every request: bounded bodies, security headers; every form: its CSRF token."""

    def __init__(self, app: Callable, settings: StudioSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                await PlainTextResponse("A form must say its length.", 411)(scope, receive, send)
                return
            if int(length) > MAX_FORM_BYTES:
                await PlainTextResponse("That form is too large.", 413)(scope, receive, send)
                return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def store_of(request: Request) -> StaffStore:
    return request.app.state.store


def settings_of(request: Request) -> StudioSettings:
    return request.app.state.settings


def current_session(request: Request) -> Session | None:
    return store_of(request).session(request.cookies.get(SESSION_COOKIE))


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True,
                        samesite="strict", secure=settings_of(request).secure_cookies)


Page = Callable[[Request, Session], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def signed_in(role: str | None = None) -> Callable[[Page], Endpoint]:
    """A page for staff signed in (in this role, if given); a form must carry the CSRF token."""
    def wrap(page: Page) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            session = current_session(request)
            if session is None:
                return RedirectResponse(f"{PREFIX}/sign-in?next={quote(request.url.path)}", 303)
            if role is not None and session.role != role:
                return render(request, "refused.html", session, status_code=403,
                              reason=f"This needs the {role} role; you are a {session.role}.")
            if request.method == "POST":
                form = await request.form()
                if not same_token(session.csrf_token, form.get("csrf_token")):
                    return refused_form(request, session)
            return await page(request, session)
        return endpoint
    return wrap


def refused_form(request: Request, session: Session | None) -> Response:
    return render(request, "refused.html", session, status_code=403,
                  reason="This form is out of date or did not come from the studio. "
                         "Go back, reload the page and try again.")


def render(request: Request, template: str, session: Session | None,
           status_code: int = 200, **context: object) -> Response:
    return templates.TemplateResponse(request, template, {
        "session": session, "prefix": PREFIX, **context}, status_code=status_code)


async def home(request: Request) -> Response:
    target = "dashboard" if current_session(request) else "sign-in"
    return RedirectResponse(f"{PREFIX}/{target}", 303)


async def sign_in_page(request: Request, problem: str = "", status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", None, status_code=status_code, problem=problem,
                      csrf_token=token, next=safe_next(request.query_params.get("next")))
    set_cookie(response, request, SIGN_IN_COOKIE, token, max_age=3600)
    return response


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a studio page only (never another site)."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//"):
        return target
    return f"{PREFIX}/topics"


class SignInLimit:
    """At most SIGN_INS_PER_MINUTE failed tries a minute from one client address."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def exceeded(self, client: str) -> bool:
        recent = self.failures[client]
        while recent and time.monotonic() - recent[0] > 60:
            recent.popleft()
        return len(recent) >= SIGN_INS_PER_MINUTE

    def failed(self, client: str) -> None:
        self.failures[client].append(time.monotonic())


async def sign_in(request: Request) -> Response:
    form = await request.form()
    if not same_token(request.cookies.get(SIGN_IN_COOKIE, ""), form.get("csrf_token")):
        return refused_form(request, None)
    client = request.client.host if request.client else "unknown"
    if request.app.state.sign_in_limit.exceeded(client):
        return await sign_in_page(request, "Too many tries from here. Wait a minute and try "
                                  "again.", status_code=429)
    async with request.app.state.hashing:
        outcome = await run_in_threadpool(store_of(request).sign_in, str(form.get("name", "")),
                                          str(form.get("password", "")))
    if outcome.token is None:
        request.app.state.sign_in_limit.failed(client)
        return await sign_in_page(request, WRONG_OR_LOCKED, status_code=401)
    response = RedirectResponse(safe_next(str(form.get("next", ""))), 303)
    set_cookie(response, request, SESSION_COOKIE, outcome.token)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@signed_in()
async def sign_out(request: Request, session: Session) -> Response:
    store_of(request).sign_out(request.cookies[SESSION_COOKIE])
    response = RedirectResponse(f"{PREFIX}/sign-in", 303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@signed_in()
async def topics(request: Request, session: Session) -> Response:
    found, problems = read_topics(settings_of(request).topics)
    rows = [{"file": topic.path.name, "intent": intent, "title": title_of(topic, intent),
             "questions": len(examples)}
            for topic in found for intent, examples in topic.examples.items()]
    return render(request, "topics.html", session, rows=rows, problems=problems)


def topic_file(request: Request) -> Path | None:
    """The topic file a page names, only if it is one of the topic files (no other path)."""
    name = request.path_params["name"]
    folder = settings_of(request).topics
    return next((path for path in folder.glob("*.yml") if path.name == name), None)


@signed_in()
async def topic_page(request: Request, session: Session) -> Response:
    path = topic_file(request)
    if path is None:
        return render(request, "refused.html", session, status_code=404,
                      reason="There is no such topic file.")
    fields = topic_editing.fields_of(path, path.read_text(encoding="utf-8"))
    return topic_form(request, session, path, fields)


def topic_form(request: Request, session: Session, path: Path,
               fields: list[topic_editing.Field], saved: bool = False,
               unplaced: list[str] | None = None, status_code: int = 200,
               version: str | None = None) -> Response:
    """The topic's form; `version` names the file the form edits (the file as it is now)."""
    return render(request, "topic.html", session, path=path, fields=fields, saved=saved,
                  unplaced=unplaced or [], previews=topic_editing.previews(fields),
                  version=version or version_of(path.read_text(encoding="utf-8")),
                  status_code=status_code)


@signed_in(role="editor")
async def save_topic(request: Request, session: Session) -> Response:
    if (busy := publishing_now(request, session)) is not None:
        return busy
    path = topic_file(request)
    if path is None:
        return render(request, "refused.html", session, status_code=404,
                      reason="There is no such topic file.")
    form = await request.form()
    # One save of a file at a time, and only of the version the form was made from.
    async with request.app.state.file_locks[path.name]:
        text = path.read_text(encoding="utf-8")
        fields = topic_editing.fields_of(path, text)
        if form.get("version") != version_of(text):
            return topic_form(request, session, path, fields, status_code=409, unplaced=[
                "Someone saved this file after you opened it. Their version is shown below: "
                "make your change again on it."])
        typed = {f.key: str(form[f.key]).replace("\r\n", "\n") for f in fields if f.key in form}
        changed = {key: value for key, value in typed.items()
                   if value != next(f.value for f in fields if f.key == key)}
        if not changed:
            return topic_form(request, session, path, fields, unplaced=["Nothing was changed."])
        unreadable = topic_editing.unwritable_characters(changed)
        if unreadable:
            for f in fields:
                f.value = typed.get(f.key, f.value)
                f.problems = unreadable.get(f.key, [])
            return topic_form(request, session, path, fields, status_code=422)
        try:
            new_text = topic_editing.edited(text, changed)
            topic_editing.fields_of(path, new_text)
        except (ValueError, YAMLError):
            logger.exception("Studio: an edit of %s could not be written", path.name)
            return topic_form(request, session, path, fields, status_code=422, unplaced=[
                "This change cannot be written into the file. Check for unusual characters "
                "and try again."])
        problems = await run_in_threadpool(topic_editing.problems_of_edit,
                                           settings_of(request).topics.parent, path, new_text)
        if problems:
            # The new file's own lines place each problem beside its field.
            fields = topic_editing.fields_of(path, new_text)
            unplaced = topic_editing.place_problems(fields, problems, path)
            return topic_form(request, session, path, fields, unplaced=unplaced,
                              status_code=422, version=version_of(text))
        topic_editing.write_atomically(path, new_text)
    store_of(request).record(session.name, f"edited {path.name}: {', '.join(sorted(changed))}")
    return topic_form(request, session, path, topic_editing.fields_of(path, new_text), saved=True)


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def title_of(topic: Topic, intent: str) -> str:
    title = topic.metadata.get(intent, {}).get("title")
    return str(title.value) if title is not None else intent


@signed_in()
async def changes(request: Request, session: Session) -> Response:
    return render(request, "changes.html", session, changes=store_of(request).changes())


@signed_in()
async def publish_page(request: Request, session: Session) -> Response:
    return await show_publish(request, session)


async def show_publish(request: Request, session: Session, refusal: str = "",
                       status_code: int = 200) -> Response:
    publisher = publisher_of(request)
    try:
        waiting = await run_in_threadpool(unpublished, settings_of(request).project)
    except RefusedError as refused:
        waiting, refusal, status_code = [], refusal or str(refused), 409
    return render(request, "publish.html", session, waiting=waiting, refusal=refusal,
                  publish=publisher.current, status_code=status_code)


@signed_in(role="editor")
async def publish(request: Request, session: Session) -> Response:
    return await start_publish(request, session)


async def start_publish(request: Request, session: Session,
                        roll_back_to: str | None = None) -> Response:
    try:
        await run_in_threadpool(publisher_of(request).start, session.name, roll_back_to)
    except RefusedError as refusal:
        return await show_publish(request, session, str(refusal), 409)
    return RedirectResponse(f"{PREFIX}/publish", 303)


def publisher_of(request: Request) -> Publisher:
    return request.app.state.publisher


def publishing_now(request: Request, session: Session) -> Response | None:
    """A save while a publish runs would be committed untrained: refused until it ends."""
    current = publisher_of(request).current
    if current is None or not current.running:
        return None
    return render(request, "refused.html", session, status_code=409,
                  reason=f"{current.by} is publishing now. Wait for it to finish (the Publish "
                         "page shows it), then save again.")


@signed_in()
async def history_page(request: Request, session: Session) -> Response:
    found = await run_in_threadpool(history.versions, settings_of(request).project)
    return render(request, "history.html", session, versions=found)


@signed_in()
async def version_page(request: Request, session: Session) -> Response:
    project = settings_of(request).project
    found = await run_in_threadpool(history.version, project, request.path_params["commit"])
    if found is None:
        return render(request, "refused.html", session, status_code=404,
                      reason="There is no such version.")
    files = await run_in_threadpool(history.changes_of, project, found.commit)
    newest = (await run_in_threadpool(history.versions, project, 1))[0]
    return render(request, "version.html", session, version=found, files=files,
                  newest=found.commit == newest.commit)


@signed_in(role="editor")
async def roll_back(request: Request, session: Session) -> Response:
    found = await run_in_threadpool(history.version, settings_of(request).project,
                                    request.path_params["commit"])
    if found is None:
        return render(request, "refused.html", session, status_code=404,
                      reason="There is no such version.")
    return await start_publish(request, session, roll_back_to=found.commit)


NEW_TOPIC = HERE / "new_topic.yml"
SLUG = re.compile(r"[a-z][a-z0-9_]{2,39}")
NEW_TOPIC_FIELDS = [  # (form key, label, hint, several lines)
    ("name", "Short name", "Lower-case letters, digits and _, such as visiting_hours: it names "
     "the file and the topic, and cannot be changed later.", False),
    ("title", "Title (English)", "What the topic is offered as when the assistant is unsure.",
     False),
    ("title_es", "Title (Spanish)", "", False),
    ("examples", "Example questions, one a line", "At least 10 (about 20 is best): patients' "
     "ways of asking, in English and Spanish, as varied as they really are.", True),
    ("answer", "Answer (English)", "", True),
    ("answer_es", "Answer (Spanish)", "", True),
]


@signed_in(role="editor")
async def new_topic_page(request: Request, session: Session) -> Response:
    return render(request, "new_topic.html", session, fields=NEW_TOPIC_FIELDS, values={})


@signed_in(role="editor")
async def create_topic(request: Request, session: Session) -> Response:
    """A topic file from the template (studio/new_topic.yml), filled from the form, checked
    by `make check`'s rules like every edit, and saved; publishing makes it live."""
    if (busy := publishing_now(request, session)) is not None:
        return busy
    form = await request.form()
    values = {key: str(form.get(key, "")).replace("\r\n", "\n").strip()
              for key, *_ in NEW_TOPIC_FIELDS}

    def refused(problems: list[str]) -> Response:
        return render(request, "new_topic.html", session, fields=NEW_TOPIC_FIELDS,
                      values=values, problems=problems, status_code=422)

    slug = values["name"]
    if not SLUG.fullmatch(slug):
        return refused(["The short name takes 3 to 40 lower-case letters, digits and _, "
                        "starting with a letter."])
    if any(not value for value in values.values()):
        return refused(["Every field is needed."])
    unreadable = topic_editing.unwritable_characters(values)
    if unreadable:
        return refused([message for messages in unreadable.values() for message in messages])
    topics_folder = settings_of(request).topics
    path = topics_folder / f"{slug}.yml"
    intent, response = f"ask_{slug}", f"utter_ask_{slug}"
    if path.exists() or any(intent == choice[0] for choice in topic_choices(request)):
        return refused([f"There is a topic named {slug} already: choose another name."])
    text = topic_editing.edited(NEW_TOPIC.read_text(encoding="utf-8").replace("SLUG", slug), {
        f"title:{intent}": values["title"], f"title_es:{intent}": values["title_es"],
        f"examples:{intent}": values["examples"], f"answer:{response}:0": values["answer"],
        f"answer:{response}:1": values["answer_es"]})
    async with request.app.state.file_locks[path.name]:
        problems = await run_in_threadpool(topic_editing.problems_of_edit,
                                           topics_folder.parent, path, text)
        if problems:
            return refused([problem.message for problem in problems])
        topic_editing.write_atomically(path, text)
    store_of(request).record(session.name, f"added the topic {slug} ({path.name})")
    fields = topic_editing.fields_of(path, text)
    return topic_form(request, session, path, fields, saved=True)


REVIEW_DAYS = (7, 30, 90)
DASHBOARD_WEEKS = 12


def days_of(request: Request) -> int:
    value = request.query_params.get("days", "30")
    return int(value) if value.isdigit() and int(value) in REVIEW_DAYS else 30


def patient_turns(request: Request, days: int) -> tuple[list, dict] | None:
    """The last `days` days of conversations, or None when there is no SQLite store to read."""
    db = settings_of(request).conversations_db
    if db is None:
        return None
    if not db.exists():
        return [], {}
    return patient_questions.turns(db, days)


async def review_groups(request: Request, days: int) -> list[patient_questions.Group] | None:
    found = await run_in_threadpool(patient_turns, request, days)
    if found is None:
        return None
    return await run_in_threadpool(patient_questions.review, found[0],
                                   store_of(request).dismissed())


def topic_choices(request: Request) -> list[tuple[str, str, Path]]:
    """(intent, title, file) of every topic with example questions, by title."""
    found, _ = read_topics(settings_of(request).topics)
    return sorted(((intent, title_of(topic, intent), topic.path) for topic in found
                   for intent in topic.examples), key=lambda choice: choice[1].lower())


@signed_in()
async def review_page(request: Request, session: Session) -> Response:
    return await show_review(request, session)


async def show_review(request: Request, session: Session, notice: str = "",
                      problems: list[str] | None = None, status_code: int = 200) -> Response:
    days = days_of(request)
    groups = await review_groups(request, days)
    return render(request, "review.html", session, groups=(groups or [])[:100],
                  readable=groups is not None, days=days, choices=REVIEW_DAYS,
                  topics=topic_choices(request), notice=notice, problems=problems or [],
                  status_code=status_code)


async def chosen_group(request: Request) -> patient_questions.Group | None:
    form = await request.form()
    groups = await review_groups(request, days_of(request)) or []
    return next((g for g in groups if g.key == form.get("group")), None)


@signed_in(role="editor")
async def dismiss(request: Request, session: Session) -> Response:
    group = await chosen_group(request)
    if group is None:
        return await show_review(request, session, problems=[
            "That group is gone (taught or set aside meanwhile)."], status_code=409)
    store_of(request).dismiss([patient_questions.key_of(t) for t in group.texts], session.name)
    store_of(request).record(session.name, f"set aside a review group of {group.count} "
                                           f"question(s)")
    return await show_review(request, session, notice="Set aside.")


@signed_in(role="editor")
async def teach(request: Request, session: Session) -> Response:
    """The chosen questions of a group become example questions of a topic (then publish)."""
    if (busy := publishing_now(request, session)) is not None:
        return busy
    group = await chosen_group(request)
    form = await request.form()
    intent = str(form.get("intent", ""))
    topic = next((c for c in topic_choices(request) if c[0] == intent), None)
    chosen = [text for text in form.getlist("text") if text in (group.teachable if group else [])
              and not topic_editing.unwritable_characters({"text": text})]
    if group is None or topic is None or not chosen:
        return await show_review(request, session, status_code=422, problems=[
            "Choose a topic and at least one question (a question with a hidden detail in "
            "brackets cannot be taught as it is)."])
    path = topic[2]
    async with request.app.state.file_locks[path.name]:
        text = path.read_text(encoding="utf-8")
        field = next(f for f in topic_editing.fields_of(path, text)
                     if f.key == f"examples:{intent}")
        known = {line.strip().lower() for line in field.value.splitlines()}
        added = [question for question in chosen if question.lower() not in known]
        new_text = topic_editing.edited(text, {field.key: "\n".join(
            [field.value, *added])}) if added else text
        problems = await run_in_threadpool(topic_editing.problems_of_edit,
                                           settings_of(request).topics.parent, path, new_text)
        if problems:
            return await show_review(request, session, status_code=422, problems=[
                problem.message for problem in problems])
        if added:
            topic_editing.write_atomically(path, new_text)
    store_of(request).dismiss([patient_questions.key_of(t) for t in group.texts], session.name)
    store_of(request).record(session.name, f"taught {len(added)} review question(s) to "
                                           f"{intent} ({path.name})")
    return await show_review(request, session, notice=(
        f"Added {len(added)} question(s) to “{topic[1]}”. Publish to make the assistant "
        f"answer them."))


@signed_in()
async def dashboard_page(request: Request, session: Session) -> Response:
    found = await run_in_threadpool(patient_turns, request, DASHBOARD_WEEKS * 7)
    figures = None if found is None else await run_in_threadpool(
        patient_questions.dashboard, found[0], found[1], DASHBOARD_WEEKS)
    return render(request, "dashboard.html", session, figures=figures,
                  weeks=DASHBOARD_WEEKS,
                  # Counts and names only; "<" escaped all the same, so no value ends the script.
                  charts=None if figures is None else json.dumps(vars(figures)).replace(
                      "<", "\\u003c"))


def create_app(settings: StudioSettings | None = None) -> Starlette:
    settings = settings or StudioSettings.from_environment()
    app = Starlette(routes=[
        Route(f"{PREFIX}/", home),
        Route(f"{PREFIX}/sign-in", sign_in_page, methods=["GET"]),
        Route(f"{PREFIX}/sign-in", sign_in, methods=["POST"]),
        Route(f"{PREFIX}/sign-out", sign_out, methods=["POST"]),
        Route(f"{PREFIX}/topics", topics),
        Route(f"{PREFIX}/topics/new", new_topic_page, methods=["GET"]),
        Route(f"{PREFIX}/topics/new", create_topic, methods=["POST"]),
        Route(f"{PREFIX}/topics/{{name}}", topic_page, methods=["GET"]),
        Route(f"{PREFIX}/topics/{{name}}", save_topic, methods=["POST"]),
        Route(f"{PREFIX}/changes", changes),
        Route(f"{PREFIX}/publish", publish_page, methods=["GET"]),
        Route(f"{PREFIX}/publish", publish, methods=["POST"]),
        Route(f"{PREFIX}/history", history_page),
        Route(f"{PREFIX}/review", review_page, methods=["GET"]),
        Route(f"{PREFIX}/review/teach", teach, methods=["POST"]),
        Route(f"{PREFIX}/review/dismiss", dismiss, methods=["POST"]),
        Route(f"{PREFIX}/dashboard", dashboard_page),
        Route(f"{PREFIX}/history/{{commit}}", version_page, methods=["GET"]),
        Route(f"{PREFIX}/history/{{commit}}/roll-back", roll_back, methods=["POST"]),
        Mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], middleware=[Middleware(Guard, settings=settings)])
    app.state.settings = settings
    app.state.store = StaffStore(settings.database)
    app.state.sign_in_limit = SignInLimit()
    app.state.hashing = asyncio.Semaphore(HASHING_AT_ONCE)
    app.state.file_locks = defaultdict(asyncio.Lock)
    app.state.publisher = Publisher(settings.project, settings.model_status_url,
                                    app.state.store.record, settings.publish_log)
    # `make check`'s rules load Rasa's pieces (seconds): loaded now, so the first save is quick.
    threading.Thread(target=importlib.import_module, args=("staff.check",), daemon=True).start()
    return app
