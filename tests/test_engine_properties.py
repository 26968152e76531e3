"""Invariants of the audit engine, over generated calendars (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routine_audit.config import load_rules, package_data
from routine_audit.config.load import load_routine
from routine_audit.engine.audit import audit
from routine_audit.model import Attendee, CalendarData, Event, Response, Status
from routine_audit.period import Period

ROUTINE = load_routine(package_data("starter_routine.yaml"))
RULES = load_rules()
LONDON = ZoneInfo("Europe/London")
WEEK = Period(date(2026, 10, 19), date(2026, 10, 25), LONDON)  # ends on a DST change
TITLES = ["Prospecting", "Follow-up", "Demo", "CRM", "Gym", "Sync", "Lunch", "#prospecting"]


@st.composite
def events(draw, *, earliest: datetime, span_hours: int) -> list[Event]:
    result = []
    for i in range(draw(st.integers(0, 25))):
        start = earliest + timedelta(minutes=15 * draw(st.integers(0, span_hours * 4)))
        end = start + timedelta(minutes=15 * draw(st.integers(0, 24)))
        declined = draw(st.booleans()) and draw(st.booleans())
        result.append(
            Event(
                uid=f"e{i}",
                start=start,
                end=end,
                summary=draw(st.sampled_from(TITLES)),
                status=draw(
                    st.sampled_from([Status.CONFIRMED, Status.TENTATIVE, Status.CANCELLED])
                ),
                attendees=(Attendee("you@example.com", Response.DECLINED),) if declined else (),
            )
        )
    return result


def union_seconds(intervals: list[tuple[int, int]]) -> int:
    total, cursor = 0, None
    for start, end in sorted(intervals):
        if cursor is None or start > cursor:
            total += end - start
            cursor = end
        elif end > cursor:
            total += end - cursor
            cursor = end
    return total


settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@settings(max_examples=60)
@given(events(earliest=datetime(2026, 10, 18, 12, tzinfo=LONDON), span_hours=8 * 24))
def test_no_second_is_counted_twice(generated):
    result = audit(CalendarData(tuple(generated)), ROUTINE, RULES, WEEK)
    counted = result.occurrences[result.occurrences["counted"]]
    p0, p1 = int(WEEK.start.timestamp()), int(WEEK.end.timestamp())
    clipped = [
        (max(int(s.timestamp()), p0), min(int(e.timestamp()), p1))
        for s, e in zip(counted["start"], counted["end"], strict=True)
    ]
    expected = union_seconds([(s, e) for s, e in clipped if e > s])
    assert round(counted["counted_hours"].sum() * 3600) == expected
    assert round(result.daily["hours"].sum() * 3600) == expected
    assert expected <= p1 - p0  # the week has 169 hours: it ends on the DST change
    per_day = result.daily.groupby("date")["hours"].sum()
    for day, hours in per_day.items():
        length = (
            datetime.combine(day + timedelta(days=1), datetime.min.time(), LONDON)
            - datetime.combine(day, datetime.min.time(), LONDON)
        ).total_seconds()
        assert hours * 3600 <= length + 1e-6


@settings(max_examples=40)
@given(
    events(earliest=datetime(2026, 10, 21, 0, tzinfo=LONDON), span_hours=36),
    st.sampled_from(["Asia/Tokyo", "America/Los_Angeles", "UTC", "Pacific/Kiritimati"]),
)
def test_audit_zone_does_not_change_weekly_totals_of_events_inside_the_week(generated, zone):
    moved = WEEK.with_tz(ZoneInfo(zone))
    here = audit(CalendarData(tuple(generated)), ROUTINE, RULES, WEEK)
    there = audit(CalendarData(tuple(generated)), ROUTINE, RULES, moved)
    assert here.daily.groupby("activity")["hours"].sum().round(6).to_dict() == (
        there.daily.groupby("activity")["hours"].sum().round(6).to_dict()
    )
    here_c = here.commitments.set_index("id")["scheduled"].round(6).to_dict()
    there_c = there.commitments.set_index("id")["scheduled"].round(6).to_dict()
    assert {k: v for k, v in here_c.items() if k != "gym"} == {
        k: v for k, v in there_c.items() if k != "gym"
    }


def _gaps_one_by_one(busy: list[tuple[int, int]], spans: list[tuple[int, int]], long: int):
    """The free gaps of each span, walking the busy intervals in start order."""
    result = []
    for s, e in spans:
        gaps, cursor = [], s
        for bs, be in sorted(busy, key=lambda b: b[0]):
            if be <= s or bs >= e:
                continue
            if bs > cursor:
                gaps.append(bs - cursor)
            cursor = max(cursor, be)
        if e > cursor:
            gaps.append(e - cursor)
        result.append((sum(gaps), sum(g >= long for g in gaps), len(gaps)))
    return result


@given(
    busy=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda b: (b[0], b[0] + b[1])),
        max_size=12,
    ),
    cuts=st.lists(st.integers(0, 80), min_size=2, max_size=8, unique=True),
    long=st.integers(1, 10),
)
def test_free_gaps_per_span_match_a_walk_through_the_busy_intervals(busy, cuts, long):
    import numpy as np

    from routine_audit.engine.health import free_gaps

    cuts = sorted(cuts)
    spans = list(zip(cuts[::2], cuts[1::2], strict=False))  # sorted and apart; one at least
    found = free_gaps(
        np.array([b[0] for b in busy], dtype=np.int64),
        np.array([b[1] for b in busy], dtype=np.int64),
        np.array([s[0] for s in spans], dtype=np.int64),
        np.array([s[1] for s in spans], dtype=np.int64),
        long,
    )
    assert list(zip(*(v.tolist() for v in found), strict=True)) == _gaps_one_by_one(
        busy, spans, long
    )
