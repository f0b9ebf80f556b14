"""Sessions end after MAX_SESSION_TURNS patient messages (storage/session_limit.py): the
store keeps every event, a reply reads only the latest session, and a follow-up right after
the boundary still continues the topic (the real model and action server)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig

from actions.context import TOPIC_KEY
from harness.bot_servers import running_action_server
from storage.conversation_store import ConversationStore
from storage.session_limit import MAX_SESSION_TURNS
from tests.conftest import MODEL
from tests.test_conversation_store import converse, stores, turn


def topic_turn(number: int) -> list:
    events = turn(f"question {number}", "answer")
    events[0] = UserUttered(f"question {number}", {"name": "ask_recovery_time",
                                                   "confidence": 1.0})
    return events


@pytest.mark.parametrize("cache", [10, 0])
def test_a_long_conversation_is_read_back_one_bounded_session_at_a_time(tmp_path, cache):
    cached, database = stores(tmp_path, cache_conversations=cache)
    converse(cached, "p1", [[SlotSet("condition", "sciatica")]])
    for number in range(2 * MAX_SESSION_TURNS + 5):  # each turn's events made as it happens
        converse(cached, "p1", [topic_turn(number)])
    cached.writer.flush()
    for store in (cached, database):
        session = asyncio.run(store.retrieve("p1")).events
        user_turns = [e for e in session if isinstance(e, UserUttered)]
        assert len(user_turns) == 5
        started = next(e for e in session if isinstance(e, SessionStarted))
        assert started.metadata[TOPIC_KEY]["intent"]["name"] == "ask_recovery_time"
        assert SlotSet("condition", "sciatica") in session  # carried over, as Rasa does
    everything = asyncio.run(database.retrieve_full_tracker("p1")).events
    assert sum(isinstance(e, UserUttered) for e in everything) == 2 * MAX_SESSION_TURNS + 5
    assert sum(isinstance(e, SessionStarted) for e in everything) == 2


@pytest.mark.e2e
def test_a_follow_up_right_after_the_boundary_continues_the_topic(tmp_path):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    with running_action_server() as (action_url, _, _):
        agent = Agent.load(str(MODEL),
                           action_endpoint=EndpointConfig(f"{action_url}/webhook"))
        store = ConversationStore(agent.domain, dialect="sqlite", db=str(tmp_path / "c.db"),
                                  cache_conversations=10)
        agent.tracker_store = agent.processor.tracker_store = store

        async def ask(text: str) -> str:
            replies = await agent.handle_text(text, sender_id="long")
            return " ".join(reply.get("text") or "" for reply in replies or [])

        async def converse_long() -> str:
            for _ in range(MAX_SESSION_TURNS - 1):
                await ask("how long is recovery?")
            assert "MIG-LIF" in await ask("what is MIG-LIF?")  # the session's last message
            return await ask("what are its benefits?")

        answer = asyncio.run(converse_long())
        store.writer.close()
    assert "MIG-LIF" in answer
    events = asyncio.run(store.retrieve("long")).events
    assert [e.text for e in events if isinstance(e, UserUttered)][0] == \
        "what are its benefits?"
