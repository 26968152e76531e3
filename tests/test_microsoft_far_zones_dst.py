"""A Microsoft 365 week in zones far from UTC, across their DST change, through the
command line against the fake Graph (graph_fake.py): per-day seconds of an event that
crosses midnight and the change, all-day out-of-office days (Graph writes them as
midnight UTC of the date), and an all-day event Graph lists because its UTC day touches
the asked window although its date lies outside the week.

Every figure is worked out by hand in the comments.
"""

from __future__ import annotations

import json

import graph_fake
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
REP = "rep@company.example"


def routine(zone: str) -> str:
    return f"""kind: routine
version: 1
rep: {{email: {REP}, name: Far Rep}}
timezone: {zone}
internal_domains: [company.example]
working_hours: {{weekdays: "09:00-17:00"}}
commitments:
  - {{id: prospecting, activity: prospecting, unit: hours, per: day, target: 2}}
"""


def timed(n: int, start: str, end: str, subject: str = "Prospecting block") -> dict:
    return {
        "id": f"AAMk-{n}",
        "iCalUId": f"uid-{n}@t",
        "subject": subject,
        "start": {"dateTime": f"{start}.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "showAs": "busy",
        "type": "singleInstance",
        "isOrganizer": True,
    }


def all_day(n: int, day: str, next_day: str) -> dict:
    """An all-day out-of-office event, as Graph writes it: midnight UTC of the date."""
    return timed(n, f"{day}T00:00:00", f"{next_day}T00:00:00", "Out of office") | {
        "isAllDay": True,
        "showAs": "oof",
    }


def audit(tmp_path, zone: str, week: str, code: int = 0) -> dict:
    path = tmp_path / "rep.yaml"
    path.write_text(routine(zone))
    result = CliRunner().invoke(
        app,
        ["audit", "--source", "microsoft", "--source-option", f"user={REP}",
         "--routine", str(path), "--week", week, "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)["reps"][REP]


def hours(rep: dict, activity: str = "prospecting") -> dict[str, float]:
    return {d["date"]: d["hours"] for d in rep["daily"] if d["activity"] == activity}


def test_auckland_week_of_dst_start(graph, tmp_path):
    """Pacific/Auckland, 2026-W39 (Mon 21 - Sun 27 Sep): NZST (UTC+12) until Sun 27 Sep
    02:00, which becomes 03:00 NZDT (UTC+13). The period asks 2026-09-20T12:00Z (Mon
    00:00 NZST) to 2026-09-27T11:00Z (Mon 28 00:00 NZDT)."""
    graph.serve(
        REP,
        [
            # Tue 22 Sep 09:00-11:00 NZST = Mon 21 Sep 21:00-23:00 UTC: 2 h on Tuesday
            timed(1, "2026-09-21T21:00:00", "2026-09-21T23:00:00"),
            # Sat 26 Sep 23:00 NZST (11:00Z) to Sun 27 Sep 04:00 NZDT (15:00Z): 4 h elapsed,
            # Sat 1 h (23:00-24:00), Sun 3 h (00:00-02:00 NZST, 03:00-04:00 NZDT)
            timed(2, "2026-09-26T11:00:00", "2026-09-26T15:00:00"),
            # all-day out of office on Wed 23 Sep: one committed day fewer
            all_day(3, "2026-09-23", "2026-09-24"),
            # all-day on Sun 20 Sep, the day before the week: its UTC day (20 Sep 00:00Z
            # to 21 Sep 00:00Z) touches the window, so Graph lists it; it is not the week's
            all_day(4, "2026-09-20", "2026-09-21"),
        ],
    )
    rep = audit(tmp_path, "Pacific/Auckland", "2026-W39")
    assert {k: v for k, v in hours(rep).items() if v} == {
        "2026-09-22": 2.0,
        "2026-09-26": 1.0,
        "2026-09-27": 3.0,
    }
    (prospecting,) = rep["commitments"]
    # weekdays Mon-Fri less Wed 23 (out of office): 4 days x 2 h = 8 h
    assert (prospecting["committed_days"], prospecting["target"]) == (4, 8.0)
    # booked within working hours (weekdays 09:00-17:00): Tue's 2 h; the weekend's 4 h
    # lie outside them, and the out-of-office day is not booked time
    assert rep["health"]["booked_hours"] == 2.0


def test_los_angeles_week_of_dst_end(graph, tmp_path):
    """America/Los_Angeles, 2026-W44 (Mon 26 Oct - Sun 1 Nov): PDT (UTC-7) until Sun 1
    Nov 02:00, which becomes 01:00 PST (UTC-8). The period asks 2026-10-26T07:00Z to
    2026-11-02T08:00Z."""
    graph.serve(
        REP,
        [
            # Sat 31 Oct 22:00 PDT (1 Nov 05:00Z) to Sun 1 Nov 03:00 PST (11:00Z): 6 h
            # elapsed, Sat 2 h (22:00-24:00), Sun 4 h (00:00-02:00 PDT, 01:00-03:00 PST)
            timed(1, "2026-11-01T05:00:00", "2026-11-01T11:00:00"),
            # all-day out of office Fri 30 Oct, written 30 Oct 00:00Z: 29 Oct 17:00 in
            # Los Angeles, but its date is the 30th
            all_day(2, "2026-10-30", "2026-10-31"),
            # all-day Mon 2 Nov, the day after the week: 2 Nov 00:00Z lies inside the
            # window (which ends 08:00Z), so Graph lists it; it is not the week's
            all_day(3, "2026-11-02", "2026-11-03"),
        ],
    )
    rep = audit(tmp_path, "America/Los_Angeles", "2026-W44")
    assert {k: v for k, v in hours(rep).items() if v} == {"2026-10-31": 2.0, "2026-11-01": 4.0}
    (prospecting,) = rep["commitments"]
    # Mon-Fri less Fri 30 Oct (out of office): 4 days x 2 h = 8 h
    assert (prospecting["committed_days"], prospecting["target"]) == (4, 8.0)
    assert rep["health"]["booked_hours"] == 0.0  # nothing within weekdays 09:00-17:00


def test_a_week_holding_only_the_next_weeks_all_day_event_is_empty(graph, tmp_path):
    """Los Angeles, 2026-W44 (window 2026-10-26T07:00Z to 2026-11-02T08:00Z): Graph lists
    the all-day event of Mon 2 Nov (its UTC day starts at 00:00Z, inside the window),
    which is not the week's. The week is empty, and the days before it are asked for:
    the newest event is Tue 20 Oct (16:00-17:00 UTC, 09:00-10:00 PDT), 6 days before the
    period (under STALE_DAYS, 14): coverage ``empty``, its newest event known."""
    graph.serve(
        REP,
        [
            timed(1, "2026-10-20T16:00:00", "2026-10-20T17:00:00"),
            all_day(2, "2026-11-02", "2026-11-03"),
        ],
    )
    coverage = audit(tmp_path, "America/Los_Angeles", "2026-W44", 1)["coverage"]
    assert (coverage["status"], coverage["events_in_period"]) == ("empty", 0)
    assert "newest event before it ends Tue 20 Oct 2026" in coverage["note"]
