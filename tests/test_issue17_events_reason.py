"""Issue 17, section 3: `events` says why an occurrence counts less than its length.

A prospecting block of 2 h (09:00–11:00) with a client call on top of its second hour
(10:00–11:00) is credited 1 h: 7200 s - 3600 s taken by the call = 3600 s. Its reason
reads "displaced 1 h by" the call: for its owner by the call's title, for a manager by
its activity and time (its title only when the rep shares titles and it is not private).
"""

from __future__ import annotations

import csv
import io
import json

from conftest import FIXTURES, SAMPLE, cli_stdout
from typer.testing import CliRunner

from routine_audit.cli import app

runner = CliRunner()
WEEK = "2026-W45"

EVENT = """BEGIN:VEVENT
UID:{uid}@test
DTSTAMP:20261001T000000Z
DTSTART;TZID=America/New_York:{start}
DTEND;TZID=America/New_York:{end}
SUMMARY:{title}
{extra}END:VEVENT
"""
CALL = (
    "ORGANIZER:mailto:buyer@acme.example\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@northwind.example\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@acme.example\n"
)


def calendar(tmp_path, *, private: bool = False):
    events = [
        EVENT.format(
            uid="block", start="20261102T090000", end="20261102T110000", title="Prospecting",
            extra="",
        ),
        EVENT.format(
            uid="call", start="20261102T100000", end="20261102T110000", title="Acme pricing",
            extra=CALL + ("CLASS:PRIVATE\n" if private else ""),
        ),
    ]  # fmt: skip
    path = tmp_path / "week.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n" + "".join(events) + "END:VCALENDAR\n"
    )
    return path


def routine(tmp_path, *, share_titles: bool):
    text = (FIXTURES / "rep_ny.yaml").read_text()
    path = tmp_path / "routine.yaml"
    path.write_text(text + f"share_titles: {str(share_titles).lower()}\n")
    return path


def events(tmp_path, *extra: str, share_titles=False, private=False) -> dict[str, dict]:
    args = ["events", "--ics", str(calendar(tmp_path, private=private))]
    args += ["--routine", str(routine(tmp_path, share_titles=share_titles)), "--week", WEEK]
    result = runner.invoke(app, [*args, "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return {row["activity"]: row for row in json.loads(result.stdout)}


def test_a_displaced_block_says_by_what_for_its_owner(tmp_path):
    rows = events(tmp_path)
    block = rows["prospecting"]
    assert (block["hours"], block["counted_hours"]) == (2.0, 1.0)  # 7200 s, 7200 - 3600 s
    assert block["reason"] == 'displaced 1 h by "Acme pricing" 10:00–11:00'
    assert rows["client-meeting"]["reason"] == ""  # the call kept all its time


def test_a_manager_reads_the_activity_and_time_not_the_title(tmp_path):
    block = events(tmp_path, "--audience", "manager")["prospecting"]
    assert block["reason"] == "displaced 1 h by a client meeting 10:00–11:00"
    # shared titles show the call's title; a private call's stays hidden
    shared = events(tmp_path, "--audience", "manager", share_titles=True)["prospecting"]
    assert shared["reason"] == 'displaced 1 h by "Acme pricing" 10:00–11:00'
    private = events(tmp_path, "--audience", "manager", share_titles=True, private=True)
    assert private["prospecting"]["reason"] == "displaced 1 h by a client meeting 10:00–11:00"
    assert "Acme" not in json.dumps(private)


def test_every_format_carries_the_reason(tmp_path):
    base = ["events", "--ics", str(calendar(tmp_path))]
    base += ["--routine", str(routine(tmp_path, share_titles=False)), "--week", WEEK]
    table = runner.invoke(app, [*base, "--audience", "manager"])
    assert table.exit_code == 0, table.output
    assert " ".join(why_column(table.stdout)) == "displaced 1 h by a client meeting 10:00–11:00"
    text = runner.invoke(app, [*base, "--format", "csv", "--audience", "manager"]).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    block = next(row for row in rows if row["activity"] == "prospecting")
    assert block["reason"] == "displaced 1 h by a client meeting 10:00–11:00"


def why_column(table: str) -> list[str]:
    """The table's ``why`` cells, wrapped lines and all, top to bottom."""
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("when"))
    left, right = header.index("why"), header.index("activity")
    cells = [line[left:right].strip() for line in lines[lines.index(header) + 2 :]]
    return [cell for cell in cells if cell]


def test_a_held_event_keeps_its_reason_beside_the_displacement(tmp_path):
    # overlaps.ics: the 2 h prospecting block loses 09:30–10:15 (2700 s = 45 min) to a
    # client call; an unclassified 14:30–16:00 briefing loses 14:30–15:00 (1800 s) to
    # the earlier 14:00–15:00 review
    args = ["events", "--ics", str(FIXTURES / "overlaps.ics")]
    args += ["--routine", str(FIXTURES / "rep_ny.yaml"), "--week", WEEK, "--format", "json"]
    args += ["--audience", "manager"]
    rows = json.loads(runner.invoke(app, args).stdout)
    reasons = [row["reason"] for row in rows]
    assert "displaced 45 min by a client meeting 09:30–10:15" in reasons
    assert "displaced 30 min by an unclassified event 14:00–15:00" in reasons
    assert "declined" in reasons and "tentative" in reasons  # the counting reasons stay


# Review of issue 17, what a person reads (was test_review17_reading.py)


def test_events_name_what_displaced_a_block_as_the_stories_do():
    rows = json.loads(
        cli_stdout(
            "events",
            "--ics",
            str(SAMPLE / "riley.ics"),
            "--routine",
            str(SAMPLE / "riley.yaml"),
            "--week",
            WEEK,
            "--audience",
            "manager",
            "--format",
            "json",
        )
    )
    reasons = {row["start"][:16]: row["reason"] for row in rows if row["reason"]}
    assert reasons["2026-11-03T09:00"] == "displaced 1 h by a client meeting 10:00–11:00"
    assert reasons["2026-11-02T09:00"] == "displaced 1 h by an unclassified event 09:30–10:30"
