"""What safety answer a message needs, decided in one place from the red-flag rules
(components/triage.py) and the learned risk model (components/risk_model.py):

- emergency or crisis: clear danger now. The guidance (911; 988, and 911 if in danger now)
  comes before anything else. Either a rule's red flag judged current by ConText, or the
  model sure enough on its own.
- check_in: possible distress that is not clear (hopeless about pain, worn out): crisis, and
  distress weighed less, probable enough. The question is answered, then a gentle line names 988.
- None: neither.

The model reads the rules' judgments as words beside the text (rule_words), so a red flag the
rules found denied, over or asked about weighs against danger, and one found current for it. A
current crisis or emergency from the rules stands unless the model is at least `veto` sure the
message is neither (a pet's emergency, a school poster about suicide prevention).
"""

from __future__ import annotations

from dataclasses import dataclass

from components import triage
from components.risk_model import RiskModel

EMERGENCY, CRISIS, CHECK_IN = "emergency", "crisis", "check_in"


@dataclass(frozen=True)
class Thresholds:
    """Model probabilities at or above which each answer is given (chosen on the development
    sets, docs/triage.md)."""
    emergency: float = 0.5
    crisis: float = 0.5
    check_in: float = 0.3
    # A rule's current red flag stands unless the model is at least this sure it is neither
    # (a dog that cannot stand, a paper on overdoses, "nearly had a heart attack at the bill").
    veto: float = 1.01
    # How much distress counts toward the check-in beside crisis: worry before surgery is
    # distress too, and needs no 988 line.
    distress_weight: float = 1.0


def rule_words(found: list[triage.Finding]) -> str:
    """The rules' findings as words the model reads: "zzemergencycurrent", "zzcrisisdenied".
    One made-up word each, so no patient's text holds it."""
    words = []
    for finding in found:
        if finding.current:
            state = "current"
        elif finding.negated:
            state = "denied"
        elif finding.hypothetical:
            state = "asked"
        else:
            state = "over"
        words.append(f"zz{finding.kind}{state}")
    return " ".join(words)


def reader_text(text: str, found: list[triage.Finding]) -> str:
    """What the model reads: the message, then the rules' words (and "zzanimal" when the
    message may be about an animal)."""
    words = " ".join([rule_words(found)] + ["zzanimal"] * triage.mentions_an_animal(text))
    return f"{text} {words.strip()}" if words.strip() else text


def decide(found: list[triage.Finding], risk: dict[str, float],
           thresholds: Thresholds) -> str | None:
    """emergency, crisis, check_in or None, from the rules' findings and the model's risk."""
    by_rules = triage.judge(found)
    if by_rules is not None and risk.get("none", 0.0) < thresholds.veto:
        # Self-harm with a wound or pills taken is an emergency to the rules and a crisis to
        # the model: the crisis answer names 988 and 911 both.
        if by_rules == EMERGENCY and risk.get(CRISIS, 0.0) >= thresholds.crisis:
            return CRISIS
        return by_rules
    if risk.get(CRISIS, 0.0) >= thresholds.crisis:
        return CRISIS
    if risk.get(EMERGENCY, 0.0) >= thresholds.emergency:
        return EMERGENCY
    if (risk.get(CRISIS, 0.0) + thresholds.distress_weight * risk.get("distress", 0.0)
            >= thresholds.check_in):
        return CHECK_IN
    return None


def assess(text: str, model: RiskModel, thresholds: Thresholds) -> str | None:
    found = triage.findings(text)
    return decide(found, model.probabilities(reader_text(text, found)), thresholds)
