"""Issue 17, section 1: reactive booking counts the meetings the routine measures as
meetings (commitments with ``unit: meetings``), and the report says what it counted.

The week (rep_ny.yaml: working hours 09:00–17:00 on weekdays, New York; lead 8 working
hours, share max 0.30) holds two meetings with attendees:
- a client call Mon 2 Nov 10:00–11:00, created Thu 29 Oct 11:00 (EDT): Thu 11:00–17:00
  6 h + Fri 8 h + Mon 09:00–10:00 1 h = 15 working hours' notice: booked ahead;
- an internal sync Mon 2 Nov 14:00–14:30, created the same day 13:50 (EST, 18:50Z):
  10 minutes' notice, but the routine does not measure syncs in meetings.
So reactive booking counts 1 client meeting, 0 of them at short notice (before issue 17
it counted both: 1 of 2 at short notice, 50% > 30%, and reported a reactive_booking gap).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.demo import run_demo
from routine_audit.report import build_report, render

runner = CliRunner()
WEEK = "2026-W45"
EVENTS = """BEGIN:VEVENT
UID:call@test
DTSTAMP:20261001T000000Z
CREATED:20261029T150000Z
DTSTART;TZID=America/New_York:20261102T100000
DTEND;TZID=America/New_York:20261102T110000
SUMMARY:Acme pricing
ORGANIZER:mailto:buyer@acme.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@acme.example
END:VEVENT
BEGIN:VEVENT
UID:sync@test
DTSTAMP:20261001T000000Z
CREATED:20261102T185000Z
DTSTART;TZID=America/New_York:20261102T140000
DTEND;TZID=America/New_York:20261102T143000
SUMMARY:Sync
ORGANIZER:mailto:lee@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:lee@northwind.example
END:VEVENT
"""


def audit_json(tmp_path, routine_text: str) -> dict:
    ics = tmp_path / "week.ics"
    ics.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n" + EVENTS + "END:VCALENDAR\n")
    routine = tmp_path / "routine.yaml"
    routine.write_text(routine_text)
    args = ["audit", "--ics", str(ics), "--routine", str(routine), "--week", WEEK]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    (rep,) = json.loads(result.stdout)["reps"].values()
    text = runner.invoke(app, [*args, "--format", "markdown"])
    return {**rep, "markdown": text.stdout}


def test_an_internal_sync_is_not_a_client_meeting(tmp_path):
    rep = audit_json(tmp_path, (FIXTURES / "rep_ny.yaml").read_text())
    health = rep["health"]
    assert (health["reactive_meetings"], health["meetings_with_created"]) == (0, 1)
    assert "reactive_booking" not in {f["kind"] for f in rep["findings"]}
    assert (
        "**Reactive bookings:** 0 of 1 client meeting booked at short notice (0%)"
        in rep["markdown"]
    )


def test_a_routine_without_meetings_does_not_measure_reactive_booking(tmp_path):
    text = (FIXTURES / "rep_ny.yaml").read_text()
    start = text.index("  - id: client-meetings")
    routine = text[:start] + text[text.index("limits:") :]
    rep = audit_json(tmp_path, routine)
    assert (rep["health"]["reactive_meetings"], rep["health"]["meetings_with_created"]) == (0, 0)
    assert "not measured (no commitment is counted in meetings)" in rep["markdown"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROUTINE_AUDIT_CACHE", "off")
        run = run_demo()
    return {o.member.email: o.result for o in run.outcomes}


def test_the_demo_counts_client_meetings(demo):
    golden = json.loads((FIXTURES.parent / "golden" / "sample_week.json").read_text())
    for email, result in demo.items():
        expected = golden["reps"][email]["reactive_booking"]
        health = result.health
        assert (health.meetings_with_created, health.reactive_meetings) == (
            expected["counted"],
            expected["short_notice"],
        ), email
    # Riley: 6 of 6 client meetings at short notice (was 14 of 21 with the syncs)
    riley = render(build_report(demo["riley@northwind.example"], "manager"), "table")
    assert "reactive bookings: 6 of 6 client meetings booked at short notice (100%)" in riley
    assert "6 of 6 client meetings were booked with less than 8 working hours' notice" in riley
