"""The SMS channel's state in a shared PostgreSQL database (channels/sms_state.py), as several
Rasa servers use it: what one server records, another sees, and the decisions that must hold
across servers are each made once, however many ask at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from channels.sms_state import SmsState
from tests.support.postgres import running_postgres

pytestmark = pytest.mark.e2e  # a real PostgreSQL server (make postgres installs it)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with running_postgres() as url:
        yield url


def test_two_servers_share_opt_outs_choices_and_answers(database):
    one, other = SmsState(database), SmsState(database)
    one.opt_out("sms-a")
    assert other.is_opted_out("sms-a")
    other.opt_in("sms-a")
    assert not one.is_opted_out("sms-a")
    one.remember_choices("sms-a", ["/affirm", "/deny"])
    assert other.choices_for("sms-a") == ["/affirm", "/deny"]
    one.remember_choices("sms-a", ["/ask_cost"])  # replaced, not added
    assert other.choices_for("sms-a") == ["/ask_cost"]
    assert one.claim("SM-shared", "sms-a") and not other.claim("SM-shared", "sms-a")
    one.remember_answer("SM-shared", "<Response>x</Response>", "sms-a")
    assert other.answer_for("SM-shared") == "<Response>x</Response>"


def deliver(state: SmsState, sid: str, start: threading.Barrier, wins: list[bool]) -> None:
    start.wait()
    wins.append(state.claim(sid, "sms-b"))


def test_one_message_id_is_claimed_once_whatever_the_race(database):
    servers = [SmsState(database) for _ in range(4)]
    for round_number in range(20):
        wins: list[bool] = []
        start = threading.Barrier(len(servers))
        sid = f"SM-race-{round_number}"
        threads = [threading.Thread(target=deliver, args=(state, sid, start, wins))
                   for state in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(wins) == [False, False, False, True]


def test_forgetting_a_number_keeps_its_opt_out_on_every_server(database):
    one, other = SmsState(database), SmsState(database)
    assert one.first_message("sms-c") and not other.first_message("sms-c")
    one.opt_out("sms-c")
    other.remember_choices("sms-c", ["/affirm"])
    one.forget("sms-c")
    assert other.is_opted_out("sms-c") and other.choices_for("sms-c") == []
    assert other.first_message("sms-c")
