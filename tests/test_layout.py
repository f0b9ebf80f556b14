"""Folders hold what their names say: the release gates and the running bot import no test
code (what they share with the tests lives in harness/), the running bot needs no harness, and
what the bot keeps lives in storage/, apart from the pipeline's parts."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("actions", "channels", "components", "harness", "practice", "runtime", "safety",
           "scripts", "services", "staff", "storage", "studio")
# What a running bot loads: none of it may need what only the tests and release gates use.
RUNNING_BOT = ("actions", "channels", "components", "practice", "runtime", "services", "storage")


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


def test_the_running_bot_imports_no_harness():
    offenders = {str(path.relative_to(ROOT)) for folder in RUNNING_BOT
                 for path in (ROOT / folder).rglob("*.py")
                 if any(m == "harness" or m.startswith("harness.") for m in imported_modules(path))}
    assert offenders == set()


def test_what_the_bot_keeps_lives_in_storage_not_among_the_pipeline_parts():
    kept = {"conversation_store", "event_writer", "retention", "private_files", "session_limit"}
    assert not {path.stem for path in (ROOT / "components").glob("*.py")} & kept
    assert kept <= {path.stem for path in (ROOT / "storage").glob("*.py")}


def test_the_channels_folder_holds_channels_and_the_runtime_folder_the_server():
    changes = {"model_swap", "lock_tickets", "rule_lookups", "action_validation",
               "action_failures", "graph_runner", "log_privacy", "further_look_ups", "server"}
    assert not {path.stem for path in (ROOT / "channels").glob("*.py")} & changes
    assert changes <= {path.stem for path in (ROOT / "runtime").glob("*.py")}
