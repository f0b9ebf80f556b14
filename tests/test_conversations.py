"""The conversations in tests/conversations/, replayed against the real Rasa server and action
server over REST, and checked by what the patient sees (tests/conversations/README.md)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml

from harness.bot_servers import running_bot
from harness.replies import in_language, responses_seen
from tests.conftest import MODEL
from tests.feeds import NEWER_2026, rss

pytestmark = pytest.mark.conversations
CONVERSATIONS = Path(__file__).parent / "conversations"


def conversations() -> list:
    return [
        pytest.param(conversation, id=f"{path.stem}: {conversation['name']}")
        for path in sorted(CONVERSATIONS.glob("*.yml"))
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    ]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def bot(module_feed_server, tmp_path_factory):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    module_feed_server.body = rss([NEWER_2026])
    env = {"PRACTICE_NOTICE_URL": module_feed_server.url}
    with running_bot(MODEL, env=env, workdir=tmp_path_factory.mktemp("bot")) as running:
        yield running


def button_payload(messages: list[dict], title: str) -> str:
    buttons = {b["title"]: b["payload"] for m in messages for b in m.get("buttons") or []}
    assert title in buttons, f"no button {title!r} in the last reply; buttons: {list(buttons)}"
    return buttons[title]


@pytest.mark.parametrize("conversation", conversations())
def test_conversation(bot, conversation):
    sender = f"conversation-{uuid.uuid4().hex}"
    messages: list[dict] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        text = button_payload(messages, turn["click"]) if "click" in turn else turn["user"]
        messages = bot.send(sender, text)
        seen = responses_seen(messages)
        shown = json.dumps([m.get("text") for m in messages], ensure_ascii=False)
        where = f"turn {number} ({turn.get('user') or 'click ' + turn['click']!r})"
        assert seen == as_list(turn["bot"]), f"{where}: expected {turn['bot']}, saw {seen}: {shown}"
        if "language" in turn:
            assert in_language(messages, turn["language"]), (
                f"{where}: not all in {turn['language']}: {shown}")
        for words in as_list(turn.get("says") or []):
            assert words in " ".join(m.get("text") or "" for m in messages), (
                f"{where}: {words!r} not in {shown}")
