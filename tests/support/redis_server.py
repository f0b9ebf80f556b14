"""A Redis server of the test's own (Debian's package, `make redis`), on a free loopback port,
keeping nothing on disk: started, handed over as a URL, stopped."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from harness.bot_servers import free_port


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    program = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(program).exists():
        raise RuntimeError("Redis is not installed: run `make redis`.")
    folder, port = Path(tempfile.mkdtemp(prefix="redis-")), free_port()
    process = subprocess.Popen(
        [program, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
         "no", "--dir", str(folder)], stdout=(folder / "redis.log").open("w"),
        stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
