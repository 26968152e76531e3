"""Issue 23, Reading: where calendarView is denied (403) but the mailbox's free/busy is
visible, the reader falls back to getSchedule and marks the data busy/free blocks only
(coverage ``free_busy``; every block is ``other``). Against the fake Graph.

The week is 2026-W45 of rep@company.example (New York, UTC-5): Mon 2 Nov 00:00 New
York is 05:00 UTC, so getSchedule is asked 2026-11-02T05:00:00 to 2026-11-09T05:00:00
(UTC).
"""

from __future__ import annotations

import json

import graph_fake
import pytest
from graph_fake import audit, free_busy_item, opened
from source_contract import REP, ROUTINE

import routine_audit as ra
from routine_audit.errors import SourceError
from routine_audit.sources import source_class

graph = graph_fake.graph
SECRET_TITLE = "Acquisition talks with Globex"  # a "limited details" mailbox shows it


def week():
    routine = ra.load_routine(ROUTINE)
    return routine, ra.period_for(routine, week="2026-W45")


def deny_with_free_busy(fake) -> None:
    fake.serve(REP, [])
    fake.denied.add(REP)
    fake.free_busy[REP] = [
        # Mon 2 Nov 14:00-16:00 UTC = 09:00-11:00 New York: the prospecting window
        free_busy_item("busy", "2026-11-02T14:00", "2026-11-02T16:00", subject=SECRET_TITLE),
        free_busy_item("tentative", "2026-11-03T15:00", "2026-11-03T16:00"),
        free_busy_item("oof", "2026-11-04T05:00", "2026-11-05T05:00"),
        free_busy_item("workingElsewhere", "2026-11-05T14:00", "2026-11-05T22:00"),
        free_busy_item("free", "2026-11-06T14:00", "2026-11-06T15:00"),
    ]


def test_denied_calendar_view_falls_back_to_get_schedule(graph):
    deny_with_free_busy(graph)
    routine, period = week()
    data = opened().read(period, zone=routine.zone)
    assert data.free_busy is True
    assert source_class("microsoft").tells_free_busy
    (asked,) = graph.posts("/calendar/getSchedule")
    assert asked.path == "/v1.0/users/rep@company.example/calendar/getSchedule"
    assert asked.body["schedules"] == [REP]
    assert asked.body["startTime"] == {"dateTime": "2026-11-02T05:00:00", "timeZone": "UTC"}
    assert asked.body["endTime"] == {"dateTime": "2026-11-09T05:00:00", "timeZone": "UTC"}
    # the statuses read as showAs does: busy and tentative block, oof is time off,
    # workingElsewhere is a marker, free is transparent
    shown = {(e.start.astimezone(routine.zone).strftime("%a %H:%M"), e.transparent, e.event_type)
             for e in data.events}  # fmt: skip
    assert shown == {
        ("Mon 09:00", False, "default"),
        ("Tue 10:00", False, "default"),
        ("Wed 00:00", False, "outOfOffice"),
        ("Thu 09:00", False, "workingLocation"),
        ("Fri 09:00", True, "default"),
    }
    # no content: not even the subject a "limited details" share would give
    assert all(not e.summary and not e.description for e in data.events)
    assert SECRET_TITLE not in repr(data)


def test_free_busy_blocks_are_other_and_coverage_says_so(graph):
    deny_with_free_busy(graph)
    routine, period = week()
    result = ra.audit_calendar(opened(), routine, None, period)
    assert result.coverage.status.value == "free_busy"
    assert set(result.occurrences["activity"]) == {"other"}


def test_free_busy_through_the_cli(graph):
    deny_with_free_busy(graph)
    result = audit("--format", "json")
    assert result.exit_code in (0, 1), result.output
    rep = json.loads(result.stdout)["reps"][REP]
    assert rep["coverage"]["status"] == "free_busy"
    assert SECRET_TITLE not in result.output and graph_fake.TOKEN not in result.output


def test_free_busy_not_visible_either_is_the_403_with_the_share_hint(graph):
    graph.serve(REP, [])
    graph.denied.add(REP)  # getSchedule answers the mailbox's entry with an error
    routine, period = week()
    with pytest.raises(SourceError) as caught:
        opened().read(period, zone=routine.zone)
    text = str(caught.value)
    assert "403 ErrorAccessDenied" in text and "Share" in (caught.value.hint or "")
    assert len(graph.posts("/calendar/getSchedule")) == 1


def test_get_schedule_denied_too_is_one_line_exit_2(graph):
    graph.serve(REP, [])
    graph.denied.add(REP)
    graph.schedule_denied.add(REP)
    result = audit()
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "403 ErrorAccessDenied" in line and "Access is denied" not in result.output


def test_a_named_calendar_denied_does_not_fall_back(graph):
    graph.serve(REP, [], calendar="AAMkCal")
    graph.denied.add("AAMkCal")
    graph.free_busy[REP] = []
    routine, period = week()
    with pytest.raises(SourceError, match="403"):
        opened(calendar="AAMkCal").read(period, zone=routine.zone)
    assert graph.posts("/calendar/getSchedule") == []  # free/busy is the main calendar's


def test_full_access_says_not_free_busy(graph):
    graph.serve(REP, [])
    routine, period = week()
    assert opened().read(period, zone=routine.zone).free_busy is False
    assert graph.posts("/calendar/getSchedule") == []


def test_an_unreadable_block_is_a_problem_without_its_subject(graph):
    deny_with_free_busy(graph)
    broken = free_busy_item("busy", "2026-11-02T18:00", "2026-11-02T19:00", subject=SECRET_TITLE)
    broken["start"] = {"dateTime": "nonsense", "timeZone": "UTC"}
    graph.free_busy[REP].append(broken)
    routine, period = week()
    data = opened().read(period, zone=routine.zone)
    assert len(data.events) == 5  # the five readable blocks above
    (problem,) = data.problems
    assert problem.message == "busy/free block skipped, unreadable value"
    assert problem.title == "" and SECRET_TITLE not in str(problem)
