"""Files that hold health data or secrets: created readable by their owner only, and tightened
when found readable by others (a copy made with a loose umask, say).

SQLite gives its journal and write-ahead-log files the database file's own mode, so a database
created here stays private with everything SQLite writes beside it. And what SQLite deletes
("forget me", retention) it overwrites with zeros only when `secure_delete` is on, which is a
build option: every connection the bot opens turns it on itself (erasing_deletes).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import sqlalchemy as sa

logger = logging.getLogger(__name__)


def owner_only(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(mode & 0o700)
        logger.warning("%s was readable by others (mode %o); it is now owner-only.", path, mode)


def private_file(path: Path) -> Path:
    """`path`, created empty with mode 0600 if missing (its folder 0700), else made
    owner-only."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        owner_only(path)
    return path


def erase_deletes(dbapi_connection, _record=None) -> None:
    """Deleted rows are overwritten, not left in free pages of the file, whatever the SQLite
    build's default."""
    dbapi_connection.execute("PRAGMA secure_delete=ON")


def erasing_deletes(engine: sa.engine.Engine) -> sa.engine.Engine:
    """`engine`, each of whose SQLite connections overwrites what it deletes (its pooled
    connections, opened before, are closed)."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", erase_deletes)
        engine.dispose()
    return engine
