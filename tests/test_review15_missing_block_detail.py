"""Review of issue 15: a `missing_block` for `unit: blocks` said "no prospecting time on
the calendar" on a day that holds prospecting time, only no block of its own: the second
half of a block that started the day before (a block belongs to the day it starts), or
pieces shorter than `min_block`. It now says what is missing: a block starting that day.

Week 2026-W45 is Mon 2 .. Sun 8 Nov 2026, Europe/London (GMT all week).
"""

from __future__ import annotations

from contract_calendar import audit, findings, per_day

BLOCKS = (
    'working_hours: {daily: "00:00-24:00"}\n'
    "commitments:\n"
    "  - {id: b, activity: prospecting, unit: blocks, per: day, target: 1, min_block: 90,\n"
    "     window: {days: [wed, thu, fri]}}\n"
    "  - {id: h, activity: prospecting, unit: hours, per: day, target: 1,\n"
    "     window: {days: [wed, thu, fri]}}\n"
)


def test_a_day_with_time_but_no_block_is_not_said_to_have_no_time(tmp_path):
    events = [
        ("Prospecting", "2026-11-04 23:00", "2026-11-05 01:00"),  # Wed 1 h + Thu 1 h: one block
        ("Prospecting", "2026-11-06 09:00", "2026-11-06 09:30"),  # Fri: 30 min, short
    ]
    result = audit(tmp_path, BLOCKS, events)
    # blocks: the 2-hour block belongs to Wednesday; Thursday and Friday hold none
    days = {d: v for d, v in per_day(result, "b").items() if v[1]}  # committed days
    assert days == {
        "2026-11-04": (1.0, 1.0),
        "2026-11-05": (0.0, 1.0),
        "2026-11-06": (0.0, 1.0),
    }
    missing = {str(f.day): f.detail for f in findings(result, "missing_block")}
    assert missing == {
        "2026-11-05": "no prospecting block of at least 90 min starts this day",
        "2026-11-06": "no prospecting block of at least 90 min starts this day",
    }
    # hours: Wed 3600 s, Thu 3600 s, Fri 1800 s; none is zero, so no missing_block for h
    assert all(f.commitment == "b" for f in findings(result, "missing_block"))


def test_hours_and_meetings_keep_their_wording(tmp_path):
    result = audit(tmp_path, BLOCKS, [("Prospecting", "2026-11-04 09:00", "2026-11-04 11:00")])
    details = {(f.commitment, str(f.day)): f.detail for f in findings(result, "missing_block")}
    assert details[("h", "2026-11-05")] == "no prospecting time on the calendar"
    assert details[("b", "2026-11-05")] == "no prospecting block of at least 90 min starts this day"
