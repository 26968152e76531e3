"""The engine's table entry: a notebook's DataFrame of occurrences is audited exactly like
the same events read from a calendar file, and a malformed table is a clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, routine_file

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
            # the stable identity a plan's blocks are matched by: UID and instance
            "identity": ["\x1f".join(e.key) for e in data.events],
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
    period = ra.period_for(routine, week=week or "2026-W44")
    data = ra.load_events(FIXTURES / calendar, period, zone=routine.zone)
    assert data.events, "a week with events"
    from_file = ra.audit(data, routine, ra.load_rules(), period)
    occurrences, attendees = _tables(data)
    from_table = ra.audit_frame(occurrences, routine, ra.load_rules(), period, attendees=attendees)
    pd.testing.assert_frame_equal(from_table.commitments, from_file.commitments)
    pd.testing.assert_frame_equal(from_table.daily, from_file.daily)
    pd.testing.assert_frame_equal(from_table.occurrences, from_file.occurrences)
    assert from_table.finding_objects == from_file.finding_objects
    assert from_table.health == from_file.health


def test_only_start_and_end_are_required():
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
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
    period = ra.period_for(routine, week="2026-W45")
    with pytest.raises(UsageError, match=message):
        ra.audit_frame(table, routine, ra.load_rules(), period)


def _team_table() -> tuple[dict, pd.DataFrame, pd.DataFrame, ra.Period]:
    """Three reps' tables, as ``audit_frame`` takes them, and the same rows interleaved
    in one team table with a ``rep`` column (attendees numbered by team row)."""
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    own, team_rows, team_people = {}, [], []
    for rep, calendar in (("b", "overlaps.ics"), ("a", "fragmented.ics"), ("c", "overlaps.ics")):
        data = ra.load_events(FIXTURES / calendar, period, zone=routine.zone)
        occurrences, attendees = _tables(data)
        own[rep] = (occurrences, attendees)
        team_rows.append(occurrences.assign(rep=rep, own_row=range(len(occurrences))))
        team_people.append(attendees.assign(rep=rep))
    team = pd.concat(team_rows, ignore_index=True)
    team = team.sort_values(["own_row", "rep"], kind="stable").reset_index(drop=True)
    row_of = {(r, o): i for i, (r, o) in enumerate(zip(team["rep"], team["own_row"], strict=True))}
    people = pd.concat(team_people, ignore_index=True)
    people["occ"] = [row_of[(r, o)] for r, o in zip(people["rep"], people["occ"], strict=True)]
    return own, team.drop(columns=["own_row"]), people.drop(columns=["rep"]), period


def test_a_team_table_gives_each_rep_what_their_own_table_gives():
    routine = ra.load_routine(FIXTURES / ROUTINE)
    rules = ra.load_rules()
    own, team, people, period = _team_table()
    results = ra.audit_frames(team, routine, rules, period, attendees=people)
    assert list(results) == ["a", "b", "c"]
    assert all(len(r.occurrences) for r in results.values())
    for rep, (occurrences, attendees) in own.items():
        alone = ra.audit_frame(occurrences, routine, rules, period, attendees=attendees)
        pd.testing.assert_frame_equal(results[rep].commitments, alone.commitments)
        pd.testing.assert_frame_equal(results[rep].occurrences, alone.occurrences)
        assert results[rep].finding_objects == alone.finding_objects
    assert results["b"].occurrences["reason"].eq("declined").any()  # attendees followed


def test_a_team_table_takes_one_routine_per_rep_and_names_what_is_missing():
    routine = ra.load_routine(FIXTURES / ROUTINE)
    _, team, people, period = _team_table()
    per_rep = {"a": routine, "b": routine, "c": routine, "d": routine}
    results = ra.audit_frames(team, per_rep, ra.load_rules(), period, attendees=people)
    assert list(results) == ["a", "b", "c", "d"]
    # a rep with a routine but no rows: an audit of an empty calendar, not judged
    # (issue 15: a week without calendar data is a gap in the record, never a failure)
    assert results["d"].occurrences.empty
    assert (results["d"].commitments["scheduled"] == 0).all()
    assert results["d"].coverage.status == "empty"
    assert results["d"].finding_objects == []
    with pytest.raises(UsageError, match="no routine for rep 'c'"):
        ra.audit_frames(team, {"a": routine, "b": routine}, ra.load_rules(), period)
    with pytest.raises(UsageError, match="no 'owner' column"):
        ra.audit_frames(team, routine, ra.load_rules(), period, by="owner")


def test_an_attendee_without_an_address_is_counted_as_a_person():
    routine = ra.load_routine(FIXTURES / ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    starts = pd.to_datetime(["2026-11-02 09:00"]).tz_localize("Europe/Berlin")
    table = pd.DataFrame({"start": starts, "end": starts + pd.Timedelta(hours=1)})
    guests = pd.DataFrame({"occ": [0, 0], "email": ["buyer@acme.example", None]})
    result = ra.audit_frame(table, routine, ra.load_rules(), period, attendees=guests)
    assert result.occurrences["attendees"].tolist() == [2]
    assert result.occurrences["external_attendees"].tolist() == [1]


# Found in the review of the columnar engine (issue 6; was test_review_columnar_engine.py)


def _meetings_only(tmp_path: Path) -> ra.Routine:
    return ra.load_routine(
        routine_file(
            tmp_path,
            "timezone: America/New_York\nworking_hours: {weekdays: '09:00-17:00'}\n"
            "commitments:\n"
            "  - {id: client-meetings, activity: client-meeting, unit: meetings, per: week,"
            " target: 5}\n",
        )
    )


def test_an_empty_daily_table_keeps_numeric_hours_and_targets(tmp_path):
    routine = _meetings_only(tmp_path)
    period = ra.period_for(routine, week="2026-W45")
    empty = pd.DataFrame(
        {
            "start": pd.Series([], dtype="datetime64[ns, America/New_York]"),
            "end": pd.Series([], dtype="datetime64[ns, America/New_York]"),
        }
    )
    daily = ra.audit_frame(empty, routine, ra.load_rules(), period).daily
    assert daily.empty
    assert daily["hours"].dtype == "float64"
    assert daily["target_hours"].dtype == "float64"
