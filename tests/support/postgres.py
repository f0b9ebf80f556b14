"""A PostgreSQL server of the test's own (Debian's package, `make postgres`), on a free loopback
port, in a temporary folder: started, handed over as a URL, stopped and removed."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.bot_servers import free_port


def server_programs() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda path: int(path.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL's server is not installed: run `make postgres`.")
    return versions[-1].parent


def as_owner(command: list[str], owner: str | None) -> list[str]:
    # initdb and postgres refuse to run as root: as root, they run as the package's user.
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    programs = server_programs()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    data = folder / "data"
    if owner:
        user = pwd.getpwnam(owner)
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    log = folder / "postgres.log"
    subprocess.run(as_owner([str(programs / "initdb"), "-D", str(data), "-A", "trust",
                             "-U", "postgres", "--no-sync"], owner),
                   check=True, capture_output=True)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(as_owner([str(programs / "pg_ctl"), "-D", str(data), "-o", options,
                             "-l", str(log), "-w", "start"], owner),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_owner([str(programs / "pg_ctl"), "-D", str(data), "-m", "fast",
                                 "-w", "stop"], owner), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
