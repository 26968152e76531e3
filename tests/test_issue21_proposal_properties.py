"""Issue 21, property tests: on generated week-ahead calendars and routines, every
proposed block is free, inside its window and working hours, at least its minimum
block, on the quarter-hour grid, respects limits and protected windows, and no two
overlap; and the proposals close each gap whenever the free time allows, else they say
why (checked against a plain quarter-hour scan of the final calendar, written here
independently of the planner). The file parses with the .ics source, the rep's rules
credit each block to its commitment, and a second run gives the same UIDs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routine_audit as ra
from routine_audit.config.schema import WEEKDAYS, Routine
from routine_audit.model import Attendee, CalendarData, Event, Response, Status
from routine_audit.proposals import propose
from routine_audit.proposals_ics import render_ics

WEEK = "2027-W10"  # Mon 08 Mar - Sun 14 Mar 2027; Europe/London is GMT all week
MONDAY = date(2027, 3, 8)
ZONE = "Europe/London"
Q = 15 * 60
TITLES = ("Client call", "Prospecting", "Follow-up", "CRM", "Gym", "Lunch", "Team sync")
ACTIVITIES = ("prospecting", "follow-up", "admin", "personal")
REP = "rep@northwind.example"


def clock(quarters: int) -> str:
    return f"{quarters // 4:02d}:{quarters % 4 * 15:02d}"


@st.composite
def routines(draw) -> Routine:
    first = draw(st.integers(7 * 4, 10 * 4))
    last = draw(st.integers(15 * 4, 19 * 4))
    commitments = []
    activities = draw(st.lists(st.sampled_from(ACTIVITIES), min_size=1, max_size=3, unique=True))
    for index, activity in enumerate(activities):
        unit = draw(st.sampled_from(("hours", "blocks")))
        per = draw(st.sampled_from(("day", "week")))
        start = draw(st.integers(6 * 4, 17 * 4))
        end = draw(st.integers(start + 2, min(start + 40, 24 * 4)))
        target = (
            draw(st.integers(1, 3))
            if unit == "blocks"
            else draw(st.integers(1, 12 if per == "day" else 40)) / 4
        )
        commitments.append(
            {
                "id": f"c{index}",
                "activity": activity,
                "unit": unit,
                "per": per,
                "target": target,
                "min_block": draw(st.sampled_from((0, 15, 30, 45, 60, 90))),
                "protected": draw(st.booleans()),
                "window": {
                    "days": draw(
                        st.lists(st.sampled_from(WEEKDAYS[:6]), min_size=1, max_size=5, unique=True)
                    ),
                    "start": clock(start),
                    "end": "24:00" if end == 96 else clock(end),
                },
            }
        )
    limits = []
    if draw(st.booleans()):
        limits.append(
            {
                "id": "late",
                "kind": "no_meetings_after",
                "time": clock(draw(st.integers(16 * 4, 19 * 4))),
            }
        )
    if draw(st.booleans()):
        limits.append(
            {"id": "off", "kind": "day_off", "days": [draw(st.sampled_from(WEEKDAYS[:5]))]}
        )
    holidays = (
        [str(MONDAY + timedelta(days=draw(st.integers(0, 4))))] if draw(st.booleans()) else []
    )
    return Routine.model_validate(
        {
            "rep": {"email": REP},
            "timezone": ZONE,
            "internal_domains": ["northwind.example"],
            "working_hours": {"weekdays": f"{clock(first)}-{clock(last)}"},
            "holidays": holidays,
            "commitments": commitments,
            "limits": limits,
        }
    )


@st.composite
def calendars(draw) -> tuple[Event, ...]:
    events = []
    for index in range(draw(st.integers(0, 12))):
        day = MONDAY + timedelta(days=draw(st.integers(0, 6)))
        start = datetime.combine(day, time(), UTC) + timedelta(
            minutes=5 * draw(st.integers(72, 240))
        )
        length = timedelta(minutes=5 * draw(st.integers(3, 36)))
        kind = draw(st.sampled_from(("busy", "tentative", "invited", "free")))
        events.append(
            Event(
                uid=f"e{index}",
                start=start,
                end=start + length,
                summary=draw(st.sampled_from(TITLES)),
                status=Status.TENTATIVE if kind == "tentative" else Status.CONFIRMED,
                transparent=kind == "free",
                attendees=(Attendee(REP, Response.NEEDS_ACTION),) if kind == "invited" else (),
            )
        )
    return tuple(events)


@st.composite
def habits(draw) -> dict[str, tuple[datetime, ...]]:
    """Start times of each commitment's blocks in earlier weeks (any minute)."""
    return {
        f"c{index}": tuple(
            datetime.combine(MONDAY, time(), UTC)
            - timedelta(days=7 * draw(st.integers(1, 4)))
            + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1)))
            for _ in range(draw(st.integers(0, 4)))
        )
        for index in range(3)
    }


def _at(day: date, clock_time: time, routine: Routine) -> int:
    if clock_time == time.max:
        return int(datetime.combine(day + timedelta(days=1), time(), routine.zone).timestamp())
    return int(datetime.combine(day, clock_time, routine.zone).timestamp())


def _least(c) -> int:
    if c.unit == "blocks" and c.min_block == 0:
        return 30 * 60
    return max(Q, -(-c.min_block * 60 // Q) * Q)


class Scan:
    """The rules of docs/audit.md ("Proposals"), one quarter hour at a time."""

    def __init__(self, routine: Routine, ahead, proposed, now: datetime | None = None) -> None:
        self.routine = routine
        self.now = None if now is None else int(now.timestamp())
        table = ahead.result.occurrences
        counted = table[table["counted"] & ~table["all_day"]]
        self.busy = [
            (int(s.timestamp()), int(e.timestamp()), a)
            for s, e, a in zip(counted["start"], counted["end"], counted["activity"], strict=True)
        ]
        self.proposed = [
            (int(b.start.timestamp()), int(b.end.timestamp()), b.activity) for b in proposed.blocks
        ]
        days = ahead.result.commitment_days
        self.committed = {
            c.id: {
                d: (s, t)
                for d, s, t in zip(
                    days[days["commitment"] == c.id]["date"],
                    days[days["commitment"] == c.id]["scheduled"],
                    days[days["commitment"] == c.id]["target"],
                    strict=True,
                )
                if t > 0
            }
            for c in routine.commitments
        }

    def allowed(self, c, day: date, t: int) -> bool:
        """May ``c`` use the quarter hour from ``t`` on ``day`` (events aside)?"""
        r = self.routine
        if day not in self.committed[c.id] or (self.now is not None and t < self.now):
            return False
        if not (_at(day, c.window.start, r) <= t and t + Q <= _at(day, c.window.end, r)):
            return False
        if not c.protected and not any(
            _at(day, s, r) <= t and t + Q <= _at(day, e, r)
            for s, e in r.working_spans(day.weekday())
        ):
            return False
        if c.activity != "personal":
            for limit in r.limits:
                if WEEKDAYS[day.weekday()] not in limit.days:
                    continue
                if limit.kind == "day_off":
                    return False
                if limit.kind == "no_meetings_after" and t + Q > _at(day, limit.time, r):
                    return False
        for other in r.commitments:
            mine = other.protected and other.id != c.id and day in self.committed[other.id]
            if mine and _at(day, other.window.start, r) < t + Q < _at(day, other.window.end, r) + Q:
                return False
        return True

    def free(self, c, t: int) -> bool:
        taken = self.busy + self.proposed
        if any(s < t + Q and t < e for s, e, _ in taken):
            return False
        if c.unit == "blocks":  # a new block never touches the activity's own time
            return not any(s - Q < t + Q and t < e + Q for s, e, a in taken if a == c.activity)
        return True

    def longest_free_run(self, c, day: date) -> int:
        """The longest run of quarter hours ``c`` may use and nobody holds, on ``day``."""
        midnight = _at(day, time(), self.routine)
        best = run = 0
        for step in range(96):
            t = midnight + step * Q
            run = run + Q if self.allowed(c, day, t) and self.free(c, t) else 0
            best = max(best, run)
        return best


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    routine=routines(),
    events=calendars(),
    habits=habits(),
    now=st.none()
    | st.integers(0, 7 * 24 * 60).map(
        lambda minutes: datetime.combine(MONDAY, time(), UTC) + timedelta(minutes=minutes)
    ),
)
def test_every_proposed_block_keeps_the_rules_and_gaps_close_when_time_allows(
    routine, events, habits, now
):
    period = ra.audit_period(routine, week=WEEK)
    result = ra.audit(CalendarData(events=events), routine, ra.load_rules(), period, tense="ahead")
    ahead = ra.week_ahead(result)
    proposed = propose(ahead, routine, ra.load_rules(), habits=habits, now=now)
    scan = Scan(routine, ahead, proposed, now)
    by_id = {c.id: c for c in routine.commitments}
    # no two proposed blocks overlap
    spans = sorted((b.start, b.end) for b in proposed.blocks)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    for block in proposed.blocks:
        c = by_id[block.commitment]
        start, end = int(block.start.timestamp()), int(block.end.timestamp())
        day = block.start.astimezone(routine.zone).date()
        assert end - start >= _least(c)
        assert block.start.astimezone(routine.zone).minute % 15 == 0 and (end - start) % Q == 0
        assert not any(s < end and start < e for s, e, _ in scan.busy)  # free of events
        for t in range(start, end, Q):  # window, working hours, limits, protected windows
            assert scan.allowed(c, day, t), (block, t)
    # each gap closes when the free time allows; else the proposals say why
    figures = {f.id: f for f in ahead.commitments}
    unplaced = {u.commitment for u in proposed.unplaced}
    for c in routine.commitments:
        f = figures[c.id]
        if c.direction != "min" or f.blocked_out or c.unit == "meetings":
            assert c.id not in unplaced and not proposed.for_commitment(c.id)
            continue
        mine = proposed.for_commitment(c.id)
        least = _least(c)
        short_days = []
        if c.per == "day":
            for day, (scheduled, target) in scan.committed[c.id].items():
                got = sum(
                    (b.seconds / 3600 if c.unit == "hours" else 1)
                    for b in mine
                    if b.start.astimezone(routine.zone).date() == day
                )
                if scheduled + got < target - 1 / 60:
                    short_days.append(day)
        else:
            got = sum(b.seconds / 3600 if c.unit == "hours" else 1 for b in mine)
            if got < f.gap - 1 / 60:
                short_days = list(scan.committed[c.id])
        if not short_days:
            assert c.id not in unplaced
            continue
        assert c.id in unplaced  # the report says why
        for day in short_days:  # ... and no slot that could hold a block is left
            assert scan.longest_free_run(by_id[c.id], day) < least, (c.id, day)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routine=routines(), events=calendars())
def test_the_file_parses_is_credited_to_each_commitment_and_keeps_its_uids(
    routine, events, tmp_path_factory
):
    period = ra.audit_period(routine, week=WEEK)
    rules = ra.load_rules()
    result = ra.audit(CalendarData(events=events), routine, rules, period, tense="ahead")
    ahead = ra.week_ahead(result)
    proposed = propose(ahead, routine, rules)
    text = render_ics(proposed, now=datetime(2027, 3, 5, tzinfo=UTC))
    folder: Path = tmp_path_factory.mktemp("ics")
    path = folder / "proposals.ics"
    path.write_text(text, newline="")
    # the .ics source reads it whole, and the rep's rules give each block its activity
    alone = ra.audit_calendar(path, routine, rules, period)
    assert not alone.problems
    table = alone.occurrences.sort_values("start")
    assert table["activity"].tolist() == [b.activity for b in proposed.blocks]
    assert table["counted"].all()
    # the same week proposed again: the same UIDs
    again = render_ics(propose(ahead, routine, rules), now=datetime(2027, 3, 6, tzinfo=UTC))
    assert [line for line in text.splitlines() if line.startswith("UID:")] == [
        line for line in again.splitlines() if line.startswith("UID:")
    ]
