"""Review of issue 15: a week of all-day "Out of office" is `ok` with its days off,
never `free_busy` (docs/audit.md, "Evidence: coverage").

The .ics free/busy test (no DESCRIPTION, every SUMMARY a busy/free word) also held for a
calendar whose only events in the period are all-day absences titled "Out of office":
the rep's week off was reported as "seen only as busy/free blocks". All-day events are
markers, not blocks: only timed occurrences can show a calendar is busy/free only.

Week 2026-W45 is Mon 2 .. Sun 8 Nov 2026, Europe/London.
"""

from __future__ import annotations

from contract_calendar import WORKING, audit, row

PROSPECTING = WORKING + (
    "commitments:\n  - {id: p, activity: prospecting, unit: hours, per: week, target: 5}\n"
)
WEEK_OFF = [("Out of office", "2026-11-02", "2026-11-07")]  # Mon..Fri, end exclusive


def test_a_week_of_all_day_out_of_office_is_ok_with_its_days_off(tmp_path):
    result = audit(tmp_path, PROSPECTING, WEEK_OFF)
    assert result.coverage.status == "ok"
    assert result.coverage.events_in_period == 1
    # five days off of five committed: target 5 h x 0 / 5 = 0, nothing due, met
    p = row(result, "p")
    assert (p["target"], p["scheduled"], p["gap"]) == (0.0, 0.0, 0.0)


def test_timed_busy_blocks_beside_a_day_off_are_still_free_busy(tmp_path):
    events = [
        ("Out of office", "2026-11-02", "2026-11-03"),
        ("Busy", "2026-11-03 10:00", "2026-11-03 11:00"),
    ]
    result = audit(tmp_path, PROSPECTING, events)
    assert result.coverage.status == "free_busy"
