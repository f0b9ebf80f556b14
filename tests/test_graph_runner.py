"""The model's graph run in order (runtime/graph_runner.py) gives what Rasa's dask runner
gives, on the trained model: the same parse of every message, the same conversation."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.utils.endpoints import EndpointConfig

import runtime.graph_runner
from runtime.graph_runner import SequentialGraphRunner
from tests.conftest import MODEL, ROOT
from tests.support.in_process_bot import turns

pytestmark = pytest.mark.e2e  # needs the trained model

CONVERSATION = ["hi", "what is MIG-LIF", "what are its benefits", "how long is recovery",
                "do you treat scoliosis", "the the the", "I can't feel my legs and can't pee",
                "do you offer telehealth", "how much does it cost", "thanks"]


def agent(runner: type, action_url: str, monkeypatch: pytest.MonkeyPatch) -> Agent:
    monkeypatch.setattr("rasa.core.processor.DaskGraphRunner", runner)
    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_url))


def held_out_phrasings(count: int) -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "nlu_heldout.yml").read_text(encoding="utf-8"))
    texts = [line.strip()[2:] for item in data["nlu"]
             for line in item["examples"].splitlines() if line.strip().startswith("- ")]
    return texts[:count]


def test_it_parses_and_answers_as_dask_does(action_url, monkeypatch):
    with_dask = agent(DaskGraphRunner, action_url, monkeypatch)
    ours = agent(SequentialGraphRunner, action_url, monkeypatch)
    assert isinstance(ours.processor.graph_runner, SequentialGraphRunner)
    for text in CONVERSATION + held_out_phrasings(60):
        expected = asyncio.run(with_dask.processor.parse_message(UserMessage(text)))
        assert asyncio.run(ours.processor.parse_message(UserMessage(text))) == expected
    assert turns(ours, "p1", CONVERSATION) == turns(with_dask, "p1", CONVERSATION)


def test_an_input_named_like_a_node_is_refused(action_url, monkeypatch):
    runner = agent(SequentialGraphRunner, action_url, monkeypatch).processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError):
        runner.run(inputs={"__message__": node})


def test_the_server_installs_it(monkeypatch):
    import rasa.core.processor
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    runtime.graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
