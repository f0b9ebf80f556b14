"""What the Rasa server as a whole needs beyond Rasa's defaults, set on the app when it is built
(runtime/serve.py), whatever channels it has: a request size cap, a loud warning when listening
on every interface, one-line warnings instead of tracebacks for requests that were malformed at
the HTTP level, and old conversations deleted every hour (storage/retention.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sanic import Sanic
from sanic.exceptions import SanicException

from runtime.settings import load_settings
from storage.event_writer import database_reason
from storage.retention import PURGE_EVERY_SECONDS, purge_conversations

logger = logging.getLogger(__name__)

# Every request to this server is small (a chat message, an SMS form, a REST body): Sanic's
# default of 100 MB would let one request hold that much memory.
MAX_REQUEST_BYTES = 256 * 1024


class ClientErrorsInOneLine(logging.Filter):
    """Sanic logs a request it could not even read (bad chunked encoding, say) with a
    traceback, as if the server had failed: a client's mistake becomes one warning line, so
    that malformed traffic cannot flood the log and a real traceback still stands out."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, SanicException) and 400 <= (error.status_code or 500) < 500:
            record.msg, record.args = "Refused a malformed request: %s", (error,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure(app: Sanic) -> None:
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.register_listener(warn_if_listening_on_every_interface, "before_server_start")
    days = load_settings().conversation_retention_days
    app.register_listener(lambda app, _loop: app.add_task(purge_every_hour(app, days)),
                          "after_server_start")
    one_line = ClientErrorsInOneLine()
    for name in ("sanic.error", "sanic.root"):
        if not any(isinstance(f, ClientErrorsInOneLine) for f in logging.getLogger(name).filters):
            logging.getLogger(name).addFilter(one_line)


def sql_store(agent: Any) -> SQLTrackerStore | None:
    """The agent's SQL tracker store, inside the wrappers Rasa puts around it (FailSafe...)."""
    store = getattr(agent, "tracker_store", None)
    while store is not None and not isinstance(store, SQLTrackerStore):
        store = getattr(store, "_tracker_store", None)
    return store


async def purge_every_hour(app: Sanic, days: int) -> None:
    """Delete conversation events older than the retention period, now and every hour."""
    while True:
        store = sql_store(getattr(app.ctx, "agent", None))
        if store is not None:
            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, purge_conversations, store, days)
            except Exception as error:  # noqa: BLE001 - tried again in an hour
                logger.error("Retention: could not delete old conversations (%s).",
                             database_reason(error))
        await asyncio.sleep(PURGE_EVERY_SECONDS)


async def warn_if_listening_on_every_interface(app: Sanic, _loop: Any) -> None:
    """`rasa run` listens on every interface unless told `--interface`: say so loudly."""
    try:
        unspecified = ipaddress.ip_address(app.state.host or "").is_unspecified
    except ValueError:
        return  # a host name or a socket file
    if unspecified:
        logger.warning(
            "The Rasa server listens on every network interface (%s). Behind a reverse proxy, "
            "start it with --interface 127.0.0.1 (make run and deploy/ do).", app.state.host)
