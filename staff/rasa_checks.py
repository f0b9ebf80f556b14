"""Rasa's own checks of the project — what `rasa data validate --fail-on-warnings` runs — in
this process, each finding as one line: `make check` shows them beside its own, `make
validate` runs them alone.

One difference from the command: the responses a channel says itself (channels/responses.py:
SMS keywords, an over-long message, the privacy notice) are used by no rule or story, and
that is right; Rasa would call them unused.

Usage: python -m staff.rasa_checks     (make validate; exit status 1 on any finding)
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def findings_of_rasa() -> Iterator[list[str]]:
    """Rasa's warnings (warnings.warn) and its validator's warning log lines, collected."""
    collector = _Collector()
    validator_log = logging.getLogger("rasa.validator")
    validator_log.addHandler(collector)
    found: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
        found += [str(warning.message) for warning in caught]
        found += collector.messages
    finally:
        validator_log.removeHandler(collector)


def said_by_a_channel(finding: str) -> bool:
    """A response Rasa calls unused that a channel, or the response generator, says."""
    from channels.responses import SAID_BY_CHANNELS
    from components.courteous_nlg import (
        ASK_ON_ITS_OWN_RESPONSE,
        CHECK_IN_RESPONSE,
        NEAREST_TOPIC_RESPONSE,
    )

    unused = UNUSED_RESPONSE.search(finding)
    return bool(unused) and unused.group(1) in SAID_BY_CHANNELS | {
        CHECK_IN_RESPONSE, ASK_ON_ITS_OWN_RESPONSE, NEAREST_TOPIC_RESPONSE}


def rasa_findings(data: Path = ROOT / "data", domain: Path = ROOT / "domain.yml",
                  config: Path = ROOT / "config.yml") -> list[str]:
    """What Rasa's validator finds wrong, one line each (none: all good)."""
    from rasa.shared.exceptions import RasaException
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    try:
        with warnings.catch_warnings():
            # Reading the data warns about things the validator does not count (Rasa's own
            # deprecations, our importer's merge of topic answers into the domain).
            warnings.simplefilter("ignore")
            importer = TrainingDataImporter.load_from_config(str(config), str(domain),
                                                             [str(data)])
            validator = Validator.from_importer(importer)
            empty = importer.get_domain().is_empty()
    except (RasaException, ValueError, OSError) as error:
        return [first_line(str(error))]
    if empty:
        return ["The domain is empty."]
    checks: list[Callable[[], bool]] = [
        validator.verify_domain_validity,
        validator.verify_actions_in_stories_rules,
        validator.verify_forms_in_stories_rules,
        validator.verify_form_slots,
        validator.verify_slot_mappings,
        lambda: validator.verify_nlu(ignore_warnings=False),
        lambda: validator.verify_story_structure(ignore_warnings=False),
    ]
    with findings_of_rasa() as found:
        passed = [check() for check in checks]
    findings = [first_line(finding) for finding in dict.fromkeys(found)
                if not said_by_a_channel(finding)]
    if not all(passed) and not findings and not any(map(said_by_a_channel, found)):
        findings = ["Rasa's validator failed without saying why."]
    return findings


def first_line(text: str) -> str:
    return " ".join(text.strip().splitlines()[0].split()) if text.strip() else text


def main() -> int:
    findings = rasa_findings()
    for finding in findings:
        print(f"Rasa's own check: {finding}")
    if findings:
        return 1
    print("Rasa's own checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
