"""`make bench`'s staff edits (scripts/bench/edit_to_live.py) still fit the topic files they
edit, and the edited files pass the staff checks: a benchmark that breaks on the day it is
run measures nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.bench.edit_to_live import EDITS
from staff.check import check

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.name)
def test_each_benchmark_edit_applies_and_passes_the_checks(edit, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    before = {path.name: path.read_text() for path in (project / "data/topics").glob("*.yml")}
    edit.change(project)
    after = {path.name: path.read_text() for path in (project / "data/topics").glob("*.yml")}
    assert after != before
    assert check(project / "data" / "topics", run_rasa=False) == []
