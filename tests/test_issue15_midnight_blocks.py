"""Issue 15, section 2: a block that crosses local midnight is one block.

Week 2026-W45, Europe/London (GMT all week: no clock change). Hours are still booked on
each day; for ``per: day`` the block belongs to the day it starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from conftest import routine_file
from contract_calendar import WORKING, audit, findings, per_day, row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routine_audit as ra

BLOCKS_PER_WEEK = WORKING + (
    "commitments:\n"
    "  - {id: prospecting, activity: prospecting, unit: blocks, per: week, target: 1,\n"
    "     min_block: 90, window: {days: daily}}\n"
)
BLOCKS_PER_DAY = BLOCKS_PER_WEEK.replace("per: week", "per: day").replace(
    "window: {days: daily}", "window: {days: weekdays}"
)

# (events, blocks, short blocks, hours per date): each block's seconds worked out by hand
CASES = [
    # 23:00-01:00 = 3600 s on Mon + 3600 s on Tue: one block of 7200 s >= 90 min (5400 s)
    (
        [("Prospecting", "2026-11-02 23:00", "2026-11-03 01:00")],
        1,
        0,
        {"2026-11-02": 1.0, "2026-11-03": 1.0},
    ),
    # two events back to back across midnight: 22:30-24:00 (5400 s) + 00:00-01:00 (3600 s)
    # = one block of 9000 s
    (
        [
            ("Prospecting", "2026-11-04 22:30", "2026-11-05 00:00"),
            ("Prospecting", "2026-11-05 00:00", "2026-11-05 01:00"),
        ],
        1,
        0,
        {"2026-11-04": 1.5, "2026-11-05": 1.0},
    ),
    # a gap of a minute at midnight: 23:00-23:59 (3540 s) and 00:00-01:00 (3600 s), both short
    (
        [
            ("Prospecting", "2026-11-04 23:00", "2026-11-04 23:59"),
            ("Prospecting", "2026-11-05 00:00", "2026-11-05 01:00"),
        ],
        0,
        2,
        {"2026-11-04": 0.9833, "2026-11-05": 1.0},
    ),
    # a meeting at 00:00-00:30 splits it: 23:00-24:00 (3600 s) and 00:30-01:00 (1800 s)
    (
        [
            ("Prospecting", "2026-11-02 23:00", "2026-11-03 01:00"),
            ("Sync", "2026-11-03 00:00", "2026-11-03 00:30"),
        ],
        0,
        2,
        {"2026-11-02": 1.0, "2026-11-03": 0.5},
    ),
]


@pytest.mark.parametrize(("events", "blocks", "short", "hours"), CASES)
def test_pieces_back_to_back_across_midnight_are_one_block(tmp_path, events, blocks, short, hours):
    result = audit(tmp_path, BLOCKS_PER_WEEK, events)
    prospecting = row(result, "prospecting")
    assert (prospecting["blocks"], prospecting["short_blocks"]) == (blocks, short)
    assert prospecting["scheduled"] == blocks
    daily = result.daily[result.daily["activity"] == "prospecting"]
    booked = {
        str(d): round(float(h), 4) for d, h in zip(daily["date"], daily["hours"], strict=True)
    }
    assert booked == hours  # hours are still booked on each day
    assert bool(findings(result, "short_blocks")) == bool(short)


def test_the_issue_example_is_one_block_not_two_short_pieces(tmp_path):
    result = audit(tmp_path, BLOCKS_PER_WEEK, CASES[0][0])
    assert not findings(result, "short_blocks")  # today: "0 (+2 short)"


def test_for_per_day_the_block_belongs_to_the_day_it_starts(tmp_path):
    """Mon 23:00 - Tue 01:00 counts as Monday's block; Tuesday has none of its own."""
    result = audit(tmp_path, BLOCKS_PER_DAY, CASES[0][0])
    days = per_day(result, "prospecting")
    assert days["2026-11-02"] == (1.0, 1.0)
    assert days["2026-11-03"] == (0.0, 1.0)
    prospecting = row(result, "prospecting")
    # target 1 x 5 weekdays; Mon met, Tue-Fri short by 1 each: gap 4
    assert (prospecting["target"], prospecting["scheduled"], prospecting["gap"]) == (5, 1, 4)
    missing = {str(f.day) for f in findings(result, "missing_block")}
    assert missing == {"2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"}


def test_a_block_from_friday_night_into_saturday_belongs_to_friday(tmp_path):
    result = audit(
        tmp_path, BLOCKS_PER_DAY, [("Prospecting", "2026-11-06 23:00", "2026-11-07 00:40")]
    )
    days = per_day(result, "prospecting")
    # 3600 s on Friday + 2400 s on Saturday = one block of 6000 s >= 5400 s, on Friday
    assert days["2026-11-06"] == (1.0, 1.0)
    assert days["2026-11-07"] == (0.0, 0.0)  # Saturday: not a committed day


QUARTERS = 7 * 96  # quarter hours in the week


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, QUARTERS - 1), st.integers(1, 16)), min_size=1, max_size=12
    ),
    min_block=st.sampled_from([0, 30, 90, 150]),
)
def test_blocks_are_the_merged_runs_of_the_week(tmp_path, spans, min_block):
    """Prospecting events at random quarter hours (overlapping, touching, across midnight):
    the blocks are the runs of their union, walked here quarter by quarter."""
    body = BLOCKS_PER_WEEK.replace("min_block: 90", f"min_block: {min_block}")
    routine = ra.load_routine(routine_file(tmp_path, "timezone: Europe/London\n" + body))
    period = ra.period_for(routine, week="2026-W45")
    monday = datetime(2026, 11, 2, tzinfo=ZoneInfo("Europe/London"))  # GMT all week
    table = pd.DataFrame(
        {
            "start": [monday + timedelta(minutes=15 * q) for q, _ in spans],
            "end": [monday + timedelta(minutes=15 * min(q + n, QUARTERS)) for q, n in spans],
            "summary": ["Prospecting"] * len(spans),
        }
    )
    result = ra.audit_frame(table, routine, ra.load_rules(), period)
    busy = [False] * QUARTERS
    for q, n in spans:
        busy[q : q + n] = [True] * len(busy[q : q + n])
    runs, length = [], 0
    for quarter in [*busy, False]:
        if quarter:
            length += 1
        elif length:
            runs.append(length * 15)
            length = 0
    prospecting = row(result, "prospecting")
    assert prospecting["blocks"] == sum(minutes >= min_block for minutes in runs)
    assert prospecting["short_blocks"] == (
        sum(minutes < min_block for minutes in runs) if min_block else 0
    )


# Review of issue 15: a `missing_block` for `unit: blocks` said "no prospecting time on
# the calendar" on a day that holds prospecting time, only no block of its own: the second
# half of a block that started the day before (a block belongs to the day it starts), or
# pieces shorter than `min_block`. It now says what is missing: a block starting that day.
#
# Week 2026-W45 is Mon 2 .. Sun 8 Nov 2026, Europe/London (GMT all week).
# (Was tests/test_review15_missing_block_detail.py.)

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
