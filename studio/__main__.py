"""`make studio`: the staff studio on loopback (STUDIO_HOST, STUDIO_PORT), for nginx to serve."""

from __future__ import annotations

import logging

import uvicorn

from studio.app import create_app
from studio.settings import StudioSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = StudioSettings.from_environment()
    # Access logs name the page, never a form's content; proxy headers from nginx on loopback.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", server_header=False, ws="none",
                limit_concurrency=64, timeout_keep_alive=5)


if __name__ == "__main__":
    main()
