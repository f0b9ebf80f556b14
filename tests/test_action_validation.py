"""The action server's answers are checked as strictly as Rasa checks them
(runtime/action_validation.py), with the validator built once."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from runtime.action_validation import validate_action_result

GOOD = {"events": [{"event": "slot", "name": "condition", "value": "sciatica"}],
        "responses": [{"text": "We treat sciatica."}]}
BAD = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]},
       {"responses": "text"}, {"events": [{"event": "slot"}]}]


def test_a_valid_answer_passes_as_with_rasa():
    assert validate_action_result(None, GOOD)
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("result", BAD)
def test_what_rasa_refuses_is_refused_with_rasas_hint(result):
    with pytest.raises(ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, result)
