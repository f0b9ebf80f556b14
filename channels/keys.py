"""Secret keys the channels need across restarts: from the settings (runtime/settings.py), else
from a key file, created once (random, owner-only) when missing.

A key is at least 32 random bytes written as hexadecimal (`openssl rand -hex 32`): a short or
empty key is refused and the server does not start. A short key is no secret: with the SMS id
key, the keyed hashes of one area code's phone numbers are reversed in seconds on one core. The
key file's place is `<VARIABLE>_FILE` (e.g. SMS_ID_KEY_FILE), so it can live away from the
data it protects (a backup of state/ alone then cannot be read back to phone numbers).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path

from pydantic import SecretStr

from storage.private_files import owner_only

logger = logging.getLogger(__name__)

MIN_KEY_BYTES = 32


class UnsafeKeyError(RuntimeError):
    """A key that must not be used: too short, empty or not hexadecimal."""


def checked_key(value: str, source: str) -> bytes:
    try:
        length = len(bytes.fromhex(value))
    except ValueError:
        length = 0
    if length < MIN_KEY_BYTES:
        raise UnsafeKeyError(
            f"{source}: a key must be at least {2 * MIN_KEY_BYTES} hexadecimal characters "
            f"({MIN_KEY_BYTES} random bytes); make one with `openssl rand -hex {MIN_KEY_BYTES}`.")
    return value.encode()


def create_key_file(key_file: Path) -> None:
    """A new random key, whole or not at all: written to a private temporary file, then linked
    into place (never an empty or half-written key file, even for a reader at that moment;
    if another process made the file first, theirs is kept)."""
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, key_file)
    except FileExistsError:
        pass
    else:
        logger.warning("Created a new random key in %s: back it up (docs/deploy.md).", key_file)
    finally:
        os.unlink(temporary)


def secret_key(name: str, configured: SecretStr | None, key_file: Path) -> bytes:
    """The key the setting `name` gives; else the one in `key_file`, created if missing.
    UnsafeKeyError if it is short, empty or not hexadecimal."""
    if configured is not None:
        return checked_key(configured.get_secret_value(), name)
    if not key_file.exists():
        create_key_file(key_file)
    owner_only(key_file)
    return checked_key(key_file.read_text(encoding="ascii", errors="replace").strip(),
                       str(key_file))
