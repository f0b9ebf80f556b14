"""Delete conversations older than the retention period, now (the running bot does it every
hour by itself): `make purge`.

CONVERSATION_RETENTION_DAYS (default 30) sets the period. Conversations are deleted from the
tracker store that endpoints.yml configures (SQLite or PostgreSQL alike), and the SMS
channel's records of answered messages and privacy notices with them; opt-outs are kept.
Prints how many events were deleted, never what they said.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import read_endpoint_config

from channels.sms_state import SmsState
from runtime.settings import SettingsError, load_settings
from storage.retention import purge_conversations

ROOT = Path(__file__).resolve().parent.parent
# Settings of storage.conversation_store.ConversationStore that Rasa's store does not take.
MEMORY_SETTINGS = ("cache_conversations", "cache_seconds")


def configured_store(endpoints: Path) -> SQLTrackerStore | None:
    """Rasa's SQL store on the database endpoints.yml names (None for another kind)."""
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None or config.type not in ("sql", "storage.conversation_store."
                                                     "ConversationStore"):
        return None
    settings = {k: v for k, v in config.kwargs.items() if k not in MEMORY_SETTINGS}
    return SQLTrackerStore(**settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error)
        return 2
    days = settings.conversation_retention_days
    store = configured_store(args.endpoints)
    if store is None:
        print("endpoints.yml keeps conversations in a store that is not SQL: nothing deleted.")
        return 1
    deleted = purge_conversations(store, days)
    print(f"Deleted {deleted} conversation events older than {days} days.")
    sms = settings.sms_state_location
    if not isinstance(sms, Path) or sms.exists():
        SmsState(sms).expire_conversations(days)
        print("SMS records: answered messages over a day old deleted; opt-outs kept.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
