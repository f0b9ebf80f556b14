"""Secret keys (channels/keys.py): from the settings, else a key file created once, whole,
owner-only; a short, empty or non-hexadecimal key is refused."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from pydantic import SecretStr

from channels.keys import UnsafeKeyError, secret_key

GOOD = "a1" * 32


def test_a_key_file_is_created_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "state" / "some.key"
    first = secret_key("SOME_KEY", None, key_file)
    assert len(bytes.fromhex(first.decode())) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key("SOME_KEY", None, key_file) == first
    assert [p.name for p in key_file.parent.iterdir()] == ["some.key"]  # no temporary left


def test_processes_starting_together_share_one_whole_key(tmp_path):
    key_file = tmp_path / "some.key"
    keys, barrier = [], threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        keys.append(secret_key("SOME_KEY", None, key_file))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64


def test_a_configured_key_wins_and_no_file_is_made(tmp_path):
    key_file = tmp_path / "some.key"
    assert secret_key("SOME_KEY", SecretStr(GOOD), key_file) == GOOD.encode()
    assert not key_file.exists()


@pytest.mark.parametrize("value", ["short", "ab" * 31, "z" * 64, "from-the-environment"])
def test_a_short_or_weak_configured_key_is_refused(tmp_path, value):
    with pytest.raises(UnsafeKeyError, match="openssl rand -hex 32"):
        secret_key("SOME_KEY", SecretStr(value), tmp_path / "some.key")


@pytest.mark.parametrize("content", ["", "\n", "abc123", "ab" * 31])
def test_an_empty_or_short_key_file_is_refused(tmp_path, content):
    key_file = tmp_path / "some.key"
    key_file.write_text(content)
    os.chmod(key_file, 0o600)
    with pytest.raises(UnsafeKeyError, match=str(key_file)):
        secret_key("SOME_KEY", None, key_file)


def test_a_key_file_others_can_read_is_made_owner_only(tmp_path, caplog):
    key_file = tmp_path / "some.key"
    key_file.write_text(GOOD)
    os.chmod(key_file, 0o644)
    assert secret_key("SOME_KEY", None, key_file) == GOOD.encode()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "readable by others" in caplog.text
