"""How likely a message is to describe an emergency, a crisis or distress: a model learned from
breadth, beside the red-flag rules (components/triage.py).

The rules know the phrases someone wrote down; patients write phrases nobody wrote down. This
model learns from the labelled corpus in safety/corpus/ (thousands of messages written from the
category guide, tests/triage/category_guide.md, traps at least as many as dangers), and from the
assistant's own NLU examples, each labelled by its intent (what ordinary questions, thanks and
greetings look like): TF-IDF of
word n-grams and character n-grams (typos, "cant"/"can't"), then multinomial logistic
regression (scikit-learn). ConText's judgments of the rules' red flags (denied, over, a risk
question) are features too: a word the model reads beside the text. docs/triage.md has what
else was tried and what each scored.

Plain Python, no Rasa (components/safety_net.py trains and loads it inside the Rasa model).
Saved as numbers and words (JSON and a NumPy archive read without pickle), as the intent
classifier is: loading a model never runs code from the model file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from components import warm_start
from components.linear_intent_classifier import LinearScorer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "safety" / "corpus"
LABELS = ("emergency", "crisis", "distress", "none")
WEIGHTS_FILE, VOCABULARY_FILE = "risk-weights.npz", "risk-vocabulary.json"
# The label of an NLU example, by its intent: every other intent (an FAQ, chit-chat, a request
# for advice) is "none".
LABEL_OF_INTENT = {"report_emergency": "emergency", "report_crisis": "crisis"}
DEFAULTS: dict[str, Any] = {"C": 10.0, "word_ngrams": [1, 3], "char_ngrams": [2, 5],
                            "max_iter": 5000}


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    kind: str
    writer: str


def corpus_files(folder: Path = CORPUS) -> list[Path]:
    return sorted(folder.glob("*.yml"))


def read_examples(paths: Iterable[Path], label_key: str = "label") -> list[Example]:
    """The labelled messages of corpus (or evaluation) files."""
    found = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("messages") or []:
            label = entry.get(label_key)
            if label not in LABELS or not str(entry.get("text") or "").strip():
                raise ValueError(f"{path.name}: a message without text or with label {label!r}")
            found.append(Example(str(entry["text"]), label, str(entry.get("kind") or ""),
                                 str(data.get("writer") or path.stem)))
    return found


def intent_examples(pairs: Iterable[tuple[str, str]]) -> list[Example]:
    """(intent, text) pairs of the NLU training data as labelled examples."""
    return [Example(text, LABEL_OF_INTENT.get(intent, "none"), intent, "nlu")
            for intent, text in pairs if text.strip()]


def fingerprint(paths: Iterable[Path]) -> str:
    """Changes whenever a corpus file does: Rasa retrains the model then, and only then."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_digest(config: dict[str, Any], texts: list[str], labels: list[str]) -> str:
    """Changes whenever what a model learns from does."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{label}\0{text}\0".encode())
    return digest.hexdigest()


def vectorizers(config: dict[str, Any]) -> list[TfidfVectorizer]:
    # Accents folded: Spanish patients write "ciática" and "ciatica" alike.
    words = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b", sublinear_tf=True,
                            ngram_range=tuple(config["word_ngrams"]), lowercase=True,
                            strip_accents="unicode")
    characters = TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, lowercase=True,
                                 strip_accents="unicode", ngram_range=tuple(config["char_ngrams"]))
    return [words, characters]


class RiskModel:
    """Probabilities of LABELS for a message (as the reader: the text, and the rules' words)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**DEFAULTS, **(config or {})}
        self.vectorizers: list[TfidfVectorizer] = []
        self.classes = np.array(LABELS)
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)
        self.scorer: LinearScorer | None = None
        self.inputs = ""  # what it learned from (inputs_digest)

    @property
    def trained(self) -> bool:
        return self.scorer is not None

    def fit(self, texts: list[str], labels: list[str], start: RiskModel | None = None
            ) -> RiskModel:
        """Learned from the texts; from `start`'s weights when given (rasa train --finetune,
        components/warm_start.py), or `start` itself when it learned from the same."""
        inputs = inputs_digest(self.config, texts, labels)
        if start is not None and start.trained and start.inputs == inputs:
            self.vectorizers, self.classes = start.vectorizers, start.classes
            self.coef, self.intercept, self.scorer = start.coef, start.intercept, start.scorer
            self.inputs = inputs
            return self
        self.vectorizers = vectorizers(self.config)
        features = hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        # Balanced: crisis and distress are rarer in the corpus than in the harm they carry.
        model = warm_start.fit(features, labels, self.vectorizers,
                               start.weights() if start is not None else None,
                               C=float(self.config["C"]), max_iter=self.config["max_iter"],
                               class_weight="balanced", random_state=42)
        self.classes = model.classes_.astype(str)
        self.coef, self.intercept = model.coef_, model.intercept_
        self.scorer = LinearScorer(self.vectorizers, self.coef, self.intercept)
        self.inputs = inputs
        return self

    def weights(self) -> warm_start.Weights | None:
        if self.scorer is None:
            return None
        return warm_start.Weights(self.vectorizers, self.classes, self.coef, self.intercept)

    def probabilities(self, text: str) -> dict[str, float]:
        if self.scorer is None:
            return {label: float(label == "none") for label in LABELS}
        scores = self.scorer.scores(text)
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {str(label): float(p) for label, p in zip(self.classes, scores, strict=True)}

    def save(self, directory: Path) -> None:
        np.savez(directory / WEIGHTS_FILE, coef=self.coef, intercept=self.intercept,
                 classes=self.classes,
                 **{f"idf{i}": v.idf_ for i, v in enumerate(self.vectorizers)})
        vocabularies = [{term: int(index) for term, index in v.vocabulary_.items()}
                        for v in self.vectorizers]
        (directory / VOCABULARY_FILE).write_text(
            json.dumps({"config": self.config, "vocabularies": vocabularies,
                        "inputs": self.inputs}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> RiskModel:
        """The saved model (FileNotFoundError: none saved there)."""
        weights = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
        saved = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        model = cls(saved["config"])
        model.inputs = saved.get("inputs", "")
        model.coef, model.intercept = weights["coef"], weights["intercept"]
        model.classes = weights["classes"]
        model.vectorizers = vectorizers(model.config)
        for index, (vectorizer, vocabulary) in enumerate(
                zip(model.vectorizers, saved["vocabularies"], strict=True)):
            vectorizer.set_params(vocabulary=vocabulary)
            vectorizer.fit(["-"])  # fixes the vocabulary; the saved idf replaces the fitted one
            vectorizer.idf_ = weights[f"idf{index}"]
        model.scorer = LinearScorer(model.vectorizers, model.coef, model.intercept)
        return model
