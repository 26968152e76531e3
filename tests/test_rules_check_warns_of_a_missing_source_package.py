"""Offline `rules check` of a team file whose calendars need a package that is not
installed (msal for Microsoft 365, caldav for CalDAV): it said "ok", and the run then
failed every such rep. It now warns once per team file, naming the extra to install."""

from __future__ import annotations

import importlib.util
import shutil

from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

HEAD = "kind: team\nversion: 1\nname: T\ntimezone: Europe/London\nroutine: r.yaml\nreps:\n"
REPS = (
    "  - {email: a@x.example, calendar: {type: microsoft}}\n"
    "  - {email: b@x.example, calendar: {type: microsoft}}\n"
    "  - email: c@x.example\n"
    "    calendar: {type: caldav, url: 'https://caldav.example.com/', calendar: Work,"
    " username: c, password_env: RA_PW}\n"
)


def check(tmp_path, monkeypatch, missing: set[str]):
    monkeypatch.setenv("RA_PW", "app-password")
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in missing else found(name, *a)
    )
    shutil.copy(package_data("sample") / "team-default.yaml", tmp_path / "r.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(HEAD + REPS)
    return CliRunner().invoke(app, ["rules", "check", str(team)]), team


def test_each_missing_package_is_one_warning(tmp_path, monkeypatch):
    result, team = check(tmp_path, monkeypatch, {"msal", "caldav"})
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {team}: a caldav calendar needs the caldav package, not installed here: "
        "pip install 'routine-audit[caldav]'",
        f"warning: {team}: a microsoft calendar needs the msal package, not installed here: "
        "pip install 'routine-audit[microsoft]'",
    ]


def test_no_warning_when_installed(tmp_path, monkeypatch):
    result, _ = check(tmp_path, monkeypatch, set())
    assert result.exit_code == 0, result.output
    assert "not installed" not in result.output
