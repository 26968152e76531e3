"""The organizer feeds the attendee conditions: Outlook (through Graph, and in an .ics
export) lists the organizer apart from the attendees, so a buyer who invites the rep
alone makes a meeting with one external attendee, as Google, which lists the
organizer among the attendees, already gives. An organizer also listed as an attendee
counts once; the rep's own meetings add no one."""

from __future__ import annotations

import json
from pathlib import Path

import graph_fake
import pytest
from graph_fake import graph_event
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
ROUTINE = Path(__file__).parent / "fixtures" / "google" / "rep_company.yaml"
REP = "rep@company.example"  # internal_domains: [company.example]


def graph_meeting(organizer: str, attendees: list[str]) -> dict:
    """Wed 4 Nov 2026 15:00-16:00 UTC (10:00-11:00 New York), "Catch-up"."""
    return graph_event(1, "2026-11-04T15:00", "2026-11-04T16:00") | {
        "subject": "Catch-up",
        "isOrganizer": organizer == REP,
        "responseStatus": {"response": "organizer" if organizer == REP else "accepted"},
        "organizer": {"emailAddress": {"address": organizer}},
        "attendees": [
            {"type": "required", "status": {"response": "none"},
             "emailAddress": {"address": a}} for a in attendees
        ],
    }  # fmt: skip


def ics(organizer: str, attendees: list[str]) -> str:
    people = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n" for a in attendees)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook//EN\r\n"
        "BEGIN:VEVENT\r\nUID:uid-1@t\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261104T150000Z\r\nDTEND:20261104T160000Z\r\nSUMMARY:Catch-up\r\n"
        f"ORGANIZER:mailto:{organizer}\r\n{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def events(*source: str) -> dict:
    result = CliRunner().invoke(
        app,
        ["events", *source, "--routine", str(ROUTINE), "--week", "2026-W45",
         "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    return row


CLIENT = ("client-meeting", "external-attendees")  # the shipped rule: external_attendees >= 1
INTERNAL = ("other", "")  # no shipped rule claims an internal meeting
CASES = [
    # the buyer invites the rep alone: one external attendee, a client meeting
    ("buyer@client.example", [REP], CLIENT),
    # the buyer is also listed: still one
    ("buyer@client.example", [REP, "buyer@client.example"], CLIENT),
    # a colleague invites the rep alone: one attendee, none external
    ("kim@company.example", [REP], INTERNAL),
    # the rep organizes, inviting a colleague: the rep is no one more
    (REP, ["kim@company.example"], INTERNAL),
]


@pytest.mark.parametrize(("organizer", "attendees", "activity"), CASES)
def test_through_graph(graph, organizer, attendees, activity):
    graph.serve(REP, [graph_meeting(organizer, attendees)])
    row = events("--source", "microsoft", "--source-option", f"user={REP}")
    assert (row["activity"], row["rule"]) == activity


@pytest.mark.parametrize(("organizer", "attendees", "activity"), CASES)
def test_through_an_outlook_export(tmp_path, organizer, attendees, activity):
    path = tmp_path / "cal.ics"
    path.write_text(ics(organizer, attendees))
    row = events("--ics", str(path))
    assert (row["activity"], row["rule"]) == activity


def test_an_organizer_without_attendees_is_no_one(tmp_path):
    """An event with an ORGANIZER and no ATTENDEE (a booking system's feed) is not an
    invitation: its organizer is no attendee, as Google lists none for such events."""
    path = tmp_path / "cal.ics"
    path.write_text(ics("noreply@booking.example", []))
    assert events("--ics", str(path))["activity"] == "other"
