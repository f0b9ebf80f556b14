"""Where a benchmark's figures go: results/<name>.json (raw) and results/<name>.md (the
table), and the table printed."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "results"


def publish(name: str, results: dict, markdown: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown, encoding="utf-8")
    print()
    print(markdown)
    print(f"(written to results/{name}.md and results/{name}.json; run took "
          f"{results['settings']['run_seconds']} s)")
