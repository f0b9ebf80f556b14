"""What the small HTTP servers in services/ (the model server, the demo page) share: request
lines logged at debug level only, a thread for tests, and serving until Ctrl-C."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

logger = logging.getLogger(__name__)


class QuietHandler(BaseHTTPRequestHandler):
    """http.server writes every request to stderr; here it is a debug line."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug(format, *args)

    def send_body(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def in_background(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    """For tests: `server` on a thread of its own; call .shutdown() to stop it."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_until_interrupted(server: ThreadingHTTPServer) -> int:
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
