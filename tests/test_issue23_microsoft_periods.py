"""Issue 23, Reading: several periods (a run's audited week and the week ahead) in one
calendarView listing over their span, and an empty period's coverage told honestly by
one more request for the 14 days before it (as for Google). Against the fake Graph.

Weeks of rep@company.example (New York): 2026-W45 is Mon 2 Nov 00:00 EST = 05:00 UTC
to Mon 9 Nov 05:00 UTC; 2026-W46 is 9 Nov 05:00 UTC to 16 Nov 05:00 UTC.
"""

from __future__ import annotations

import json
from datetime import datetime

import graph_fake
from graph_fake import audit, graph_event, opened
from source_contract import REP, ROUTINE

import routine_audit as ra

graph = graph_fake.graph
NY = "America/New_York"


def event(n: int, day: str, hour: int = 14):
    """A one-hour event on ``day`` ("2026-11-02") at ``hour`` UTC."""
    return graph_event(n, f"{day}T{hour:02d}:00", f"{day}T{hour + 1:02d}:00")


def weeks(*labels):
    routine = ra.load_routine(ROUTINE)
    return routine, [ra.period_for(routine, week=w) for w in labels]


def test_two_weeks_in_one_listing(graph):
    graph.serve(REP, [event(1, "2026-11-02"), event(2, "2026-11-10"), event(3, "2026-11-11")])
    routine, periods = weeks("2026-W45", "2026-W46")
    first, second = opened().read_periods(periods, zone=routine.zone)
    assert [e.uid for e in first.events] == ["uid-1@t"]
    assert [e.uid for e in second.events] == ["uid-2@t", "uid-3@t"]
    (view,) = graph.views()  # one request (pages of 3), not one per week
    assert (view.args["startDateTime"], view.args["endDateTime"]) == (
        "2026-11-02T05:00:00Z",  # Mon 2 Nov 00:00 EST
        "2026-11-16T05:00:00Z",  # Mon 16 Nov 00:00 EST: the end of W46
    )
    assert first.free_busy is second.free_busy is False


def test_an_empty_week_asks_for_the_14_days_before(graph):
    # the newest event: Tue 20 Oct 14:00-15:00 UTC, 13 days before Mon 2 Nov
    graph.serve(REP, [event(1, "2026-10-20"), event(2, "2026-11-10")])
    routine, periods = weeks("2026-W45", "2026-W46")
    empty, busy = opened().read_periods(periods, zone=routine.zone)
    assert [e.uid for e in busy.events] == ["uid-2@t"]
    assert empty.events == () and empty.extent is not None
    assert empty.extent.last_end == datetime.fromisoformat("2026-10-20T15:00:00+00:00")
    _listing, before = graph.views()
    # 14 days before Mon 2 Nov is Mon 19 Oct 00:00 EDT (UTC-4) = 04:00 UTC
    assert (before.args["startDateTime"], before.args["endDateTime"]) == (
        "2026-10-19T04:00:00Z",
        "2026-11-02T05:00:00Z",
    )
    result = ra.audit(empty, routine, ra.rules_for(routine), periods[0])
    assert result.coverage.status.value == "empty"  # a quiet week, not a stale calendar


def test_nothing_in_the_14_days_before_is_stale(graph):
    graph.serve(REP, [event(1, "2026-10-01")])  # a month before: older than the line
    routine, (period,) = weeks("2026-W45")
    data = opened().read(period, zone=routine.zone)
    assert len(graph.views()) == 2  # the week, then the 14 days before it
    result = ra.audit(data, routine, ra.rules_for(routine), period)
    assert result.coverage.status.value == "stale"
    assert "older events were not looked for" in (result.coverage.note or "")


def test_a_stale_week_is_not_judged_through_the_cli(graph):
    graph.serve(REP, [])
    result = audit("--format", "json")
    rep = json.loads(result.stdout)["reps"][REP]
    assert rep["coverage"]["status"] == "stale"
    assert rep["findings"] == []  # no data: the rep is not judged


def test_an_empty_free_busy_week_asks_free_busy_for_the_days_before(graph):
    graph.serve(REP, [])
    graph.denied.add(REP)
    graph.free_busy[REP] = [
        graph_fake.free_busy_item("busy", "2026-10-27T14:00", "2026-10-27T15:00")
    ]
    routine, (period,) = weeks("2026-W45")
    data = opened().read(period, zone=routine.zone)
    assert data.free_busy is True and data.events == ()
    assert data.extent is not None and data.extent.recent
    _week, before = graph.posts("/calendar/getSchedule")
    assert before.body["startTime"]["dateTime"] == "2026-10-19T04:00:00"
    result = ra.audit(data, routine, ra.rules_for(routine), period)
    assert result.coverage.status.value == "empty"
