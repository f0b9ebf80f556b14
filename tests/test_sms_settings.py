"""The SMS channel's settings from the environment: a blank or wrong value means the default,
never a server that does not start."""

from __future__ import annotations

import pytest

from channels.sms import DEFAULT_RATE_LIMIT, rate_limit


@pytest.mark.parametrize("setting, credentials, expected", [
    ("", {}, DEFAULT_RATE_LIMIT),
    ("  ", {"rate_limit": 5}, 5),
    ("12", {"rate_limit": 5}, 12),
    ("many", {}, DEFAULT_RATE_LIMIT),
    ("0", {}, DEFAULT_RATE_LIMIT),
    ("", {"rate_limit": "x"}, DEFAULT_RATE_LIMIT),
])
def test_rate_limit_setting(setting, credentials, expected):
    assert rate_limit(setting, credentials) == expected
