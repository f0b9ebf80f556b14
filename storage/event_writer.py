"""The one thread that writes conversation events to the database, so a reply never waits for a
disk sync or a locked database file.

Work is handed over as each turn ends — new event rows, or a conversation to delete ("forget
me") — and done in order, together with any other work that came meanwhile (one transaction
for all of it: under load, many turns per disk sync). If the database refuses it (locked by
another program, gone, full), it is kept, the error is logged (what failed, never what a
patient wrote) and tried again, at growing intervals up to a minute, until it succeeds;
nothing is dropped below MAX_PENDING_ROWS rows. `close()` (at exit) writes what is left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# About 40 MB of waiting events, hours of a busy practice's turns: past it, a database that
# has been refusing writes for that long loses its oldest waiting rows rather than the server
# its memory.
MAX_PENDING_ROWS = 100_000
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 0.5, 60.0

Row = dict  # an `events` row: sender_id, type_name, timestamp, intent_name, action_name, data


@dataclass(frozen=True)
class Forget:
    """Delete every stored event of this conversation."""
    sender_id: str


Work = Row | Forget


def sender_of(work: Work) -> str:
    return work.sender_id if isinstance(work, Forget) else work["sender_id"]


def database_reason(error: Exception) -> str:
    """The database's own first line: SQLAlchemy's message goes on with the statement and its
    parameters (patient text, sender ids), which must never reach a log."""
    lines = str(getattr(error, "orig", None) or error).splitlines()
    return f"{type(error).__name__}: {lines[0][:200] if lines else ''}"


class EventWriter:
    def __init__(self, write: Callable[[list[Work]], None],
                 name: str = "conversation-writer") -> None:
        self._write = write
        self._pending: list[Work] = []
        self._waiting_by_sender: Counter[str] = Counter()
        self._written = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, rows: list[Row]) -> None:
        self._add(rows)

    def forget(self, sender_id: str) -> None:
        """Delete the conversation: its waiting rows are dropped, then its stored ones."""
        with self._written:
            kept = [work for work in self._pending if sender_of(work) != sender_id]
            self._waiting_by_sender[sender_id] -= len(self._pending) - len(kept)
            self._pending = kept
        self._add([Forget(sender_id)])

    def _add(self, work: list[Work]) -> None:
        if not work:
            return
        with self._written:
            self._pending.extend(work)
            self._waiting_by_sender.update(sender_of(item) for item in work)
            if len(self._pending) > MAX_PENDING_ROWS:
                dropped = self._pending[: len(self._pending) - MAX_PENDING_ROWS]
                del self._pending[: len(dropped)]
                self._waiting_by_sender.subtract(sender_of(item) for item in dropped)
                logger.error("The conversation database has refused writes for too long: "
                             "%d waiting events were dropped.", len(dropped))
            self._written.notify_all()

    def waiting_for(self, sender_id: str) -> bool:
        """Whether some of this conversation's work is not done in the database yet."""
        with self._written:
            return self._waiting_by_sender[sender_id] > 0

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until all work handed over so far is done; False if that took too long."""
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
                self._write(batch)
            except Exception as error:  # noqa: BLE001 - whatever the database says, keep the work
                self._keep(batch, error, retry_in, closing)
                if closing:
                    return
                retry_in = min(retry_in * 2, LAST_RETRY_SECONDS)
                continue
            retry_in = FIRST_RETRY_SECONDS
            with self._written:
                self._waiting_by_sender.subtract(sender_of(item) for item in batch)
                self._waiting_by_sender += Counter()  # drops the zeros
                self._busy = False
                self._written.notify_all()

    def _keep(self, batch: list[Work], error: Exception, retry_in: float, closing: bool) -> None:
        """Put refused work back in front; wait `retry_in` seconds or until closing."""
        logger.error("Could not store %d conversation events (%s)%s", len(batch),
                     database_reason(error),
                     "." if closing else f"; trying again in {retry_in:.1f} s.")
        deadline = time.monotonic() + retry_in
        with self._written:
            self._pending[:0] = batch
            self._busy = False
            self._written.notify_all()
            while not closing and not self._closed and time.monotonic() < deadline:
                self._written.wait(deadline - time.monotonic())
