"""Logistic regression trained again from where the last model ended (`rasa train --finetune`).

With its L2 penalty the model has one best set of weights for its data, and lbfgs finds them
from any start. Started from the live model's weights, each carried over by its n-gram and its
label (new n-grams and new labels start at zero), it finds the same weights in a fraction of
the iterations when staff add a few example questions: the staff studio's publish trains this
way so that new questions go live within a minute (docs/studio.md has the measurements).
`make train` alone starts from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class Weights:
    """A trained model as warm_start needs it: its vectorizers, labels and weights."""

    vectorizers: list[TfidfVectorizer]
    classes: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray


def fit(features: csr_matrix, labels: list[str], vectorizers: list[TfidfVectorizer],
        start: Weights | None = None, **settings: Any) -> LogisticRegression:
    """LogisticRegression(**settings) fitted; from `start`'s weights when given."""
    model = LogisticRegression(**settings)
    classes = np.unique(labels)
    # sklearn keeps one row of weights per label only above two labels (a binary model has
    # one row): below that, a warm start would not fit its shape.
    if start is not None and len(classes) > 2 and start.coef.shape[0] == len(start.classes):
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = carried_over(start, vectorizers, classes)
    return model.fit(features, labels)


def carried_over(start: Weights, vectorizers: list[TfidfVectorizer], classes: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) for the new features and labels: each from `start` where it had it."""
    rows = {str(label): index for index, label in enumerate(start.classes)}
    coef = np.zeros((len(classes), sum(len(v.vocabulary_) for v in vectorizers)))
    intercept = np.zeros(len(classes))
    kept = [(new, rows[str(label)]) for new, label in enumerate(classes) if str(label) in rows]
    if not kept:
        return coef, intercept
    new_rows, old_rows = (np.array(side) for side in zip(*kept, strict=True))
    intercept[new_rows] = start.intercept[old_rows]
    old_offset = new_offset = 0
    for old, new in zip(start.vectorizers, vectorizers, strict=True):
        shared = [(column, old.vocabulary_[term]) for term, column in new.vocabulary_.items()
                  if term in old.vocabulary_]
        if shared:
            new_columns, old_columns = (np.array(side) for side in zip(*shared, strict=True))
            coef[np.ix_(new_rows, new_offset + new_columns)] = \
                start.coef[np.ix_(old_rows, old_offset + old_columns)]
        old_offset += len(old.vocabulary_)
        new_offset += len(new.vocabulary_)
    return coef, intercept
