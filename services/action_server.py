"""The action server (rasa-sdk), listening where endpoints.yml tells the Rasa server to find it.

`rasa run actions` listens on every interface (rasa-sdk's default); this listens on the host
and port of `action_endpoint` in endpoints.yml (loopback): only the Rasa server calls it.
Takes rasa-sdk's own options too (--log-file, -v, ...); --port and SANIC_HOST still override.

rasa-sdk inflates a compressed request with `zlib.decompress`, without a limit: a 380 KB body
took the process to 806 MB. Here, through rasa-sdk's plugin hook, a request body is capped and
a compressed one is inflated up to a cap before rasa-sdk sees it (413 beyond it, 400 if it is
not deflate data).

Usage: python -m services.action_server   (make actions; services/launch.py)
"""

from __future__ import annotations

import os
import sys
import zlib

import pluggy
from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from runtime.settings import settings_or_exit
from services.endpoints import listen_address

# The Rasa server sends the whole conversation with each call, compressed: a long conversation
# is tens of kilobytes. Far above that, far below what would strain the server.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
MAX_INFLATED_BYTES = 16 * 1024 * 1024

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def inflated(body: bytes) -> bytes | None:
    """The deflate data in `body`, inflated; None if it would exceed MAX_INFLATED_BYTES."""
    inflater = zlib.decompressobj()
    data = inflater.decompress(body, MAX_INFLATED_BYTES)
    if inflater.unconsumed_tail:
        return None
    return data


async def inflate_within_limits(request: Request) -> HTTPResponse | None:
    if request.headers.get("Content-Encoding") != "deflate":
        return None
    try:
        data = inflated(request.body)
    except zlib.error:
        return response.json({"error": "The body is not deflate data."}, status=400)
    if data is None:
        return response.json({"error": "The inflated body is too large."}, status=413)
    # rasa-sdk now reads the plain body as JSON.
    request.body = data
    del request.headers["Content-Encoding"]
    return None


async def http_error(_request: Request, exception: SanicException) -> HTTPResponse:
    """Sanic's own refusals (too large, bad JSON, not found) keep their status: rasa-sdk
    turns every exception into a 500 with a traceback in the log."""
    return response.json({"error": str(exception)}, status=exception.status_code)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.register_middleware(inflate_within_limits, "request")
    app.error_handler.add(SanicException, http_error)


def main(argv: list[str] | None = None) -> None:
    interface, port = listen_address("action_endpoint")
    parser = create_argument_parser()
    parser.set_defaults(actions="actions", port=port)
    args = parser.parse_args(argv)
    # rasa-sdk reads its interface from SANIC_HOST only.
    if settings_or_exit().sanic_host is None:
        os.environ["SANIC_HOST"] = interface
    plugin_manager().register(sys.modules[__name__])
    main_from_args(args)


if __name__ == "__main__":
    sys.exit(main())
