"""Secret keys the channels need across restarts: from the environment, else a random key
created once in the state directory, readable by its owner only."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

logger = logging.getLogger(__name__)


def secret_key(variable: str, key_file: Path) -> bytes:
    """The key in `variable`, else the one in `key_file` (created atomically, mode 0600)."""
    configured = os.environ.get(variable, "").strip()
    if configured:
        return configured.encode()
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Created with its final mode in one step: never readable by others, even briefly.
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it a moment ago
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
            logger.warning("%s is not set; created a key in %s.", variable, key_file)
    return key_file.read_text().strip().encode()
