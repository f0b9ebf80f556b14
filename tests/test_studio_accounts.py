"""The studio's accounts (studio/accounts.py): argon2 hashes, lockout, sessions that end."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from studio import accounts
from studio.accounts import MAX_FAILURES, AccountError, StaffStore, same_token

PASSWORD = "a long enough pass"
# Cheap hashing for tests: the algorithm is the same, the cost is not what is under test.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def store(tmp_path):
    store = StaffStore(tmp_path / "studio.sqlite3", hasher=FAST)
    store.set_user("ana", "editor", PASSWORD)
    yield store
    store.close()


def test_only_an_argon2_hash_of_the_password_is_kept(store, tmp_path):
    kept = sqlite3.connect(tmp_path / "studio.sqlite3").execute(
        "SELECT password_hash FROM staff").fetchone()[0]
    assert kept.startswith("$argon2id$") and PASSWORD not in kept
    assert oct((tmp_path / "studio.sqlite3").stat().st_mode)[-3:] == "600"


def test_the_right_password_opens_a_session_and_a_wrong_one_does_not(store):
    session = store.session(store.sign_in("ana", PASSWORD).token)
    assert session is not None and session.name == "ana" and session.can_edit
    assert store.sign_in("ana", "not the password").token is None
    assert store.sign_in("nobody", PASSWORD).token is None


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(store):
    for _ in range(MAX_FAILURES - 1):
        assert not store.sign_in("ana", "wrong password!").locked
    assert store.sign_in("ana", "wrong password!").locked
    outcome = store.sign_in("ana", PASSWORD)
    assert outcome.token is None and outcome.locked
    store.set_user("ana", "editor", PASSWORD)  # an editor resets it from the command line
    assert store.sign_in("ana", PASSWORD).token is not None


def test_a_session_ends_when_idle_or_too_old_and_on_sign_out(store, monkeypatch):
    token = store.sign_in("ana", PASSWORD).token
    assert store.session(token) is not None
    started = accounts.now()
    monkeypatch.setattr(accounts, "now", lambda: started + accounts.IDLE_TIMEOUT
                        + timedelta(seconds=1))
    assert store.session(token) is None
    monkeypatch.undo()
    token = store.sign_in("ana", PASSWORD).token
    store.sign_out(token)
    assert store.session(token) is None
    assert store.session("forged") is None and store.session(None) is None


def test_a_reset_signs_the_account_out_everywhere(store):
    token = store.sign_in("ana", PASSWORD).token
    store.set_user("ana", "reviewer", PASSWORD)
    assert store.session(token) is None
    assert not store.session(store.sign_in("ana", PASSWORD).token).can_edit


@pytest.mark.parametrize("name, role, password", [
    ("ana", "admin", PASSWORD), ("", "editor", PASSWORD), ("ana", "editor", "short"),
    ("a\nb", "editor", PASSWORD)])
def test_a_bad_account_is_refused_in_words(store, name, role, password):
    with pytest.raises(AccountError):
        store.set_user(name, role, password)


def test_every_change_is_recorded_with_who_and_what(store):
    store.sign_in("ana", PASSWORD)
    whats = [what for _, name, what in store.changes() if name == "ana"]
    assert whats[:2] == ["signed in", "account set: role editor"]


def test_a_form_token_must_match_exactly():
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd") and not same_token("abc", None)
    assert not same_token("abc", "")


def test_a_session_ends_after_eight_hours_however_busy(store, monkeypatch):
    token = store.sign_in("ana", PASSWORD).token
    started = accounts.now()
    for hours in range(1, 9):  # a request every hour: never idle, still too old at the end
        for minutes in range(0, 60, 20):
            moment = started + timedelta(hours=hours - 1, minutes=minutes)
            monkeypatch.setattr(accounts, "now", lambda moment=moment: moment)
            assert store.session(token) is not None
    monkeypatch.setattr(accounts, "now", lambda: started + accounts.MAX_SESSION
                        + timedelta(seconds=1))
    assert store.session(token) is None


def test_failed_sign_ins_from_one_address_are_limited():
    from studio.app import SIGN_INS_PER_MINUTE, SignInLimit
    limit = SignInLimit()
    for _ in range(SIGN_INS_PER_MINUTE):
        assert not limit.exceeded("203.0.113.9")
        limit.failed("203.0.113.9")
    assert limit.exceeded("203.0.113.9") and not limit.exceeded("203.0.113.10")
