"""The staff studio for tests: `python -m studio` on a free loopback port, editing a lone clone
of the project, with an editor (ana), a reviewer (rui) and a spare editor (lou)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.processes import free_port, start, stop
from tests.support.bot_servers import ROOT, wait_until_ready
from tests.support.clone import lone_clone

PASSWORD = "correct horse battery"
ACCOUNTS = (("ana", "editor"), ("rui", "reviewer"), ("lou", "editor"))


@dataclass(frozen=True)
class RunningStudio:
    base: str  # http://127.0.0.1:PORT/studio
    log: Path
    project: Path  # the clone whose files it edits


@contextlib.contextmanager
def running_studio(workdir: Path) -> Iterator[RunningStudio]:
    project = lone_clone(workdir / "project")
    env = {"STUDIO_DATABASE": str(workdir / "studio.sqlite3"), "STUDIO_PORT": str(free_port()),
           "STUDIO_SECURE_COOKIES": "0", "STUDIO_PROJECT": str(project)}
    for name, role in ACCOUNTS:
        subprocess.run([sys.executable, "-m", "studio.users", name, "--role", role],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                       env={**os.environ, **env}, cwd=ROOT)
    log = workdir / "studio.log"
    process = start([sys.executable, "-m", "studio"], log, env)
    base = f"http://127.0.0.1:{env['STUDIO_PORT']}/studio"
    try:
        wait_until_ready(f"{base}/sign-in", process, log)
        yield RunningStudio(base, log, project)
    finally:
        stop(process)
