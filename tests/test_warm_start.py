"""Training again from the live model's weights (components/warm_start.py), and what the risk
model keeps to train again quickly (components/risk_model.py, components/rule_readings.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import hstack

from components import rule_readings, warm_start
from components.risk_model import RiskModel, vectorizers
from components.rule_readings import Readings

QUESTIONS = {
    "ask_phone": ["what is your phone number", "how do i call the office", "number to call",
                  "can i phone you", "cual es su telefono", "como los llamo"],
    "ask_recovery": ["how long is recovery", "when can i go back to work", "weeks to heal",
                     "how soon can i drive", "cuanto tarda la recuperacion", "cuando vuelvo"],
    "ask_miss": ["what is minimally invasive surgery", "what does miss mean", "small incision",
                 "keyhole spine surgery", "que es la cirugia minimamente invasiva", "miss"],
}
SETTINGS = {"C": 100.0, "max_iter": 3000, "random_state": 42}


def fitted(questions: dict[str, list[str]], start: warm_start.Weights | None = None
           ) -> tuple[warm_start.Weights, int]:
    texts = [text for texts in questions.values() for text in texts]
    labels = [label for label, texts in questions.items() for _ in texts]
    found = vectorizers({"word_ngrams": [1, 2], "char_ngrams": [2, 4]})
    features = hstack([v.fit_transform(texts) for v in found]).tocsr()
    model = warm_start.fit(features, labels, found, start, **SETTINGS)
    return warm_start.Weights(found, model.classes_, model.coef_, model.intercept_), \
        int(model.n_iter_[0])


def predictions(weights: warm_start.Weights, texts: list[str]) -> np.ndarray:
    features = hstack([v.transform(texts) for v in weights.vectorizers]).tocsr()
    scores = features @ weights.coef.T + weights.intercept
    return scores


def test_each_weight_is_carried_over_by_its_ngram_and_its_label() -> None:
    before, _ = fitted(QUESTIONS)
    more = {**QUESTIONS, "ask_phone": [*QUESTIONS["ask_phone"], "zorblat hotline digits"]}
    after = fitted(more)[0].vectorizers
    coef, intercept = warm_start.carried_over(before, after, before.classes)
    for old, new, old_offset, new_offset in zip(
            before.vectorizers, after, [0, len(before.vectorizers[0].vocabulary_)],
            [0, len(after[0].vocabulary_)], strict=True):
        for term, column in new.vocabulary_.items():
            if term in old.vocabulary_:
                assert np.array_equal(coef[:, new_offset + column],
                                      before.coef[:, old_offset + old.vocabulary_[term]])
            else:  # "zorblat": a new word starts at zero
                assert not coef[:, new_offset + column].any()
    assert np.array_equal(intercept, before.intercept)


def test_a_new_label_starts_at_zero_and_the_others_keep_their_rows() -> None:
    before, _ = fitted(QUESTIONS)
    classes = np.array(["ask_hours", *before.classes])
    coef, intercept = warm_start.carried_over(before, before.vectorizers, classes)
    assert not coef[0].any() and intercept[0] == 0
    assert np.array_equal(coef[1:], before.coef)


def test_a_warm_start_finds_the_weights_a_cold_start_finds_in_fewer_iterations() -> None:
    before, _ = fitted(QUESTIONS)
    more = {label: [*texts, f"{texts[0]} please", f"hi {texts[1]}"]
            for label, texts in QUESTIONS.items()}
    cold, cold_iterations = fitted(more)
    warm, warm_iterations = fitted(more, start=before)
    assert warm_iterations < cold_iterations
    probe = [text for texts in more.values() for text in texts] + ["office phone?", "heal"]
    assert np.array_equal(predictions(warm, probe).argmax(1), predictions(cold, probe).argmax(1))
    assert np.allclose(warm.coef, cold.coef, atol=0.05)


def test_a_start_with_other_labels_or_a_binary_model_trains_from_zero() -> None:
    two = {label: QUESTIONS[label] for label in ("ask_phone", "ask_miss")}
    binary, _ = fitted(two)
    assert binary.coef.shape[0] == 1
    _, iterations = fitted(QUESTIONS, start=binary)  # three labels: the one row is not theirs
    assert iterations == fitted(QUESTIONS)[1]


def test_the_risk_model_keeps_the_model_that_learned_from_the_same_messages() -> None:
    texts = [text for texts in QUESTIONS.values() for text in texts]
    labels = ["none"] * 6 + ["crisis"] * 6 + ["emergency"] * 6
    first = RiskModel({"C": 10.0}).fit(texts, labels)
    again = RiskModel({"C": 10.0}).fit(texts, labels, start=first)
    assert again.coef is first.coef and again.inputs == first.inputs
    changed = RiskModel({"C": 10.0}).fit(texts, [*labels[:-1], "none"], start=first)
    assert changed.coef is not first.coef and changed.inputs != first.inputs
    other_settings = RiskModel({"C": 1.0}).fit(texts, labels, start=first)
    assert other_settings.coef is not first.coef


def test_the_risk_model_saves_what_it_learned_from(tmp_path) -> None:
    texts = [text for texts in QUESTIONS.values() for text in texts]
    model = RiskModel({"C": 10.0}).fit(texts, ["none"] * 6 + ["crisis"] * 12)
    model.save(tmp_path)
    assert RiskModel.load(tmp_path).inputs == model.inputs


def test_readings_are_worked_out_once_and_kept_while_the_rules_are_the_same(
        tmp_path, monkeypatch) -> None:
    readings = Readings()
    assert readings.reader_text("i cant feel my legs since this morning").startswith(
        "i cant feel my legs since this morning zz")
    assert readings.reader_text("how long is recovery") == "how long is recovery"
    readings.only(["i cant feel my legs since this morning"]).save(tmp_path)
    kept = Readings.load(tmp_path)
    assert len(kept.words) == 1
    monkeypatch.setattr(rule_readings.triage, "findings",
                        lambda text: pytest.fail("worked out again"))
    assert kept.reader_text("i cant feel my legs since this morning") == readings.reader_text(
        "i cant feel my legs since this morning")
    monkeypatch.setattr(rule_readings, "rules_fingerprint", lambda: "other rules")
    assert Readings.load(tmp_path).words == {}


def test_readings_from_a_damaged_file_are_none(tmp_path) -> None:
    (tmp_path / rule_readings.FILE).write_text("{not json", encoding="utf-8")
    assert Readings.load(tmp_path).words == {}
    assert Readings.load(tmp_path / "absent").words == {}
