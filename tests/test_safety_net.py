"""The emergency safety net: every emergency phrasing is caught, everyday questions are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.safety_net import EmergencySafetyNet, load_patterns, match_emergency

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = load_patterns(ROOT / "lexicon" / "emergency_phrases.yml")

EMERGENCIES = [
    "I suddenly can't control my bladder",
    "since yesterday i lost control of my bowels",
    "I have numbness in my groin area",
    "my inner thighs and groin went numb",
    "all of a sudden my legs are weak and i cant walk",
    "my leg gave out and won't hold me",
    "i can't move my legs",
    "I'm having chest pain",
    "pain in my chest and my arm",
    "i had surgery 5 days ago and have a high fever",
    "fever of 102 after my operation",
    "my incision is oozing and red",
    "there's pus coming from my wound",
    "my mom fell down the stairs",
    "I just fell and hurt my back",
    "I was in a car accident",
    "this is an emergency",
    "I can't breathe",
    "i'm numb down there",
    "i lost feeling in my legs",
    "both legs went numb",
    "i'm short of breath",
    "my temperature is 102 and i had surgery friday",
    "blood is bleeding through the bandage",
    "my incision split open",
    "i slipped on the ice and landed on my back",
]
CRISES = [
    "I want to kill myself",
    "i've been thinking about suicide",
    "I don't want to live anymore",
    "i just want to end it all",
    "i'm going to overdose",
]
EVERYDAY = [
    "how long is recovery?",
    "what is the risk of infection",
    "is there a lot of blood loss",
    "do you treat spinal infections",
    "will i have pain after surgery",
    "how big is the incision",
    "what are the benefits of MISS",
    "do you take medicare",
    "I hurt my back lifting a box last year, can MISS help",
    "can i go home the same day",
    "does it leave a scar",
    "my back hurts when i bend, what should i do",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergency_is_caught(text):
    assert match_emergency(text, PATTERNS) == "report_emergency"


@pytest.mark.parametrize("text", CRISES)
def test_crisis_is_caught(text):
    assert match_emergency(text, PATTERNS) == "report_crisis"


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_question_is_left_alone(text):
    assert match_emergency(text, PATTERNS) is None


def test_match_overrides_even_a_confident_other_intent():
    component = EmergencySafetyNet(PATTERNS)
    message = Message(data={
        "text": "how long is recovery? also i can't feel my legs",
        "intent": {"name": "ask_recovery_time", "confidence": 0.97},
        "intent_ranking": [{"name": "ask_recovery_time", "confidence": 0.97}],
    })
    [processed] = component.process([message])
    assert processed.get("intent") == {"name": "report_emergency", "confidence": 1.0}
    assert processed.get("intent_ranking")[0]["name"] == "report_emergency"
    assert processed.get("intent_ranking")[1]["name"] == "ask_recovery_time"


def test_no_match_leaves_the_message_as_it_was():
    component = EmergencySafetyNet(PATTERNS)
    intent = {"name": "ask_cost", "confidence": 0.9}
    [processed] = component.process([Message(data={"text": "how much", "intent": intent})])
    assert processed.get("intent") == intent
