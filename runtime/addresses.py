"""Whether a peer or a host is this machine: the one rule, for the channels' rate limits (whose
proxy header to believe) and the notice feed (which plain-http URL to read)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str, *, by_name: bool = False) -> bool:
    """Whether `host` is a loopback address. A peer is always an address; with `by_name`, a
    URL's host may also be the name "localhost", which resolves to loopback by definition
    (RFC 6761); any other name could resolve anywhere."""
    if by_name and host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
