"""A PostgreSQL server of the test's own (Debian's package, `make postgres`), on a free loopback
port, in a temporary folder: started as `make run-cluster` starts it (services/cluster.py),
handed over as a URL, stopped and removed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from services.cluster import Postgres, scratch_postgres_folder
from services.processes import free_port


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    with scratch_postgres_folder() as folder:
        postgres = Postgres(folder / "data", free_port(), folder)
        postgres.start()
        try:
            yield postgres.url()
        finally:
            postgres.stop()
