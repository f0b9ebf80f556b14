"""The SMS channel's rate limit: SMS_RATE_LIMIT (checked with the other settings:
tests/test_settings.py), else credentials.yml's, where a typo means the default."""

from __future__ import annotations

import pytest

from channels.sms import DEFAULT_RATE_LIMIT, rate_limit


@pytest.mark.parametrize("setting, credentials, expected", [
    (None, {}, DEFAULT_RATE_LIMIT),
    (None, {"rate_limit": 5}, 5),
    (12, {"rate_limit": 5}, 12),
    (None, {"rate_limit": "x"}, DEFAULT_RATE_LIMIT),
    (None, {"rate_limit": 0}, DEFAULT_RATE_LIMIT),
])
def test_rate_limit_setting(setting, credentials, expected):
    assert rate_limit(setting, credentials) == expected
