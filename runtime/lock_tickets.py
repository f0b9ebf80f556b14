"""A conversation never stays locked by tickets that have all expired.

Rasa's lock store serves a conversation's messages one at a time, by ticket. A ticket lives
TICKET_LOCK_LIFETIME seconds, so one left by a server that died mid-turn is dropped in time.
But a message waiting behind it checks once a second, and its own ticket, issued moments
later with the same lifetime, can expire within that same second: then no ticket is left,
nothing is "now serving" the waiting message's number, and Rasa's loop waits until the
client gives up (seen with several servers: nginx's 30 s). Here a waiting message whose ticket
has expired takes its place in the queue again, under the same number (its turn has not come
yet, and Rasa's cleanup after the turn looks for that number). Everything else is Rasa's loop.

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

import asyncio
import logging
import time

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore, _get_lock_lifetime

logger = logging.getLogger(__name__)


def requeued(lock: TicketLock, number: int) -> bool:
    """Put back an expired ticket, in number order; whether it had to be."""
    if lock._ticket_for_ticket_number(number) is not None:
        return False
    tickets = sorted([*lock.tickets, Ticket(number, time.time() + _get_lock_lifetime())],
                     key=lambda ticket: ticket.number)
    lock.tickets.clear()
    lock.tickets.extend(tickets)
    return True


async def acquire_lock(store: LockStore, conversation_id: str, ticket: int,
                       wait_time_in_seconds: float) -> TicketLock:
    """LockStore._acquire_lock, with an expired ticket of a waiting message put back."""
    while True:
        lock = store.get_lock(conversation_id)
        if not lock:
            break
        if requeued(lock, ticket):
            store.save_lock(lock)
            logger.debug("A waiting message's lock ticket expired; it was queued again.")
        if not lock.is_locked(ticket):
            return lock
        await asyncio.sleep(wait_time_in_seconds)
        store.update_lock(conversation_id)
    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def install() -> None:
    LockStore._acquire_lock = acquire_lock
