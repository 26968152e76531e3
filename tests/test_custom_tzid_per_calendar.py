"""A custom TZID means what the calendar that defines it says, in that calendar only.

icalendar keeps every custom VTIMEZONE for the whole process by its TZID (the first one
read wins), so two reps' exports that both define "Office Time" (or two Outlook exports'
"Customized Time Zone") used to share the first file's rules: one rep's file moved the
other's events by hours. Each file's definition applies to that file, in one process, in
threads and in worker processes, in either order. A VTIMEZONE named by an IANA name is
not used: the time-zone database's zone of that name is (docs/audit.md "Period and time
zones").
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.config.load import load_rules, load_team
from routine_audit.parallel import WORKERS_ENV
from routine_audit.team.runner import audit_team, team_period

ROUTINE_ZONE = ZoneInfo("UTC")
# Wed 4 Nov 2026, in ISO week 2026-W45 (Mon 2 Nov - Sun 8 Nov)
WEEK = ra.Period(date(2026, 11, 2), date(2026, 11, 8), ROUTINE_ZONE)


def _fixed(offset: str) -> str:
    """A zone with one offset all year."""
    return (
        "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nTZNAME:OT\r\nEND:STANDARD\r\n"
    )


# Central European rules: +01:00, +02:00 from the last Sunday of March to the last of October
EUROPEAN = (
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
)
# US Eastern rules: -05:00, -04:00 from the second Sunday of March to the first of November
EASTERN = (
    "BEGIN:DAYLIGHT\r\nDTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
    "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nDTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
    "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
)


def _calendar(tzid: str, rules: str, start: str, uid: str) -> bytes:
    """One event from ``start`` (local wall time in ``tzid``) for an hour."""
    end = start[:9] + f"{int(start[9:11]) + 1:02d}" + start[11:]
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//custom tzid//EN\r\n"
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{rules}END:VTIMEZONE\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART;TZID={tzid}:{start}\r\nDTEND;TZID={tzid}:{end}\r\n"
        "SUMMARY:Prospecting block\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


PLUS_ONE = _calendar("Office Time", _fixed("+0100"), "20261104T080000", "plus-one@test")
MINUS_EIGHT = _calendar("Office Time", _fixed("-0800"), "20261104T080000", "minus-eight@test")
# 08:00 at +01:00 is 07:00Z; 08:00 at -08:00 is 16:00Z
PLUS_ONE_START = datetime(2026, 11, 4, 7, 0, tzinfo=UTC)
MINUS_EIGHT_START = datetime(2026, 11, 4, 16, 0, tzinfo=UTC)


def _starts(path: Path, period: ra.Period = WEEK) -> list[datetime]:
    data = ra.load_events(str(path), period, zone=ROUTINE_ZONE)
    assert data.problems == ()
    return [event.start.astimezone(UTC) for event in data.events]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("order", ["plus-one first", "minus-eight first"])
def test_two_calendars_defining_one_custom_tzid_each_keep_their_own_offset(tmp_path, order):
    plus = _write(tmp_path, "plus.ics", PLUS_ONE)
    minus = _write(tmp_path, "minus.ics", MINUS_EIGHT)
    files = [plus, minus] if order == "plus-one first" else [minus, plus]
    found = {path.name: _starts(path) for path in files}
    assert found == {"plus.ics": [PLUS_ONE_START], "minus.ics": [MINUS_EIGHT_START]}


def test_one_calendar_read_twice_gives_the_same_times_around_another(tmp_path):
    plus = _write(tmp_path, "plus.ics", PLUS_ONE)
    minus = _write(tmp_path, "minus.ics", MINUS_EIGHT)
    assert _starts(minus) == [MINUS_EIGHT_START]
    assert _starts(plus) == [PLUS_ONE_START]
    assert _starts(minus) == [MINUS_EIGHT_START]
    assert _starts(plus) == [PLUS_ONE_START]


@pytest.mark.parametrize("order", ["european first", "eastern first"])
def test_each_calendars_own_daylight_saving_rules_apply(tmp_path, order):
    # Wed 18 Mar 2026, 09:00 local. European rules: still standard time (+01:00) until
    # Sun 29 Mar, so 08:00Z. Eastern rules: daylight time (-04:00) since Sun 8 Mar, so 13:00Z.
    march = ra.Period(date(2026, 3, 16), date(2026, 3, 22), ROUTINE_ZONE)
    name = "Customized Time Zone"
    europe = _write(tmp_path, "europe.ics", _calendar(name, EUROPEAN, "20260318T090000", "eu@t"))
    east = _write(tmp_path, "east.ics", _calendar(name, EASTERN, "20260318T090000", "us@t"))
    files = [europe, east] if order == "european first" else [east, europe]
    found = {path.name: _starts(path, march) for path in files}
    assert found == {
        "europe.ics": [datetime(2026, 3, 18, 8, 0, tzinfo=UTC)],
        "east.ics": [datetime(2026, 3, 18, 13, 0, tzinfo=UTC)],
    }


def test_one_rep_with_both_files_has_each_event_at_its_own_time(tmp_path):
    plus = _write(tmp_path, "plus.ics", PLUS_ONE)
    minus = _write(tmp_path, "minus.ics", MINUS_EIGHT)
    data = ra.load_events([str(plus), str(minus)], WEEK, zone=ROUTINE_ZONE)
    starts = sorted((e.uid, e.start.astimezone(UTC)) for e in data.events)
    assert starts == [("minus-eight@test", MINUS_EIGHT_START), ("plus-one@test", PLUS_ONE_START)]


def test_a_vtimezone_named_by_an_iana_name_does_not_replace_the_database_zone(tmp_path):
    # The file says "America/New_York" is +03:00 all year; the database says New York is
    # on EST (-05:00) on 4 Nov 2026 (DST ended Sun 1 Nov). 08:00 EST is 13:00Z (not 05:00Z).
    shadow = _calendar("America/New_York", _fixed("+0300"), "20261104T080000", "ny@test")
    path = _write(tmp_path, "shadow.ics", shadow)
    assert _starts(path) == [datetime(2026, 11, 4, 13, 0, tzinfo=UTC)]
    # and the wrong definition does not reach another calendar naming the zone either
    plain = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:plain@test\r\nDTSTAMP:20261101T000000Z\r\n"
        b"DTSTART;TZID=America/New_York:20261104T080000\r\n"
        b"DTEND;TZID=America/New_York:20261104T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert _starts(_write(tmp_path, "plain.ics", plain)) == [
        datetime(2026, 11, 4, 13, 0, tzinfo=UTC)
    ]


TEAM = """\
kind: team
version: 1
name: Custom zones team
timezone: UTC
routine: routine.yaml
manager: {name: Alex Manager, email: alex@northwind.example}
reps:
  - {email: pat@northwind.example, name: Pat, calendar: {type: ics, location: plus.ics}}
  - {email: kim@northwind.example, name: Kim, calendar: {type: ics, location: minus.ics}}
"""

ROUTINE = """\
kind: routine
version: 1
timezone: UTC
internal_domains: [northwind.example]
working_hours:
  weekdays: "00:00-24:00"
commitments:
  - id: morning
    activity: prospecting
    description: An hour of prospecting before noon UTC
    unit: hours
    per: week
    target: 1
    window: {days: weekdays, start: "06:00", end: "12:00"}
"""


@pytest.fixture
def team_file(tmp_path):
    _write(tmp_path, "plus.ics", PLUS_ONE)
    _write(tmp_path, "minus.ics", MINUS_EIGHT)
    (tmp_path / "routine.yaml").write_text(ROUTINE)
    (tmp_path / "team.yaml").write_text(TEAM)
    return tmp_path / "team.yaml"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_team_run_reads_each_reps_custom_zone_by_their_own_file(team_file, monkeypatch, workers):
    import threading

    # other tests' servers leave threads in this process; the workers do not touch them
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setenv(WORKERS_ENV, workers)
    team = load_team(team_file)
    period = team_period(team, week="2026-W45", today=date(2026, 11, 23))
    outcomes = audit_team(team, period, rules=load_rules(team.rules_path))
    starts = {
        o.member.email: [t.astimezone(UTC) for t in o.result.occurrences["start"]] for o in outcomes
    }
    assert starts == {
        "pat@northwind.example": [PLUS_ONE_START],
        "kim@northwind.example": [MINUS_EIGHT_START],
    }


@pytest.mark.parametrize("workers", ["1", "2"])  # one process (reps read in threads), or two
def test_team_audit_books_each_reps_hour_by_their_own_files_zone(
    team_file, tmp_path, monkeypatch, workers
):
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setenv(WORKERS_ENV, workers)
    # Pat's hour is 07:00-08:00Z, inside the 06:00-12:00 UTC window: 0 hours outside it.
    # Kim's is 16:00-17:00Z, after the window: its 3600 s are 1.0 hour outside it.
    out = tmp_path / "out"
    args = ["team", "audit", "--config", str(team_file), "--week", "2026-W45", "--out", str(out)]
    done = CliRunner().invoke(app, [*args, "--db", str(tmp_path / "h.sqlite")])
    assert done.exit_code == 0, done.output
    reps = json.loads((out / "team.json").read_text())["reps"]
    figures = {
        email: [(c["id"], c["scheduled"], c["outside_window_hours"]) for c in rep["commitments"]]
        for email, rep in reps.items()
    }
    assert figures == {
        "pat@northwind.example": [("morning", 1.0, 0.0)],
        "kim@northwind.example": [("morning", 1.0, 1.0)],
    }
