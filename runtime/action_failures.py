"""An answer within seconds when the action server is down, slow or failing.

Rasa waits up to five minutes for a custom action, and when the call fails its rules find no
next step and the patient gets the deflection ("I don't have an answer to that here ..."),
which even claims the bot could answer what it just failed to look up. Here a custom action
gets ACTION_TIMEOUT_SECONDS; if it fails or times out, the bot says it cannot look that up
right now and gives the phone number (the response utter_action_failed, domain.yml), then
waits for the patient (a rule in data/rules.yml): the same path whatever failed, with no
action server involved. The log says which action failed and why, never what was asked.

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import Event, FollowupAction

logger = logging.getLogger(__name__)

# The action server's own look-ups give up after 2 s (actions/notices.py) and answer from
# what they have: the patient has an answer within 3 s either way.
ACTION_TIMEOUT_SECONDS = 2.5
FAILED_RESPONSE = "utter_action_failed"

run_remote_action = RemoteAction.run


async def run_or_say_it_failed(action: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
    try:
        return await asyncio.wait_for(run_remote_action(action, *args, **kwargs),
                                      ACTION_TIMEOUT_SECONDS)
    except ActionExecutionRejection:
        raise  # the action declined (Rasa's own path for forms), not a failure
    except Exception as error:  # noqa: BLE001 - whatever failed, the patient gets an answer
        reason = "no answer in time" if isinstance(error, asyncio.TimeoutError) \
            else type(error).__name__
        logger.error("Custom action %s failed (%s): the patient is told to try again or call.",
                     action.name(), reason)
        return [FollowupAction(FAILED_RESPONSE)]


def install() -> None:
    RemoteAction.run = run_or_say_it_failed
