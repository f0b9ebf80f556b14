"""Serve the trained model to the running bot, so a newly trained model goes live by itself.

Rasa's model-server setting (`models:` in endpoints.yml) makes the Rasa server ask this
server for the model every few seconds, sending the ETag of the model it
has. The answer is 304 while the file is unchanged, and the new model when `make train`
has published another one: Rasa then swaps it in without a restart, keeping every
conversation in progress.

Listens where endpoints.yml's `models` url says (loopback): only the Rasa server asks it, and
the staff studio, which reads `/status/<model>` to tell staff when their published change is
live: the bot asking with the new model's ETag means it has swapped it in.

Usage: python -m services.model_server [--dir models]   (services/launch.py)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from services.endpoints import listen_address
from services.small_http import QuietHandler, in_background, serve_until_interrupted

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger(__name__)


def etag(path: Path) -> str:
    """Changes whenever the file is replaced (make train publishes by renaming)."""
    stat = path.stat()
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def make_server(directory: Path, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    # The ETag each model was last asked for with, and when: what the bot has loaded.
    asked: dict[str, tuple[str, float]] = {}

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            route = self.path.split("?", 1)[0]
            name = route.rsplit("/", 1)[-1]
            path = directory / name
            if not name.endswith(".tar.gz") or not path.is_file():
                self.send_error(404, "No such model")
                return
            tag = etag(path)
            if route == f"/status/{name}":
                self.send_status(tag, asked.get(name))
                return
            if self.headers.get("If-None-Match"):
                asked[name] = (self.headers["If-None-Match"], time.monotonic())
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self.send_body(200, path.read_bytes(), {"Content-Type": "application/gzip",
                                                    "ETag": tag})
            logger.info("Served %s (%s) to the bot.", name, tag)

        def send_status(self, tag: str, last_asked: tuple[str, float] | None) -> None:
            body = json.dumps({
                "model": tag,
                "bot_has": last_asked[0] if last_asked else None,
                "asked_seconds_ago": round(time.monotonic() - last_asked[1], 1)
                if last_asked else None}).encode()
            self.send_body(200, body, {"Content-Type": "application/json"})

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_background(directory: Path, port: int) -> ThreadingHTTPServer:
    return in_background(make_server(directory, port))


def main(argv: list | None = None) -> int:
    interface, port = listen_address("models")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "models")
    parser.add_argument("--port", type=int, default=port, help="instead of endpoints.yml's")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return serve_until_interrupted(make_server(args.dir, args.port, host=interface))


if __name__ == "__main__":
    sys.exit(main())
