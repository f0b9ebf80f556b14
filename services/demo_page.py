"""Serve the demo practice page (make run: http://localhost:8080): a page of the practice's
website with the README's widget snippet pasted in, loading the widget from the Rasa server
as a real practice page does. This server serves that page and nothing else.

Usage: python -m services.demo_page [--port 8080] [--interface 127.0.0.1] [--chat-server URL]
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from http.server import ThreadingHTTPServer
from pathlib import Path

from practice.facts import facts, practice_name, practice_phone
from runtime.settings import settings_or_exit
from services.small_http import QuietHandler, in_background, serve_until_interrupted

DEMO_PAGE = Path(__file__).resolve().parent.parent / "web" / "demo" / "index.html"
# The same page in Spanish, at /es/: the widget speaks the page's language.
SPANISH_DEMO_PAGE = DEMO_PAGE.with_name("es.html")
STYLE = DEMO_PAGE.with_name("demo.css")
DEFAULT_CHAT_SERVER = "http://localhost:5005"
logger = logging.getLogger(__name__)


def demo_page(chat_server_url: str, page: Path = DEMO_PAGE) -> bytes:
    phone = practice_phone()
    chat_server_url = chat_server_url.rstrip("/")
    spanish = page == SPANISH_DEMO_PAGE
    title = "Pregunte a nuestro equipo" if spanish else "Ask our spine team"
    config = {"serverUrl": chat_server_url, "phone": phone, "title": title}
    benefits = facts()["miss"]["benefits_es" if spanish else "benefits"]
    values = {
        "PRACTICE_NAME": html.escape(practice_name()),
        "MISS_BENEFITS": "\n".join(
            f"      <li>{html.escape(benefit[:1].upper() + benefit[1:])}</li>"
            for benefit in benefits),
        "PRACTICE_PHONE": html.escape(phone),
        "PRACTICE_PHONE_DIGITS": re.sub(r"\D", "", phone),
        "CHAT_SERVER_URL": html.escape(chat_server_url),
        # JSON inside <script>: "</" escaped so no value can close the tag.
        "WIDGET_CONFIG": json.dumps(config).replace("</", "<\\/"),
        # Our own stylesheet, not a value: the same for both pages.
        "STYLE": STYLE.read_text(encoding="utf-8"),
    }
    text = page.read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], text).encode()


def make_server(port: int, chat_server_url: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    page = demo_page(chat_server_url)
    spanish = demo_page(chat_server_url, SPANISH_DEMO_PAGE)

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.split("?", 1)[0] in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            elif self.path.split("?", 1)[0] in ("/es", "/es/", "/es.html"):
                self._send(200, spanish, "text/html; charset=utf-8")
            else:
                self._send(404, b"Not found", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_body(status, body, {"Content-Type": content_type,
                                          "Cache-Control": "no-cache"})

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_background(port: int, chat_server_url: str) -> ThreadingHTTPServer:
    """For tests: the demo server on a thread; call .shutdown() to stop it."""
    return in_background(make_server(port, chat_server_url))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    settings = settings_or_exit()
    parser.add_argument("--port", type=int, default=settings.demo_port)
    parser.add_argument("--interface", default=settings.demo_interface)
    parser.add_argument("--chat-server", default=settings.chat_server_url or DEFAULT_CHAT_SERVER,
                        help="the Rasa server's URL, as browsers reach it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = make_server(args.port, args.chat_server, host=args.interface)
    logger.info("Demo page: http://localhost:%s (chat: %s)", args.port, args.chat_server)
    return serve_until_interrupted(server)


if __name__ == "__main__":
    sys.exit(main())
