"""Fail when intent accuracy in a `rasa test nlu` report is below a minimum.

Usage: python -m scripts.check_nlu_accuracy results/.../intent_report.json --minimum 0.95
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--minimum", type=float, default=0.95)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    accuracy = report["accuracy"]
    misses = {
        intent: round(scores["f1-score"], 2)
        for intent, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and scores["f1-score"] < 1.0
        and intent not in ("macro avg", "weighted avg", "micro avg")
    }
    print(f"Held-out intent accuracy: {accuracy:.1%} on {report['weighted avg']['support']} "
          f"phrasings (minimum {args.minimum:.0%}).")
    if misses:
        below = ", ".join(f"{intent} {f1}" for intent, f1 in sorted(misses.items()))
        print(f"Intents below a perfect F1: {below}")
    if accuracy < args.minimum:
        print("FAILED: see the errors file beside the report for the phrasings it got wrong.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
