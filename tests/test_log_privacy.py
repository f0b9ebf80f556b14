"""Tracebacks logged through structlog, as `rasa run` configures it (JSON), carry no local
variables once runtime/log_privacy.py is installed: no slot value or message in the log."""

from __future__ import annotations

import io
import logging

import structlog
from rasa.utils.log_utils import configure_structlog

from runtime import log_privacy


def logged_exception() -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    try:
        slot_values = {"condition_name": "Zebulon's herniated disc"}  # noqa: F841 - a local
        try:
            {}["missing"]
        except KeyError:
            structlog.get_logger().exception("interpolator.interpolate.text")
    finally:
        logging.getLogger().removeHandler(handler)
    return stream.getvalue()


def test_a_logged_exception_keeps_its_frames_but_not_their_locals(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)  # JSON, as the servers log
    configure_structlog(logging.INFO)
    try:
        assert "Zebulon" in logged_exception()  # Rasa's own rendering shows locals
        log_privacy.install()
        logged = logged_exception()
        assert "Zebulon" not in logged
        assert "KeyError" in logged and "test_log_privacy.py" in logged
    finally:
        structlog.reset_defaults()
