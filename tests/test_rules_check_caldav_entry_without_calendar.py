"""Offline `rules check` of a team file whose CalDAV entry has no `calendar` setting:
only `--online` found it (reading the calendar); it is now an error at the entry's
line, like any other missing required setting. `calendars --source caldav` still
takes no calendar: it lists those to choose from."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

HEAD = "kind: team\nversion: 1\nname: T\ntimezone: Europe/London\nroutine: r.yaml\nreps:\n"
ENTRY = "{type: caldav, url: 'https://caldav.example.com/', username: m, password_env: RA_PW"


def check(tmp_path, monkeypatch, *reps: str):
    monkeypatch.setenv("RA_PW", "app-password")  # set: no warning about it
    shutil.copy(package_data("sample") / "team-default.yaml", tmp_path / "r.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(HEAD + "".join(reps))
    return CliRunner().invoke(app, ["rules", "check", str(team)]), team


def test_a_caldav_entry_without_calendar_is_an_error_at_its_line(tmp_path, monkeypatch):
    result, team = check(
        tmp_path,
        monkeypatch,
        f"  - email: a@x.example\n    calendar: {ENTRY}, calendar: Work}}\n",  # lines 7-8: fine
        f"  - email: b@x.example\n    calendar: {ENTRY}}}\n",  # line 10: no calendar
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {team}:10: reps[1].calendar.calendar: required field is missing"
    ]


def test_it_is_said_with_the_entry_s_other_problems(tmp_path, monkeypatch):
    result, team = check(
        tmp_path, monkeypatch, "  - email: b@x.example\n    calendar:\n      type: caldav\n"
    )  # line 8, calendar: with neither url nor calendar
    assert result.exit_code == 2
    assert sorted(result.stderr.splitlines()) == [
        f"error: {team}:8: reps[0].calendar.calendar: required field is missing",
        f"error: {team}:8: reps[0].calendar.url: required field is missing",
    ]


def test_a_caldav_entry_with_its_calendar_passes_offline(tmp_path, monkeypatch):
    result, _ = check(
        tmp_path, monkeypatch, f"  - email: a@x.example\n    calendar: {ENTRY}, calendar: Work}}\n"
    )
    assert result.exit_code == 0, result.output
