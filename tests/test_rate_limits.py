"""Rate limits (channels/rate_limits.py): bounded memory, and whose address a request has."""

from __future__ import annotations

import pytest

from channels.rate_limits import (
    ALLOW,
    DROP,
    WARN,
    ChannelLimits,
    RateLimiter,
    client_address,
    network_of,
)


def test_memory_stays_bounded_however_many_senders_a_flood_invents():
    limiter = RateLimiter(limit=3, window=60, max_keys=100)
    for number in range(10_000):
        limiter.check(f"invented-{number}")
    assert len(limiter) == 100


def test_a_sender_over_the_limit_stays_limited_while_others_come_and_go():
    now = [0.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0], max_keys=10)
    assert [limiter.check("flooder") for _ in range(4)] == [ALLOW, ALLOW, WARN, DROP]
    for number in range(5):
        limiter.check(f"other-{number}")
    assert limiter.check("flooder") == DROP
    now[0] += 61
    assert limiter.check("flooder") == ALLOW


def test_a_request_from_this_host_without_a_proxy_has_no_address():
    assert client_address("127.0.0.1", None) is None
    assert client_address("::1", "") is None


def test_the_proxy_names_the_client_and_only_the_proxy_is_believed():
    assert client_address("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert client_address("127.0.0.1", "10.0.0.1, 203.0.113.7") == "203.0.113.7"
    # A client that reaches the bot directly cannot choose its address by a header.
    assert client_address("198.51.100.4", "203.0.113.7") == "198.51.100.4"
    assert len(client_address("127.0.0.1", "x" * 10_000)) <= 64


@pytest.mark.parametrize("settings", [{}, {"rate_limit": 0}, {"rate_limit": "many"},
                                      {"rate_limit": None}])
def test_a_bad_setting_means_the_default_not_no_limit(settings):
    limits = ChannelLimits.from_credentials("REST", settings, 20, 60)
    assert limits.per_sender.limit == 20 and limits.per_address.limit == 60


def test_settings_from_credentials_are_used():
    limits = ChannelLimits.from_credentials(
        "REST", {"rate_limit": 5, "address_rate_limit": "7", "rate_window_seconds": 30}, 20, 60)
    assert (limits.per_sender.limit, limits.per_address.limit, limits.window) == (5, 7, 30)
    assert limits.check_address(None) == ALLOW


@pytest.mark.parametrize("address, network", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("not an address", "not an address"),
])
def test_an_ipv6_address_counts_as_its_64_and_ipv4_as_itself(address, network):
    assert network_of(address) == network


def test_one_ipv6_64_is_one_client_however_many_addresses_it_uses():
    limits = ChannelLimits(RateLimiter(100, 60), RateLimiter(3, 60))
    verdicts = [limits.check_address(f"2001:db8:1:2::{n:x}") for n in range(5000)]
    assert verdicts[:3] == [ALLOW] * 3 and verdicts[3] == WARN and set(verdicts[4:]) == {DROP}
    assert limits.check_address("2001:db8:1:3::1") == ALLOW  # the neighbour's /64
