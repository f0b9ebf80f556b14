"""The shipped nginx site (deploy/nginx/spine-assistant.conf) in front of the real servers:
patients reach the chat over HTTPS, by REST and by socket.io (WebSocket), and nothing else of
the Rasa server; bodies are capped, floods refused, security headers set."""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from harness.bot_servers import free_port, running_bot
from tests.conftest import MODEL
from tests.support.nginx import SERVER_NAME, running_proxy

pytestmark = pytest.mark.e2e
SITE_ORIGIN = "https://www.example-practice.com"
PHONE = "501-661-0077"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    workdir = tmp_path_factory.mktemp("proxy")
    with running_bot(MODEL, env={"CHAT_ALLOWED_ORIGINS": SITE_ORIGIN},
                     workdir=workdir / "bot") as bot:
        rasa_port = int(bot.rasa_url.rsplit(":", 1)[1])
        with running_proxy(rasa_port, free_port(), free_port(), workdir / "nginx") as proxy:
            proxy.rasa_log = bot.workdir / "rasa-server.log"
            yield proxy


def tls(proxy) -> ssl.SSLContext:
    """Verifies the proxy's certificate; only the name differs (we dial 127.0.0.1)."""
    context = ssl.create_default_context(cafile=str(proxy.certificate))
    context.check_hostname = False
    return context


def request(proxy, path: str, body: bytes | None = None, headers: dict | None = None,
            method: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(proxy.https_url + path, data=body, method=method,
                                 headers={"Host": SERVER_NAME, **(headers or {})})
    try:
        with urllib.request.urlopen(req, context=tls(proxy), timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def chat(proxy, message: str, sender: str | None = None) -> tuple[int, dict, list]:
    body = json.dumps({"sender": sender or f"patient-{uuid.uuid4().hex}", "message": message})
    status, headers, content = request(proxy, "/webhooks/rest/webhook", body.encode(),
                                       {"Content-Type": "application/json"})
    return status, headers, json.loads(content) if status == 200 else []


def test_a_patient_chats_over_https_through_nginx(proxy):
    status, headers, messages = chat(proxy, "what is your phone number?")
    assert status == 200
    assert PHONE in messages[0]["text"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "nginx/" not in headers.get("Server", "")  # no version for attackers to look up


def test_plain_http_is_sent_to_https(proxy):
    req = urllib.request.Request(proxy.http_url + "/webhooks/rest/webhook",
                                 headers={"Host": SERVER_NAME})
    opener = urllib.request.build_opener(NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(req, timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == f"https://{SERVER_NAME}/webhooks/rest/webhook"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("path", ["/", "/status", "/version", "/model", "/model/parse",
                                  "/conversations/someone/tracker", "/webhooks/rest/",
                                  "/webhooks/socketio/", "/widget/../endpoints.yml"])
def test_nothing_but_the_chat_reaches_the_rasa_server(proxy, path):
    assert request(proxy, path)[0] == 404


def test_the_chat_webhooks_take_only_post(proxy):
    assert request(proxy, "/webhooks/rest/webhook")[0] == 403
    assert request(proxy, "/webhooks/sms/webhook")[0] == 403


def test_a_body_over_16_kb_is_refused_before_it_reaches_rasa(proxy):
    message = json.dumps({"sender": "big", "message": "a" * 20_000}).encode()
    status, _, _ = request(proxy, "/webhooks/rest/webhook", message,
                           {"Content-Type": "application/json"})
    assert status == 413


def test_the_widget_is_served_through_nginx_with_its_cache_headers(proxy):
    status, headers, body = request(proxy, "/widget/spine-chat.js")
    assert status == 200 and b"SpineChatConfig" in body
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Content-Type"].startswith("text/javascript")
    again = request(proxy, "/widget/spine-chat.js", headers={"If-None-Match": headers["ETag"]})
    assert again[0] == 304
    vendor = request(proxy, "/widget/vendor/socket.io.min.js")
    assert vendor[0] == 200 and "max-age=" in vendor[1]["Cache-Control"]


def converse_over_socketio(proxy, origin: str, message: str) -> list[str]:
    """A socket.io client as the widget is one: WebSocket through nginx, the session id the
    server confirms, a question, the bot's answers."""
    # websocket-client sends an Origin of its own unless told which (a header would be a second).
    # The clients' own logs are printed only with a failing test's output.
    client = socketio.Client(ssl_verify=False, reconnection=False, logger=True,
                             engineio_logger=True, websocket_extra_options={"origin": origin})
    answers: list[str] = []
    confirmed = threading.Event()
    session: list[str] = []
    client.on("session_confirm", lambda session_id: (session.append(session_id), confirmed.set()))
    client.on("bot_uttered", lambda data: answers.append(data.get("text", "")))
    client.connect(proxy.https_url, transports=["websocket"], wait_timeout=20)
    try:
        assert client.transport() == "websocket"
        client.emit("session_request", {"session_id": uuid.uuid4().hex})
        assert confirmed.wait(20), "no session_confirm"
        # A new conversation opens with the privacy notice; the answer comes after it.
        deadline = time.monotonic() + 20
        while not answers and time.monotonic() < deadline:
            time.sleep(0.05)
        assert answers and "automated assistant" in answers[0], answers
        client.emit("user_uttered", {"message": message, "session_id": session[0]})
        deadline = time.monotonic() + 60
        while len(answers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        return answers[1:]
    finally:
        client.disconnect()


def test_the_widgets_socketio_chat_works_through_nginx(proxy):
    answers = converse_over_socketio(proxy, SITE_ORIGIN, "what is MIG-LIF?")
    assert any("Scott Schlesinger" in answer for answer in answers), (
        answers, proxy.rasa_log.read_text()[-3000:], proxy.access_log.read_text()[-1500:])


def test_a_page_from_another_origin_cannot_chat_through_nginx(proxy):
    with pytest.raises(socketio.exceptions.ConnectionError):
        converse_over_socketio(proxy, "https://evil.example", "hello")


def test_the_access_log_keeps_no_query_strings(proxy):
    converse_over_socketio(proxy, SITE_ORIGIN, "hello")
    log = proxy.access_log.read_text()
    assert "/socket.io/" in log and "EIO=" not in log and "sid=" not in log


def test_a_flood_from_one_address_is_refused(proxy):
    statuses = [request(proxy, "/widget/spine-chat.js", method="HEAD")[0] for _ in range(60)]
    assert 429 in statuses
    assert statuses[0] == 200


def test_an_ipv6_client_is_limited_per_64_whichever_addresses_it_uses(proxy):
    def head_from(address: str) -> int:
        return request(proxy, "/widget/spine-chat.js", method="HEAD",
                       headers={"X-Forwarded-For": address})[0]

    statuses = [head_from(f"2001:db8:77:1:{n:x}::1") for n in range(60)]
    assert statuses[0] == 200 and 429 in statuses
    assert head_from("2001:db8:77:2::1") == 200  # the neighbouring /64 is someone else
    assert head_from("203.0.113.77") == 200
