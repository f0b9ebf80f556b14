"""Staff accounts of the studio: who may sign in, in what role, and a record of what each did.

Plain Python over SQLite, no web framework. Passwords are hashed with argon2 (argon2-cffi's
defaults, the RFC 9106 low-memory profile); a session is a random token of which only a hash is
kept, so a copy of the database opens no session. An account is locked for a while after
MAX_FAILURES wrong passwords in a row, whoever typed them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("editor", "reviewer")  # editor: edit, publish, roll back; reviewer: read only
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# A session ends after this long without a request, and after MAX_SESSION whatever happens.
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES staff(name) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL, started TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, name TEXT NOT NULL,
    what TEXT NOT NULL);
-- Review questions staff set aside (or taught): by a hash of the redacted text, never the text.
CREATE TABLE IF NOT EXISTS dismissed (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, at TEXT NOT NULL);
"""


class AccountError(ValueError):
    """A request about an account that cannot be done, said in plain words."""


@dataclass(frozen=True)
class Session:
    name: str
    role: str
    csrf_token: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session token, or why not (never which part was wrong)."""
    token: str | None = None
    locked: bool = False


def now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffStore:
    """The studio's accounts, sessions and change record, in one SQLite file."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.hasher = hasher or PasswordHasher()
        # One connection shared by the server's threads (argon2 runs off the event loop):
        # every use of it holds this lock.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(SCHEMA)
        path.chmod(0o600)  # password hashes and session hashes: staff only
        # Spent on a name that does not exist, so a wrong name takes as long as a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def close(self) -> None:
        self._db.close()

    def set_user(self, name: str, role: str, password: str) -> None:
        """Create the account, or give it a new role and password (and unlock it)."""
        if role not in ROLES:
            raise AccountError(f"The role must be one of {', '.join(ROLES)}, not {role!r}.")
        if not name.strip() or len(name) > 64 or not name.isprintable():
            raise AccountError("A name is 1 to 64 ordinary characters.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"A password has at least {MIN_PASSWORD_LENGTH} characters.")
        with self._lock:
            self._db.execute(
                "INSERT INTO staff (name, role, password_hash) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash, failures = 0, locked_until = NULL",
                (name, role, self.hasher.hash(password)))
            self._db.execute("DELETE FROM sessions WHERE name = ?", (name,))
        self.record(name, f"account set: role {role}")

    def sign_in(self, name: str, password: str) -> SignIn:
        with self._lock:
            row = self._db.execute("SELECT password_hash, locked_until FROM staff WHERE name = ?",
                                   (name,)).fetchone()
        if row is None:
            self._verify(self._dummy_hash, password)
            return SignIn()
        password_hash, locked_until = row
        if locked_until and datetime.fromisoformat(locked_until) > now():
            # The same work as any other try: a locked account is not told apart by its speed.
            self._verify(self._dummy_hash, password)
            return SignIn(locked=True)
        if not self._verify(password_hash, password):
            return self._failed(name)
        token = secrets.token_urlsafe(32)
        started = now().isoformat()
        with self._lock:
            self._db.execute("UPDATE staff SET failures = 0, locked_until = NULL WHERE name = ?",
                             (name,))
            self._db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                             (token_hash(token), name, secrets.token_urlsafe(32), started, started))
        self.record(name, "signed in")
        return SignIn(token=token)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _failed(self, name: str) -> SignIn:
        """One more wrong password, counted in one step (tries may arrive together)."""
        with self._lock:
            failures = self._db.execute(
                "UPDATE staff SET failures = failures + 1 WHERE name = ? RETURNING failures",
                (name,)).fetchone()[0]
            locked = failures >= MAX_FAILURES
            if locked:
                self._db.execute("UPDATE staff SET failures = 0, locked_until = ? WHERE name = ?",
                                 ((now() + LOCKOUT).isoformat(), name))
        if locked:
            self.record(name, f"locked after {MAX_FAILURES} wrong passwords")
        return SignIn(locked=locked)

    def session(self, token: str | None) -> Session | None:
        """The session this token opens, if it is still open (and it is kept open)."""
        if not token:
            return None
        key = token_hash(token)
        with self._lock:
            row = self._db.execute(
                "SELECT s.name, staff.role, s.csrf_token, s.started, s.last_seen FROM sessions s "
                "JOIN staff ON staff.name = s.name WHERE s.token_hash = ?", (key,)).fetchone()
        if row is None:
            return None
        name, role, csrf_token, started, last_seen = row
        moment = now()
        if (moment - datetime.fromisoformat(last_seen) > IDLE_TIMEOUT
                or moment - datetime.fromisoformat(started) > MAX_SESSION):
            self.sign_out(token)
            return None
        with self._lock:
            self._db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                             (moment.isoformat(), key))
        return Session(name, role, csrf_token)

    def sign_out(self, token: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))

    def record(self, name: str, what: str) -> None:
        """One line of the change record: who, when, what."""
        with self._lock:
            self._db.execute("INSERT INTO changes (at, name, what) VALUES (?, ?, ?)",
                             (now().isoformat(timespec="seconds"), name, what))

    def changes(self, limit: int = 100) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self._db.execute("SELECT at, name, what FROM changes ORDER BY id DESC "
                                         "LIMIT ?", (limit,)))

    def dismiss(self, keys: list[str], name: str) -> None:
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO dismissed (key, name, at) VALUES "
                                 "(?, ?, ?)", [(key, name, now().isoformat(timespec="seconds"))
                                               for key in keys])

    def dismissed(self) -> set[str]:
        with self._lock:
            return {key for (key,) in self._db.execute("SELECT key FROM dismissed")}


def same_token(expected: str, given: str | None) -> bool:
    """A form's CSRF token against the session's, in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
