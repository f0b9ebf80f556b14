"""The action server (rasa-sdk), listening where endpoints.yml tells the Rasa server to find it.

`rasa run actions` listens on every interface (rasa-sdk's default); this listens on the host
and port of `action_endpoint` in endpoints.yml (loopback): only the Rasa server calls it.
Takes rasa-sdk's own options too (--log-file, -v, ...); --port and SANIC_HOST still override.

Usage: python -m services.action_server   (make actions; services/run.sh)
"""

from __future__ import annotations

import os
import sys

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from services.endpoints import listen_address


def main(argv: list[str] | None = None) -> None:
    interface, port = listen_address("action_endpoint")
    parser = create_argument_parser()
    parser.set_defaults(actions="actions", port=port)
    args = parser.parse_args(argv)
    # rasa-sdk reads its interface from SANIC_HOST only.
    os.environ.setdefault("SANIC_HOST", interface)
    main_from_args(args)


if __name__ == "__main__":
    sys.exit(main())
