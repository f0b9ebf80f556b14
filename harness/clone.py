"""A lone clone of the project: its tracked files as they are now, in a folder with nothing
beside it, as a practice gets it from `git clone`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lone_clone(parent: Path, name: str = "spine-assistant") -> Path:
    """Copy the tracked files into parent/name (parent must be empty). Only .venv is linked
    (installing it again takes minutes)."""
    parent.mkdir(parents=True, exist_ok=True)
    assert os.listdir(parent) == [], f"{parent} must be empty: nothing may sit beside the clone"
    destination = parent / name
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for file in filter(None, tracked):
        if (ROOT / file).is_file():  # a file deleted but not yet committed is not copied
            (destination / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / file, destination / file)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    return destination
