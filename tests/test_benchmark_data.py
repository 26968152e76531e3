"""The benchmark's synthetic team: deterministic, realistic in what it exercises, and read
the same by the fast and the plain path (so the benchmark times the real audit)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import audit_week, generate_team

from routine_audit.config.load import load_team
from routine_audit.period import Period
from routine_audit.sources.ics import Document, read_document

FIRST = date(2025, 11, 24)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_team_is_deterministic(tmp_path):
    generate_team(tmp_path / "a", reps=2, weeks=3, seed=3)
    generate_team(tmp_path / "b", reps=2, weeks=3, seed=3)
    generate_team(tmp_path / "c", reps=2, weeks=3, seed=4)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_the_calendars_exercise_what_real_exports_hold(tmp_path):
    team = generate_team(tmp_path, reps=3, weeks=13)
    text = "".join(p.read_bytes().decode() for p in (tmp_path / "calendars").glob("*.ics"))
    for feature in (
        "RECURRENCE-ID;TZID=",
        "EXDATE;TZID=",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=",
        ";UNTIL=",
        "DURATION:PT",
        "DTSTART;VALUE=DATE:",
        "PARTSTAT=DECLINED",
        "STATUS:CANCELLED",
        "TRANSP:TRANSPARENT",
        "CLASS:PRIVATE",
        "Z\r\n",
        "\r\n ",  # folded lines
    ):
        assert feature in text, feature
    assert len(load_team(team).spec.reps) == 3


def test_fast_and_plain_reads_agree_on_the_audited_week(tmp_path):
    team = load_team(generate_team(tmp_path, reps=3, weeks=8))
    monday = audit_week(FIRST, 8)
    for member in team.spec.reps:
        routine = team.member_routine(member)
        zone = routine.zone
        period = Period(monday, monday + timedelta(days=6), ZoneInfo(zone.key))
        path = team.calendar_locations(member)[0]
        document = Document(path, Path(path).read_bytes())
        fast = _in_order(read_document(document, period, zone, fast=True))
        plain = _in_order(read_document(document, period, zone, fast=False))
        assert fast == plain
        assert len(fast[0]) > 10  # a busy week, not an empty one


def _in_order(read):
    """A document's events in a fixed order (the source sorts them; expansion order varies)."""
    events, problems = read
    return sorted(events, key=lambda e: (e.key, e.start)), problems
