"""Shared fixtures: a real local HTTP server that serves notice feeds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from services.launch import MODEL  # noqa: F401 (the tests import it from here)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"


class FeedServer:
    """Serves `body` with `status` after `delay` seconds; tests change them between requests.
    `writes` > 1 sends the body in that many pieces, a moment apart, without a length (as a
    slow or streaming server does); a path in `redirects` is redirected to its location."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.delay = 0.0
        self.writes = 1
        self.redirects: dict[str, str] = {}
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests += 1
                time.sleep(server.delay)
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(server.status)
                self.send_header("Content-Type", "application/rss+xml")
                if server.writes == 1:
                    self.send_header("Content-Length", str(len(server.body)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                size = max(1, -(-len(server.body) // server.writes))  # an empty body too
                try:
                    for start in range(0, len(server.body), size):
                        self.wfile.write(server.body[start:start + size])
                        self.wfile.flush()
                        if server.writes > 1:
                            time.sleep(0.05)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what the timeout tests want

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/notices.xml"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def module_feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """tests/output/: what tests leave for people to look at (screenshots, figures)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="module")
def action_url() -> Iterator[str]:
    """The real action server's webhook, for an agent loaded in the test's own process."""
    from harness.bot_servers import running_action_server
    with running_action_server() as (url, _pid, _log):
        yield f"{url}/webhook"
