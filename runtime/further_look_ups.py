"""The further questions' look-up called only for a message that asks further questions.

The slot further_answers is filled by a custom slot mapping (domain.yml), and Rasa runs a custom
mapping's action after every patient message: a call to the action server each time. Most
messages ask one question. The call is skipped when the message names no further question (the
entity `question`, components/several_questions.py): a round trip saved for nearly every
message, and, when the action server hangs, no second wait on top of the answer's own look-up
(tests/test_patient_data.py).

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExtractSlots

from components.several_questions import ENTITY

# Custom mapping actions, by the entity a message must carry for them to have anything to do.
NEEDS_ENTITY = {"action_look_up_further_questions": ENTITY}

run_custom_action = ActionExtractSlots._run_custom_action


def has_entity(tracker: Any, entity: str) -> bool:
    latest = tracker.latest_message
    return any(found.get("entity") == entity for found in (latest.entities if latest else []))


async def run_custom_action_when_needed(action: ActionExtractSlots, custom_action: str,
                                        *args: Any) -> list:
    tracker = args[2]
    needed = NEEDS_ENTITY.get(custom_action)
    if needed is not None and not has_entity(tracker, needed):
        return []
    return await run_custom_action(action, custom_action, *args)


def install() -> None:
    ActionExtractSlots._run_custom_action = run_custom_action_when_needed
