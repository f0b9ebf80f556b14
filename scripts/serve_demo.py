"""Serve the demo practice page with the chat widget on it (make run: http://localhost:8080).

    /                 the demo page (web/demo/index.html, filled in)
    /widget/<file>    the widget and its vendored socket.io client (web/static/)

Usage: python -m scripts.serve_demo [--port 8080] [--chat-server URL]
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import mimetypes
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from channels.practice_info import practice_phone

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = WEB / "static"
logger = logging.getLogger(__name__)


def demo_page(chat_server_url: str) -> bytes:
    phone = practice_phone()
    page = (WEB / "demo" / "index.html").read_text(encoding="utf-8")
    config = {"phone": phone, "title": "Ask our spine team"}
    if chat_server_url:
        config["serverUrl"] = chat_server_url
    values = {
        "PRACTICE_PHONE": html.escape(phone),
        "PRACTICE_PHONE_DIGITS": re.sub(r"\D", "", phone),
        # JSON inside <script>: "</" escaped so no value can close the tag.
        "WIDGET_CONFIG": json.dumps(config).replace("</", "<\\/"),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], page).encode()


def make_server(port: int, chat_server_url: str, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    page = demo_page(chat_server_url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
                return
            if path.startswith("/widget/"):
                # resolve() and the parent check keep requests inside web/static/.
                target = (STATIC / path[len("/widget/"):]).resolve()
                if STATIC.resolve() in target.parents and target.is_file():
                    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                    self._send(200, target.read_bytes(), kind)
                    return
            self._send(404, b"Not found", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            logger.debug(format, *args)

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_background(port: int, chat_server_url: str) -> ThreadingHTTPServer:
    """For tests: the demo server on a thread; call .shutdown() to stop it."""
    server = make_server(port, chat_server_url, host="127.0.0.1")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8080")))
    parser.add_argument("--chat-server", default=os.environ.get("CHAT_SERVER_URL", ""),
                        help="the Rasa server's URL (default: the page's host, port 5005)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = make_server(args.port, args.chat_server)
    logger.info("Demo page: http://localhost:%s", args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
