"""Whether a peer or a URL's host is this machine (runtime/addresses.py)."""

from __future__ import annotations

import pytest

from runtime.addresses import is_loopback


@pytest.mark.parametrize("host, peer, url_host", [
    ("127.0.0.1", True, True), ("127.8.9.10", True, True), ("::1", True, True),
    ("localhost", False, True), ("LOCALHOST", False, True), ("10.0.0.1", False, False),
    ("::ffff:203.0.113.7", False, False), ("localhost.evil.example", False, False),
    ("", False, False), ("unix:/run/rasa.sock", False, False)])
def test_a_peer_must_be_a_loopback_address_a_url_may_also_say_localhost(host, peer, url_host):
    assert is_loopback(host) is peer
    assert is_loopback(host, by_name=True) is url_host
