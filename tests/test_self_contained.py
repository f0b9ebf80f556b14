"""A practice clones this repository alone: nothing in it may refer to a path outside it.

(The staff workflow test shows the other half: a lone clone passes `make check` and trains.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Relative paths that climb ("../x"), a module's own folder climbed past the repository's
# root (Path(__file__).resolve().parent... or .parents[n]), the root's parent, and this
# workplace's own folders.
CLIMBING_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w./-]*")
MODULE_CLIMB = re.compile(r"__file__\)\.resolve\(\)((?:\.parent)+|\.parents\[(\d+)\])")
ROOT_PARENT = re.compile(r"\bROOT\.parent\b")
WORKPLACE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home)/[\w.-]+")


def inside(path: Path) -> bool:
    return path == ROOT or ROOT in path.parents


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name
        # Vendored third-party code is not ours to read for paths.
        if not path.is_file() or name.startswith("web/static/vendor/"):
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images
        files.append(path)
    return files


FILES = tracked_text_files()


def test_the_repository_is_scanned():
    assert ROOT / "practice" / "facts.yml" in FILES and len(FILES) > 50


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_tracked_file_refers_to_a_path_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    outside = [match for match in CLIMBING_PATH.findall(text)
               if not inside((path.parent / match).resolve())]
    outside += WORKPLACE_PATH.findall(text)
    if path.suffix == ".py":
        outside += ROOT_PARENT.findall(text)
        for match in MODULE_CLIMB.finditer(text):
            levels = int(match.group(2)) + 1 if match.group(2) else match.group(1).count("parent")
            if not inside(path.parents[levels - 1]):
                outside.append(match.group(0))
    assert outside == [], f"{path.relative_to(ROOT)} refers outside the repository: {outside}"
