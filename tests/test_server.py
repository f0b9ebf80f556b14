"""Server-wide settings (runtime/server.py): a client's malformed request is one log line."""

from __future__ import annotations

import logging
import sys

from sanic.exceptions import InvalidUsage

from runtime.server import ClientErrorsInOneLine


def record_of(error: Exception) -> logging.LogRecord:
    try:
        raise error
    except Exception:  # noqa: BLE001
        info = sys.exc_info()
    return logging.LogRecord("sanic.error", logging.ERROR, __file__, 1,
                             "protocol.connection_task uncaught", (), info)


def test_a_malformed_request_is_one_warning_line_without_a_traceback():
    record = record_of(InvalidUsage("Bad chunked encoding"))
    assert ClientErrorsInOneLine().filter(record)
    assert record.levelname == "WARNING" and record.exc_info is None
    assert record.getMessage() == "Refused a malformed request: Bad chunked encoding"


def test_a_real_failure_keeps_its_traceback():
    record = record_of(RuntimeError("the server broke"))
    assert ClientErrorsInOneLine().filter(record)
    assert record.levelname == "ERROR" and record.exc_info is not None
