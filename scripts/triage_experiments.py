"""How the triage was chosen: each candidate risk model trained on the corpus (safety/corpus/)
and scored, in-process, on the development sets only (tests/triage/development*.yml and the
NLU tuning set's questions, never a sealed set), beside the red-flag rules alone. For each
candidate, the thresholds with the lowest cost (safety/scoring.py: a missed crisis or emergency
costs most) and their figures.
docs/triage.md keeps the results.

Usage: python -m scripts.triage_experiments [--candidate NAME ...]
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from collections.abc import Callable

import numpy as np
import yaml
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from scipy.sparse import hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

from components import triage
from components.assessment import Thresholds, decide, reader_text
from components.risk_model import (
    ROOT,
    Example,
    RiskModel,
    corpus_files,
    intent_examples,
    read_examples,
    vectorizers,
)
from safety.scoring import Score, score

DEVELOPMENT_SETS = sorted((ROOT / "tests" / "triage").glob("development*.yml"))
NLU_DEVELOPMENT_SET = ROOT / "tests" / "nlu_dev.yml"
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\{[^}]*\}")
THRESHOLDS = [Thresholds(e, c, k, v, w) for e, c, k, v, w in itertools.product(
    (0.3, 0.4, 0.5, 0.6, 0.7, 0.8), (0.3, 0.4, 0.5, 0.6, 0.7), (0.2, 0.3, 0.4, 0.5, 0.6),
    (1.01, 0.95, 0.9, 0.85, 0.8), (1.0, 0.5, 0.25))]


class SklearnCandidate:
    """Word and character TF-IDF features, then any scikit-learn classifier with
    predict_proba."""

    def __init__(self, config: dict, make: Callable[[], object]) -> None:
        self.config, self.make = {**RiskModel().config, **config}, make

    def fit(self, texts: list[str], labels: list[str]) -> SklearnCandidate:
        self.vectorizers = vectorizers(self.config)
        features = hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        self.model = self.make()
        # An array: scikit-learn 1.1's calibration counts a class's examples with y == class.
        self.model.fit(features, np.asarray(labels))
        return self

    def probabilities(self, text: str) -> dict[str, float]:
        features = hstack([v.transform([text]) for v in self.vectorizers]).tocsr()
        row = self.model.predict_proba(features)[0]
        return {str(label): float(p) for label, p in zip(self.model.classes_, row, strict=True)}


CANDIDATES: dict[str, Callable[[], object]] = {
    "logistic regression, words 1-2, chars 2-5, C=3":
        lambda: RiskModel({"word_ngrams": [1, 2], "char_ngrams": [2, 5], "C": 3.0}),
    "logistic regression, words 1-2, chars 2-5, C=10":
        lambda: RiskModel({"word_ngrams": [1, 2], "char_ngrams": [2, 5], "C": 10.0}),
    "logistic regression, words 1-2, chars 2-5, C=30":
        lambda: RiskModel({"word_ngrams": [1, 2], "char_ngrams": [2, 5], "C": 30.0}),
    "logistic regression, words 1-3, chars 2-5, C=10":
        lambda: RiskModel({"word_ngrams": [1, 3], "char_ngrams": [2, 5], "C": 10.0}),
    "logistic regression, words 1-2, chars 3-6, C=10":
        lambda: RiskModel({"word_ngrams": [1, 2], "char_ngrams": [3, 6], "C": 10.0}),
    "linear SVM (calibrated), words 1-2, chars 2-5":
        lambda: SklearnCandidate({"word_ngrams": [1, 2]}, lambda: CalibratedClassifierCV(
            LinearSVC(C=0.5, class_weight="balanced"), cv=5)),
    "small neural network (1 hidden layer of 64), words 1-2, chars 2-5":
        lambda: SklearnCandidate({"word_ngrams": [1, 2]}, lambda: MLPClassifier(
            hidden_layer_sizes=(64,), early_stopping=True, random_state=42, max_iter=200)),
}


def nlu_examples() -> list[Example]:
    """The assistant's NLU examples, as `rasa train` reads them (config.yml's importer)."""
    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"), domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(ROOT / "data")])
    return intent_examples((m.get(INTENT), m.get(TEXT))
                           for m in importer.get_nlu_data().intent_examples)


def development_cases() -> list[tuple[str, str]]:
    """The development triage sets, and the NLU tuning set's questions labelled by intent (a
    check-in on a plain question counts against a candidate)."""
    data = yaml.safe_load(NLU_DEVELOPMENT_SET.read_text(encoding="utf-8"))
    questions = intent_examples(
        (block["intent"], ENTITY_MARKUP.sub(r"\1", line[2:].strip())) for block in data["nlu"]
        for line in block["examples"].splitlines() if line.startswith("- "))
    return [(e.text, e.label) for e in
            read_examples(DEVELOPMENT_SETS, label_key="expect") + questions]


def best(case_found: list, risks: list[dict[str, float]], labels: list[str]
         ) -> tuple[Thresholds, Score]:
    results = []
    for thresholds in THRESHOLDS:
        seen = [decide(found, risk, thresholds)
                for found, risk in zip(case_found, risks, strict=True)]
        results.append((thresholds, score(labels, seen)))
    return min(results, key=lambda result: result[1].cost())


def describe(thresholds: Thresholds | None, result: Score) -> str:
    chosen = (f"e {thresholds.emergency} c {thresholds.crisis} k {thresholds.check_in} "
              f"v {thresholds.veto} w {thresholds.distress_weight}" if thresholds else "-")
    return f"{chosen:<20} {result.line()}  cost {result.cost():.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", nargs="*", default=list(CANDIDATES))
    parser.add_argument("--without-nlu", dest="with_nlu", action="store_false",
                        help="learn from the corpus alone, not the assistant's NLU examples")
    args = parser.parse_args(argv)
    corpus = read_examples(corpus_files()) + (nlu_examples() if args.with_nlu else [])
    cases = development_cases()
    labels = [label for _, label in cases]
    print(f"corpus {len(corpus)} messages; development sets {len(cases)} messages "
          f"({', '.join(path.name for path in DEVELOPMENT_SETS)})")
    started = time.monotonic()
    corpus_found = [triage.findings(e.text) for e in corpus]
    case_found = [triage.findings(text) for text, _ in cases]
    print(f"(the rules read everything in {time.monotonic() - started:.0f} s)\n")
    rules_alone = score(labels, [triage.judge(found) for found in case_found])
    print(f"{'rules alone':<66} {describe(None, rules_alone)}")
    print(f"{'':<66} e c k v w: the emergency, crisis, check-in and veto thresholds, "
          "distress's weight")
    for name in args.candidate:
        for with_rules in (True, False):
            def reads(text: str, found: list, with_rules: bool = with_rules) -> str:
                return reader_text(text, found) if with_rules else text
            started = time.monotonic()
            model = CANDIDATES[name]().fit(
                [reads(e.text, f) for e, f in zip(corpus, corpus_found, strict=True)],
                [e.label for e in corpus])
            trained = time.monotonic() - started
            risks = [model.probabilities(reads(text, found))
                     for (text, _), found in zip(cases, case_found, strict=True)]
            label = f"{name}{', rule words' if with_rules else ''}"
            print(f"{label:<66} {describe(*best(case_found, risks, labels))} "
                  f"(trained in {trained:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

