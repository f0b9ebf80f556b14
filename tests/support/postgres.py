"""A PostgreSQL server of the test's own (Debian's package, `make postgres`), on a free loopback
port, in a temporary folder: started as `make run-cluster` starts it (services/cluster.py),
handed over as a URL, stopped and removed."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from services.cluster import Postgres, free_port


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    if os.geteuid() == 0:  # PostgreSQL runs as its own user, which must reach the folder
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    postgres = Postgres(folder / "data", free_port(), folder)
    postgres.start()
    try:
        yield postgres.url()
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
