"""A request waiting for one of its mailbox's ``PER_MAILBOX`` slots waits within its own
deadline: when the other requests hold every slot longer than that, it fails in one line
("did not answer within"), never hangs past the bound the client promises."""

from __future__ import annotations

import threading

import pytest

from routine_audit.errors import SourceError
from routine_audit.sources.microsoft.client import PER_MAILBOX, GraphClient, mailbox_slots

MAILBOX = "waiting@example.com"


def test_a_full_mailbox_fails_the_request_at_its_deadline():
    client = GraphClient("http://127.0.0.1:9", lambda: "token", timeout=0.3)
    slots = mailbox_slots(client.host, MAILBOX)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            client.get(client.url("/v1.0/me"), what=f"calendar of {MAILBOX}", mailbox=MAILBOX)
        except BaseException as exc:  # noqa: BLE001 - the test reads whatever ended it
            outcome.append(exc)

    for _ in range(PER_MAILBOX):  # the other requests of this mailbox, still running
        slots.acquire()
    try:
        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(3.0)  # 0.3 s deadline; 3 s is ten times that
        ended_in_time = not asking.is_alive()
    finally:
        for _ in range(PER_MAILBOX):
            slots.release()
    asking.join(5.0)
    assert ended_in_time, "the request waited for a slot past its deadline"
    assert len(outcome) == 1 and isinstance(outcome[0], SourceError)
    assert "did not answer for the calendar of waiting@example.com within 0.3 s" in str(outcome[0])


def test_a_free_slot_is_given_back_after_a_failed_request():
    client = GraphClient("http://127.0.0.1:9", lambda: "token", timeout=0.3, attempts=1)
    with pytest.raises(SourceError):
        client.get(client.url("/v1.0/me"), what="calendar", mailbox="given-back@example.com")
    slots = mailbox_slots(client.host, "given-back@example.com")
    taken = [slots.acquire(blocking=False) for _ in range(PER_MAILBOX)]
    for ok in taken:
        if ok:
            slots.release()
    assert all(taken)
