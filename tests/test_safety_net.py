"""Red flags judged in context (components/triage.py) and the safety net that acts on them:
every current emergency is caught; history, denials, risk questions and everyday questions are
not. (The labelled set of 309 patient messages runs over REST: `make triage`.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from components.safety_net import EmergencySafetyNet
from components.triage import findings, judge

ROOT = Path(__file__).resolve().parent.parent


def verdict(text: str) -> str | None:
    return judge(findings(text))


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
    "i wish i was dead",
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
    # Condition names that look like red flags.
    "do you treat slipped discs?",
    "can MISS fix a collapsed vertebra",
    "is a herniated disc an emergency?",
]


NOT_NOW = [
    # (message, why it is no emergency)
    ("i had a stroke years ago, can i still have MISS?", "over"),
    ("i fell off a ladder last year and my back still aches", "over"),
    ("does the surgery have a risk of paralysis?", "a risk question"),
    ("my aunt had chest surgery and has a scar", "no red flag"),
    ("i had a fever last week but it's gone now", "over"),
    ("no fever, no chills, the incision looks fine", "denied"),
    ("what if i get an infection after surgery", "a risk question"),
    ("this pain is killing me", "a figure of speech"),
    ("i'm dying to know how long recovery takes", "a figure of speech"),
    ("what's the weather tomorrow", "no red flag"),
]
NOW = [
    "everything below my waist went numb an hour ago",
    "my husband fell and can't move his legs",
    "i had a stroke years ago but tonight my face is drooping and my speech is slurred",
    "if this surgery fails i'm going to kill myself",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergency_is_caught(text):
    assert verdict(text) == "emergency"


@pytest.mark.parametrize("text", CRISES)
def test_crisis_is_caught(text):
    assert verdict(text) == "crisis"


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_question_is_left_alone(text):
    assert verdict(text) is None


@pytest.mark.parametrize("text, why", NOT_NOW)
def test_a_red_flag_that_is_not_happening_now_is_no_emergency(text, why):
    assert verdict(text) is None, why


@pytest.mark.parametrize("text", NOW)
def test_a_red_flag_happening_now_counts_whoever_it_happens_to(text):
    assert verdict(text) in ("emergency", "crisis")


def test_a_current_red_flag_overrides_even_a_confident_other_intent():
    message = Message(data={
        "text": "how long is recovery? also i can't feel my legs",
        "intent": {"name": "ask_recovery_time", "confidence": 0.97},
        "intent_ranking": [{"name": "ask_recovery_time", "confidence": 0.97}],
    })
    [processed] = EmergencySafetyNet().process([message])
    assert processed.get("intent") == {"name": "report_emergency", "confidence": 1.0}
    assert processed.get("intent_ranking")[0]["name"] == "report_emergency"
    assert processed.get("intent_ranking")[1]["name"] == "ask_recovery_time"


def test_a_models_emergency_reading_without_a_current_red_flag_goes_to_the_fallback():
    message = Message(data={
        "text": "i had a stroke years ago, can i still have MISS?",
        "intent": {"name": "report_emergency", "confidence": 0.93},
        "intent_ranking": [{"name": "report_emergency", "confidence": 0.93},
                           {"name": "ask_candidacy", "confidence": 0.05}],
    })
    [processed] = EmergencySafetyNet().process([message])
    assert processed.get("intent")["name"] == "nlu_fallback"
    assert [entry["name"] for entry in processed.get("intent_ranking")] == [
        "nlu_fallback", "report_emergency", "ask_candidacy"]


def test_no_red_flag_leaves_the_message_as_it_was():
    intent = {"name": "ask_cost", "confidence": 0.9}
    [processed] = EmergencySafetyNet().process([Message(data={"text": "how much",
                                                              "intent": intent})])
    assert processed.get("intent") == intent


def training_examples() -> list[tuple[str, str]]:
    """(intent, text) of every example in the topic files, entity markup removed."""
    examples = []
    for path in sorted((ROOT / "data" / "topics").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                text = re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", line.strip().removeprefix("- "))
                if text:
                    examples.append((block["intent"], text))
    return examples


def test_the_red_flags_agree_with_every_training_example():
    """Each emergency and crisis example is caught; no example of another topic is."""
    expected = {"report_emergency": "emergency", "report_crisis": "crisis"}
    examples = training_examples()
    disagree = [(intent, text) for intent, text in examples
                if verdict(text) != expected.get(intent)]
    assert len(examples) > 500 and disagree == []
