"""The further questions' look-up is called only for a message that asks further questions
(runtime/further_look_ups.py); the e2e test of a hanging action server times the whole."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from runtime import further_look_ups


def tracker_with(entities: list[dict]) -> SimpleNamespace:
    return SimpleNamespace(latest_message=SimpleNamespace(entities=entities))


def called_with(monkeypatch, custom_action: str, entities: list[dict]) -> list[str]:
    calls = []

    async def run(action, name, *args):
        calls.append(name)
        return []

    monkeypatch.setattr(further_look_ups, "run_custom_action", run)
    asyncio.run(further_look_ups.run_custom_action_when_needed(
        None, custom_action, "channel", "nlg", tracker_with(entities), "domain"))
    return calls


def test_a_message_without_further_questions_skips_the_look_up(monkeypatch):
    assert called_with(monkeypatch, "action_look_up_further_questions",
                       [{"entity": "condition", "value": "spinal_tumor"}]) == []


def test_a_message_with_further_questions_gets_the_look_up(monkeypatch):
    assert called_with(monkeypatch, "action_look_up_further_questions",
                       [{"entity": "question", "value": "ask_telehealth"}]) == [
        "action_look_up_further_questions"]


def test_other_custom_mappings_always_run(monkeypatch):
    assert called_with(monkeypatch, "action_some_other_mapping", []) == [
        "action_some_other_mapping"]
