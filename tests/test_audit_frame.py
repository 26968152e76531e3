"""The engine's table entry: a notebook's DataFrame of occurrences is audited exactly like
the same events read from a calendar file, and a malformed table is a clear error."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXTURES

import routine_audit as ra
from routine_audit.errors import UsageError

ROUTINE = "rep_berlin.yaml"


def _tables(data: ra.CalendarData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events as a notebook user would hold them: plain columns, attendees apart."""
    occurrences = pd.DataFrame(
        {
            "start": [e.start for e in data.events],
            "end": [e.end for e in data.events],
            "all_day": [e.all_day for e in data.events],
            "summary": [e.summary for e in data.events],
            "description": [e.description for e in data.events],
            "location": [e.location for e in data.events],
            "calendar": [e.calendar for e in data.events],
            "status": [e.status.value for e in data.events],
            "transparent": [e.transparent for e in data.events],
            "private": [e.is_private for e in data.events],
            "event_type": [e.event_type for e in data.events],
            "organizer": [e.organizer.upper() for e in data.events],  # any case
            "organized_by_self": [e.organized_by_self for e in data.events],
            "uid": [e.uid for e in data.events],
            "created": [e.created for e in data.events],
            "source": [e.source for e in data.events],
        }
    )
    attendees = pd.DataFrame(
        [
            {
                "occ": row,
                "email": a.email,
                "response": a.response.value if a.response else None,
                "is_self": a.is_self,
                "is_resource": a.is_resource,
            }
            for row, e in enumerate(data.events)
            for a in e.attendees
        ]
    )
    return occurrences, attendees


@pytest.mark.parametrize(
    ("calendar", "week"),
    [("overlaps.ics", "2026-W45"), ("series_exceptions.ics", None), ("dst_berlin.ics", None)],
)
def test_a_table_is_audited_like_the_calendar_it_came_from(calendar, week):
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.audit_period(routine, week=week or "2026-W44")
    data = ra.load_events(FIXTURES / calendar, period, zone=routine.zone)
    assert data.events, "a week with events"
    from_file = ra.audit(data, routine, ra.load_rules(), period)
    occurrences, attendees = _tables(data)
    from_table = ra.audit_frame(occurrences, routine, ra.load_rules(), period, attendees=attendees)
    pd.testing.assert_frame_equal(from_table.commitments, from_file.commitments)
    pd.testing.assert_frame_equal(from_table.daily, from_file.daily)
    pd.testing.assert_frame_equal(from_table.occurrences, from_file.occurrences)
    assert from_table.finding_list == from_file.finding_list
    assert from_table.health == from_file.health


def test_only_start_and_end_are_required():
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.audit_period(routine, week="2026-W45")
    starts = pd.to_datetime(["2026-11-02 09:00", "2026-11-02 10:00"]).tz_localize("Europe/Berlin")
    table = pd.DataFrame({"start": starts, "end": starts + pd.Timedelta(hours=1)})
    result = ra.audit_frame(table, routine, ra.load_rules(), period)
    assert result.occurrences["hours"].sum() == 2.0
    assert set(result.occurrences["activity"]) == {"other"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"start": []}), "no end column"),
        (
            pd.DataFrame(
                {"start": pd.to_datetime(["2026-11-02 09:00"]), "end": ["2026-11-02 10:00"]}
            ),
            "without a time zone",
        ),
        (
            pd.DataFrame(
                {
                    "start": pd.to_datetime(["2026-11-02 10:00"]).tz_localize("UTC"),
                    "end": pd.to_datetime(["2026-11-02 09:00"]).tz_localize("UTC"),
                }
            ),
            "ends before it starts",
        ),
        (
            pd.DataFrame(
                {
                    "start": pd.to_datetime(["2026-11-02 09:00", None]).tz_localize("UTC"),
                    "end": pd.to_datetime(["2026-11-02 10:00", "2026-11-02 10:00"]).tz_localize(
                        "UTC"
                    ),
                }
            ),
            "row 1 has no start",
        ),
    ],
)
def test_a_malformed_table_is_a_clear_error(table, message):
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.audit_period(routine, week="2026-W45")
    with pytest.raises(UsageError, match=message):
        ra.audit_frame(table, routine, ra.load_rules(), period)
