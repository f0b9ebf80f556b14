"""How the safety net's thresholds are chosen (docs/triage.md): on the development triage sets
(scored by the model trained on the whole corpus) and on every corpus writer's messages scored by
a model trained without that writer ("leave one writer out": a fairer judge of new patients'
words than sets the triage was tuned on). Each candidate's cost is the two summed
(safety/scoring.py: a missed crisis or emergency costs most); the cheapest rows, and the row of
the thresholds config.yml holds now, are printed. Never reads a sealed set.

Trains one model per writer (about 20 s each on 2 cores).

Usage: python -m scripts.choose_thresholds [--top 8]
"""

from __future__ import annotations

import argparse
import itertools
import sys

import yaml

from components import triage
from components.assessment import Thresholds, decide, reader_text
from components.risk_model import ROOT, RiskModel, corpus_files, read_examples
from safety.scoring import Score, score
from scripts.triage_experiments import development_cases, nlu_examples

GRID = [Thresholds(e, c, k, v, w) for e, c, k, v, w in itertools.product(
    (0.3, 0.4, 0.5, 0.6), (0.5, 0.6, 0.7, 0.8), (0.15, 0.2, 0.3), (1.01, 0.9, 0.85, 0.8, 0.75),
    (1.0, 0.5))]


def safety_net_config() -> dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return next(c for c in config["pipeline"] if c["name"].endswith("EmergencySafetyNet"))


def configured(config: dict) -> Thresholds:
    return Thresholds(config["emergency_threshold"], config["crisis_threshold"],
                      config["check_in_threshold"], config["veto_threshold"],
                      config["distress_weight"])


def readings(model_config: dict) -> tuple[list, list, list, list, list, list]:
    """(findings, risks, labels) of the development sets, then of the left-out writers."""
    corpus, nlu = read_examples(corpus_files()), nlu_examples()
    found = [triage.findings(e.text) for e in corpus + nlu]
    texts = [reader_text(e.text, f) for e, f in zip(corpus + nlu, found, strict=True)]
    labels = [e.label for e in corpus + nlu]
    cases = development_cases()
    case_found = [triage.findings(text) for text, _ in cases]
    whole = RiskModel(model_config).fit(texts, labels)
    case_risks = [whole.probabilities(reader_text(text, f))
                  for (text, _), f in zip(cases, case_found, strict=True)]
    left_found, left_risks, left_labels = [], [], []
    for writer in sorted({e.writer for e in corpus}):
        keep = [i for i, e in enumerate(corpus + nlu) if e.writer != writer]
        model = RiskModel(model_config).fit([texts[i] for i in keep], [labels[i] for i in keep])
        for i, example in enumerate(corpus):
            if example.writer == writer:
                left_found.append(found[i])
                left_risks.append(model.probabilities(texts[i]))
                left_labels.append(example.label)
        print(f"  left out {writer}", file=sys.stderr, flush=True)
    return (case_found, case_risks, [label for _, label in cases],
            left_found, left_risks, left_labels)


def scored(found: list, risks: list, labels: list, thresholds: Thresholds) -> Score:
    return score(labels, [decide(f, r, thresholds) for f, r in zip(found, risks, strict=True)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    config = safety_net_config()
    case_found, case_risks, case_labels, left_found, left_risks, left_labels = readings(
        config["risk_model"])
    rows = []
    for thresholds in GRID:
        development = scored(case_found, case_risks, case_labels, thresholds)
        left_out = scored(left_found, left_risks, left_labels, thresholds)
        rows.append((development.cost() + left_out.cost(), thresholds, development, left_out))
    rows.sort(key=lambda row: row[0])
    now = configured(config)
    for cost, thresholds, development, left_out in [
            *rows[:args.top], *(row for row in rows if row[1] == now)]:
        marker = "  <- config.yml" if thresholds == now else ""
        print(f"{cost:6.0f}  e {thresholds.emergency} c {thresholds.crisis} "
              f"k {thresholds.check_in} v {thresholds.veto} w {thresholds.distress_weight}"
              f"  | development {development.cost():.0f}: {development.line()}"
              f"  | left out {left_out.cost():.0f}: {left_out.line()}{marker}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
