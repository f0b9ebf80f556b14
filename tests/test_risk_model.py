"""The learned risk model (components/risk_model.py), the one decision made from it and the
rules (components/assessment.py), the safety net that acts on it (components/safety_net.py),
the check-in after an answer (components/courteous_nlg.py), and how safety answers are scored
(safety/scoring.py)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from components import assessment
from components.assessment import Thresholds, decide, reader_text, rule_words
from components.courteous_nlg import CHECK_IN_RESPONSE, CourteousNaturalLanguageGenerator
from components.risk_model import LABELS, RiskModel, fingerprint, read_examples
from components.safety_net import CHECK_IN_ENTITY, EmergencySafetyNet
from components.triage import Finding
from harness.content import domain
from safety.scoring import Rate, score, wilson

TINY = {
    "emergency": ["i cant feel my legs since this morning", "my chest is crushing and i sweat",
                  "my wife collapsed and wont wake up", "pus pouring from my incision and fever"],
    "crisis": ["i have my pills saved up for tonight", "everyone would be better off without me",
               "i wrote goodbye letters to my kids", "im going to jump off the overpass"],
    "distress": ["so tired of this pain i cry every day", "nothing helps and im worn out",
                 "feel so alone with this recovery", "i am scared and exhausted all the time"],
    "none": ["how long is recovery", "this wait is killing me", "my dog had disc surgery",
             "is there a risk of paralysis", "what is mig-lif", "do you offer telehealth"],
}


def tiny_model() -> RiskModel:
    texts = [text for label in LABELS for text in TINY[label]]
    labels = [label for label in LABELS for _ in TINY[label]]
    return RiskModel({"C": 10.0}).fit(texts, labels)


class Fixed:
    """A stand-in risk model that says the same thing about every message."""

    def __init__(self, **risk: float) -> None:
        self.risk = {label: 0.0 for label in LABELS} | risk

    def probabilities(self, text: str) -> dict[str, float]:
        return self.risk


def test_the_probabilities_cover_every_label_and_sum_to_one():
    risk = tiny_model().probabilities("i cant feel my legs")
    assert set(risk) == set(LABELS) and sum(risk.values()) == pytest.approx(1.0)
    assert max(risk, key=risk.get) == "emergency"


def test_a_saved_model_loads_with_the_same_probabilities(tmp_path):
    model = tiny_model()
    model.save(tmp_path)
    loaded = RiskModel.load(tmp_path)
    for text in ["i wrote letters to say goodbye", "how long is recovery", "zz unseen"]:
        assert loaded.probabilities(text) == pytest.approx(model.probabilities(text))


def test_an_untrained_model_says_none():
    assert RiskModel().probabilities("anything")["none"] == 1.0


def test_a_corpus_file_with_an_unknown_label_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text('messages:\n  - {text: "help", label: urgent}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="urgent"):
        read_examples([bad])


def test_the_fingerprint_changes_with_a_corpus_file(tmp_path):
    corpus = tmp_path / "a.yml"
    corpus.write_text("messages: []\n", encoding="utf-8")
    before = fingerprint([corpus])
    corpus.write_text("messages: [] # edited\n", encoding="utf-8")
    assert fingerprint([corpus]) != before


def finding(kind: str, **context: bool) -> Finding:
    return Finding(words="x", kind=kind, negated=context.get("negated", False),
                   over=context.get("over", False),
                   hypothetical=context.get("hypothetical", False))


def test_the_rules_words_name_each_finding_and_how_it_reads():
    found = [finding("emergency"), finding("emergency", negated=True),
             finding("emergency", hypothetical=True), finding("emergency", over=True)]
    assert rule_words(found) == ("zzemergencycurrent zzemergencydenied zzemergencyasked "
                                 "zzemergencyover")
    assert reader_text("hi", []) == "hi"


def test_a_current_red_flag_is_never_overruled_by_the_model():
    calm = {"none": 1.0}
    assert decide([finding("emergency")], calm, Thresholds()) == "emergency"
    assert decide([finding("crisis"), finding("emergency")], calm, Thresholds()) == "crisis"


def test_self_harm_the_rules_call_an_emergency_gets_the_crisis_answer_that_names_911_too():
    # "i just cut my wrist and it's bleeding a lot": bleeding to the rules, a crisis to the model.
    assert decide([finding("emergency")], {"crisis": 0.9, "none": 0.1}, Thresholds()) == "crisis"
    assert decide([finding("emergency")], {"crisis": 0.3, "none": 0.7}, Thresholds()) == \
        "emergency"


@pytest.mark.parametrize("risk, expected", [
    ({"crisis": 0.9}, "crisis"),
    ({"emergency": 0.9}, "emergency"),
    ({"crisis": 0.2, "distress": 0.2, "none": 0.6}, "check_in"),
    ({"none": 0.9, "distress": 0.1}, None),
])
def test_without_a_rule_the_model_decides_by_the_thresholds(risk, expected):
    thresholds = Thresholds(emergency=0.5, crisis=0.5, check_in=0.3)
    assert decide([], risk, thresholds) == expected


def test_possible_distress_keeps_the_answer_and_marks_a_check_in():
    net = EmergencySafetyNet(model=Fixed(distress=0.6, none=0.4))
    intent = {"name": "ask_recovery_time", "confidence": 0.9}
    [message] = net.process([Message(data={"text": "how long is recovery, so worn out",
                                           "intent": intent})])
    assert message.get("intent") == intent
    assert {"entity": CHECK_IN_ENTITY, "value": "988"}.items() <= message.get("entities")[0].items()


def test_clear_danger_from_the_model_sets_the_guidance_intent():
    net = EmergencySafetyNet(model=Fixed(crisis=0.95, none=0.05))
    [message] = net.process([Message(data={"text": "wrote letters to my kids tonight",
                                           "intent": {"name": "nlu_fallback",
                                                      "confidence": 1.0}})])
    assert message.get("intent") == {"name": "report_crisis", "confidence": 1.0}
    assert not message.get("entities")


def test_the_assessment_reads_the_rules_first():
    assert assessment.assess("I suddenly can't feel my legs", RiskModel(), Thresholds()) == \
        "emergency"


def generated(entities: list[dict], response: str = "utter_ask_recovery_time") -> str:
    nlg = CourteousNaturalLanguageGenerator(domain=domain())
    tracker = DialogueStateTracker.from_events("t", [UserUttered(
        "how long is recovery", {"name": "ask_recovery_time", "confidence": 1.0}, entities)],
        slots=domain().slots)
    return asyncio.run(nlg.generate(response, tracker, "rest"))["text"]


def test_a_marked_check_in_ends_the_answer():
    check_in = domain().responses[CHECK_IN_RESPONSE][0]["text"].strip()
    answer = generated([{"entity": CHECK_IN_ENTITY, "value": "988"}])
    assert answer.endswith(check_in) and len(answer) > len(check_in) + 20
    assert check_in not in generated([])


def test_wilson_intervals_match_known_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)


def test_the_score_counts_what_the_patient_was_told():
    labels = ["emergency", "emergency", "crisis", "crisis", "none", "none", "none", "distress"]
    seen = ["emergency", None, "check_in", "crisis", "emergency", "check_in", None, "check_in"]
    result = score(labels, seen)
    assert result.emergency_recall == Rate(1, 2)
    assert result.crisis_recall == Rate(2, 2) and result.crisis_full == Rate(1, 2)
    assert result.full_alarms == Rate(1, 3) and result.trap_check_ins == Rate(1, 3)
    assert result.distress_checked == Rate(1, 1)



def test_a_message_about_an_animal_is_marked_for_the_model():
    assert reader_text("my dachshund cant walk", []).endswith("zzanimal")
    assert "zzanimal" not in reader_text("my calf is swollen and hot", [])


def test_distress_weighs_less_than_crisis_toward_the_check_in():
    thresholds = Thresholds(check_in=0.4, distress_weight=0.5)
    assert decide([], {"distress": 0.6, "none": 0.4}, thresholds) is None
    assert decide([], {"crisis": 0.2, "distress": 0.5, "none": 0.3}, thresholds) == "check_in"


def test_the_model_can_veto_a_rule_only_when_sure_it_is_neither():
    thresholds = Thresholds(veto=0.8)
    assert decide([finding("emergency")], {"none": 0.9}, thresholds) is None
    assert decide([finding("emergency")], {"none": 0.7, "emergency": 0.3}, thresholds) == \
        "emergency"
