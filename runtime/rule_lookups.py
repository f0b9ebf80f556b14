"""The rule policy's look-up by message text skipped when no rule is written with text.

After each message, Rasa's RulePolicy looks for a rule twice: once by the message's text (for
end-to-end rules, written with `user: "exact words"`), then by its intent, and each look-up
rebuilds the states of the whole conversation. This bot's rules are all written with intents
(rules that pick answers by exact words would defeat the classifier), so the look-up by text
can never match: it is skipped, and only when the trained rules contain no text at all. What
the policy predicts is unchanged (tests/test_rule_lookups.py).

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.shared.core.constants import USER
from rasa.shared.nlu.constants import TEXT

look_up_rules = RulePolicy._find_action_from_rules


def rules_read_text(policy: RulePolicy) -> bool:
    """Whether any trained rule matches a message by its text (worked out once per policy)."""
    if not hasattr(policy, "_rules_read_text"):
        policy._rules_read_text = any(
            TEXT in state.get(USER, {})
            for key in policy.lookup.get(RULES, {})
            for state in policy._rule_key_to_state(key))
    return policy._rules_read_text


def find_action_from_rules(policy: RulePolicy, tracker: Any, domain: Any,
                           use_text_for_last_user_input: bool) -> tuple:
    if use_text_for_last_user_input and not rules_read_text(policy):
        # What the look-up returns when no rule matches; the policy then looks by intent.
        return None, None, False
    return look_up_rules(policy, tracker, domain, use_text_for_last_user_input)


def install() -> None:
    RulePolicy._find_action_from_rules = find_action_from_rules
