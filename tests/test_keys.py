"""Secret keys (channels/keys.py): from the environment, else created once, owner-only."""

from __future__ import annotations

import stat

from channels.keys import secret_key


def test_a_key_file_is_created_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SOME_KEY", raising=False)
    key_file = tmp_path / "state" / "some.key"
    first = secret_key("SOME_KEY", key_file)
    assert len(first) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key("SOME_KEY", key_file) == first


def test_the_environment_wins_and_no_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("SOME_KEY", "from-the-environment")
    key_file = tmp_path / "some.key"
    assert secret_key("SOME_KEY", key_file) == b"from-the-environment"
    assert not key_file.exists()
