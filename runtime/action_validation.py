"""The action server's answers checked against Rasa's schema in about a millisecond.

Rasa checks every answer from the action server with `jsonschema.validate(result, schema)`,
which first checks the (large) events schema itself and builds a new validator: about 50 ms
per custom action on this machine, more than all the rest of a reply. Here the validator is
built once and reused: the same schema, the same errors (with Rasa's hint appended).

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.cache
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator = validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator built once."""
    try:
        response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions")
        raise
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
