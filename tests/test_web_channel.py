"""The web chat channel's own parts: the widget's files and the warning about interfaces.
(Served for real: tests/test_make_run.py, tests/test_reverse_proxy.py, tests/browser/.)"""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from channels.widget_files import STATIC, VENDOR_CACHE, WIDGET_CACHE, load_widget_files
from runtime.server import warn_if_listening_on_every_interface


def test_the_widget_is_revalidated_and_its_vendored_client_cached_for_a_day():
    files = load_widget_files()
    assert files["spine-chat.js"].cache_control == WIDGET_CACHE == "no-cache"
    assert files["vendor/socket.io.min.js"].cache_control == VENDOR_CACHE
    assert files["spine-chat.js"].content_type == "text/javascript; charset=utf-8"
    assert files["spine-chat.js"].body == (STATIC / "spine-chat.js").read_bytes()


def test_a_changed_widget_gets_a_new_etag(tmp_path):
    (tmp_path / "spine-chat.js").write_text("one")
    before = load_widget_files(tmp_path)["spine-chat.js"].etag
    (tmp_path / "spine-chat.js").write_text("two")
    assert load_widget_files(tmp_path)["spine-chat.js"].etag != before


@pytest.mark.parametrize("host, warned", [("0.0.0.0", True), ("::", True),
                                          ("127.0.0.1", False), ("localhost", False)])
def test_listening_on_every_interface_is_warned_about(caplog, host, warned):
    app = SimpleNamespace(state=SimpleNamespace(host=host))
    with caplog.at_level(logging.WARNING, logger="channels.web"):
        asyncio.run(warn_if_listening_on_every_interface(app, None))
    assert ("--interface 127.0.0.1" in caplog.text) == warned
