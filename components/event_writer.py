"""The one thread that writes conversation events to the database, so a reply never waits for a
disk sync or a locked database file.

Rows are handed over as each turn ends and committed in order, together with any other turns
that ended meanwhile (one transaction for all of them: under load, many turns per disk sync).
If the database refuses them (locked by another program, gone, full), they are kept, the error
is logged (what failed, never what a patient wrote) and the write is tried again, at growing
intervals up to a minute, until it succeeds; nothing is dropped below MAX_PENDING_ROWS rows.
`close()` (at exit) writes what is left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

logger = logging.getLogger(__name__)

# About 40 MB of waiting events, hours of a busy practice's turns: past it, a database that
# has been refusing writes for that long loses its oldest waiting rows rather than the server
# its memory.
MAX_PENDING_ROWS = 100_000
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 0.5, 60.0

Row = dict


class EventWriter:
    def __init__(self, insert: Callable[[list[Row]], None], name: str = "conversation-writer"):
        self._insert = insert
        self._pending: list[Row] = []
        self._waiting_by_sender: Counter[str] = Counter()
        self._written = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, rows: list[Row]) -> None:
        if not rows:
            return
        with self._written:
            self._pending.extend(rows)
            self._waiting_by_sender.update(row["sender_id"] for row in rows)
            if len(self._pending) > MAX_PENDING_ROWS:
                dropped = self._pending[: len(self._pending) - MAX_PENDING_ROWS]
                del self._pending[: len(dropped)]
                self._waiting_by_sender.subtract(row["sender_id"] for row in dropped)
                logger.error("The conversation database has refused writes for too long: "
                             "%d waiting events were dropped.", len(dropped))
            self._written.notify_all()

    def waiting_for(self, sender_id: str) -> bool:
        """Whether some of this conversation's events are not in the database yet."""
        with self._written:
            return self._waiting_by_sender[sender_id] > 0

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row handed over so far is committed; False if that took too long."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._written:
            while self._pending or self._busy:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._written.wait(remaining)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is left (trying for at most about `timeout` seconds), then stop."""
        self.flush(timeout)
        with self._written:
            self._closed = True
            self._written.notify_all()
        self._thread.join(timeout)
        with self._written:
            if self._pending:
                logger.error("%d conversation events could not be stored before the server "
                             "stopped.", len(self._pending))

    def _run(self) -> None:
        retry_in = FIRST_RETRY_SECONDS
        while True:
            with self._written:
                while not self._pending and not self._closed:
                    self._written.wait()
                if not self._pending:
                    return
                batch, self._pending, self._busy = self._pending, [], True
                closing = self._closed
            try:
                self._insert(batch)
            except Exception as error:  # noqa: BLE001 - whatever the database says, keep the rows
                self._keep(batch, error, retry_in, closing)
                if closing:
                    return
                retry_in = min(retry_in * 2, LAST_RETRY_SECONDS)
                continue
            retry_in = FIRST_RETRY_SECONDS
            with self._written:
                self._waiting_by_sender.subtract(row["sender_id"] for row in batch)
                self._waiting_by_sender += Counter()  # drops the zeros
                self._busy = False
                self._written.notify_all()

    def _keep(self, batch: list[Row], error: Exception, retry_in: float, closing: bool) -> None:
        """Put a refused batch back in front; wait `retry_in` seconds or until closing."""
        # SQLAlchemy's message goes on with the statement and its parameters (patient text):
        # only the database's own first line is logged.
        reason = str(getattr(error, "orig", None) or error).splitlines()
        logger.error("Could not store %d conversation events (%s: %s)%s", len(batch),
                     type(error).__name__, reason[0][:200] if reason else "",
                     "." if closing else f"; trying again in {retry_in:.1f} s.")
        deadline = time.monotonic() + retry_in
        with self._written:
            self._pending[:0] = batch
            self._busy = False
            self._written.notify_all()
            while not closing and not self._closed and time.monotonic() < deadline:
                self._written.wait(deadline - time.monotonic())
