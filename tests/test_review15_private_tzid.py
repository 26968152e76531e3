"""Review of issue 15: a private event's TZID reached the manager's view. The data-quality
line for a time zone the file does not define quoted its name ("time zone 'Dr Lee
oncology' is unknown"); the name is calendar content, so it is now the parser's detail,
shown to the owner only (docs/audit.md, "Reading calendars").
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from routine_audit.cli import app

runner = CliRunner()
ROUTINE = (
    "kind: routine\nversion: 1\nrep: {email: rep@x.example}\ntimezone: Europe/London\n"
    "share_titles: true\n"
    "commitments:\n  - {id: p, activity: prospecting, unit: hours, per: week, target: 2}\n"
)
EVENT = (
    "BEGIN:VEVENT\nUID:p@t\nDTSTAMP:20261001T000000Z\nSUMMARY:Oncology follow-up\n"
    "CLASS:PRIVATE\nDTSTART;TZID=Dr Lee oncology:20261103T100000\n"
    "DTEND;TZID=Dr Lee oncology:20261103T110000\nEND:VEVENT\n"
)


def test_an_unknown_tzid_is_named_to_the_owner_only(tmp_path):
    calendar = tmp_path / "cal.ics"
    calendar.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{EVENT}END:VCALENDAR\n")
    routine = tmp_path / "routine.yaml"
    routine.write_text(ROUTINE)
    args = ["audit", "--ics", str(calendar), "--routine", str(routine), "--week", "2026-W45"]
    for fmt in ("json", "markdown", "table", "html"):
        manager = runner.invoke(app, [*args, "--audience", "manager", "--format", fmt])
        assert "Dr Lee" not in manager.stdout + manager.stderr, fmt
        assert "Oncology" not in manager.stdout + manager.stderr, fmt
    manager = runner.invoke(app, [*args, "--audience", "manager", "--format", "json"])
    lines = json.loads(manager.stdout)["reps"]["rep@x.example"]["data_quality"]
    assert lines == [f"{calendar}: a time zone is unknown; its times were read in Europe/London"]
    owner = runner.invoke(app, [*args, "--format", "json"])
    lines = json.loads(owner.stdout)["reps"]["rep@x.example"]["data_quality"]
    assert lines == [
        f"{calendar}: a time zone is unknown; its times were read in Europe/London: "
        "TZID 'Dr Lee oncology'"
    ]
