"""A message waiting for a conversation's lock is served once the ticket before it has
expired, even if its own expired in the same moment (runtime/lock_tickets.py)."""

from __future__ import annotations

import asyncio
import time

from rasa.core.lock_store import InMemoryLockStore, LockStore

from runtime import lock_tickets


def test_a_waiting_message_is_served_after_a_dead_servers_ticket_expires(monkeypatch):
    monkeypatch.setattr(LockStore, "_acquire_lock", lock_tickets.acquire_lock)
    monkeypatch.setenv("TICKET_LOCK_LIFETIME", "1")
    store = InMemoryLockStore()
    store.issue_ticket("p1", lock_lifetime=1)  # a server died holding this turn's ticket

    async def next_message() -> float:
        started = time.monotonic()
        async with store.lock("p1", lock_lifetime=1, wait_time_in_seconds=1.5):
            return time.monotonic() - started

    # Checked every 1.5 s, both tickets have expired by the first check.
    waited = asyncio.run(asyncio.wait_for(next_message(), timeout=10))
    assert 1 <= waited < 5
    assert store.get_lock("p1") is None  # cleaned up after the turn, as Rasa does


def test_without_the_fix_the_same_message_waits_forever():
    store = InMemoryLockStore()
    store.issue_ticket("p1", lock_lifetime=1)

    async def next_message() -> None:
        async with store.lock("p1", lock_lifetime=1, wait_time_in_seconds=1.5):
            pass

    try:
        asyncio.run(asyncio.wait_for(next_message(), timeout=5))
    except asyncio.TimeoutError:
        return
    raise AssertionError("Rasa's own loop got the lock: the fix may no longer be needed")
