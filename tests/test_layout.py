"""Folders hold what their names say (issue 26): the release gates and the running bot import
no test code; what they share with the tests lives in harness/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("actions", "channels", "components", "harness", "practice", "runtime", "safety",
           "scripts", "services", "staff", "studio")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_nothing_outside_tests_imports_test_code():
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                                      if m == "tests" or m.startswith("tests."))
                 for folder in PRODUCT for path in (ROOT / folder).rglob("*.py")}
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_the_channels_folder_holds_channels_and_the_runtime_folder_the_server():
    changes = {"model_swap", "lock_tickets", "rule_lookups", "action_validation",
               "action_failures", "graph_runner", "log_privacy", "further_look_ups", "server"}
    assert not {path.stem for path in (ROOT / "channels").glob("*.py")} & changes
    assert changes <= {path.stem for path in (ROOT / "runtime").glob("*.py")}
