"""The rule policy's look-up by text is skipped only when no rule has text
(runtime/rule_lookups.py), and then the bot answers as it did before."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.utils.endpoints import EndpointConfig

from runtime import rule_lookups
from tests.conftest import MODEL
from tests.support.in_process_bot import turns

pytestmark = pytest.mark.e2e  # needs the trained model

CONVERSATION = ["hello", "what is minimally invasive spine surgery", "benefits?",
                "what about MIG-LIF", "is it less painful", "do you offer telehealth",
                "asdfgh", "I have a fever after my surgery and the wound is draining", "bye"]


def conversation(action_url: str, monkeypatch: pytest.MonkeyPatch, skip_text: bool) -> list:
    monkeypatch.setattr(RulePolicy, "_find_action_from_rules",
                        rule_lookups.find_action_from_rules if skip_text
                        else rule_lookups.look_up_rules)
    agent = Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_url))
    return turns(agent, "p1", CONVERSATION)


def rule_policy(agent: Agent) -> RulePolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return next(n._component for n in nodes if isinstance(n._component, RulePolicy))


def test_this_bots_rules_have_no_text_and_it_answers_as_before(action_url, monkeypatch):
    assert not rule_lookups.rules_read_text(rule_policy(Agent.load(str(MODEL))))
    assert conversation(action_url, monkeypatch, skip_text=True) == conversation(
        action_url, monkeypatch, skip_text=False)


def test_a_rule_written_with_text_keeps_the_look_up_by_text(monkeypatch):
    policy = RulePolicy.__new__(RulePolicy)
    policy.lookup = {"rules": {
        '[{"prev_action": {"action_name": "action_listen"}, "user": {"text": "hi"}}]': "utter_a"}}
    assert rule_lookups.rules_read_text(policy)
    looked_up = []
    monkeypatch.setattr(rule_lookups, "look_up_rules",
                        lambda *args: looked_up.append(args) or ("utter_a", "key", False))
    assert rule_lookups.find_action_from_rules(policy, None, None, True)[0] == "utter_a"
    assert looked_up
