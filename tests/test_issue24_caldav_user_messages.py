"""Issue 24: what a user who set CalDAV up a little wrong reads, through the commands:
no user name or password at all (not "wrong password"), no calendar named, and a
calendar name the account cannot see when the server shares by access rights.

The server is Radicale on loopback (tests/caldav_server.py).
"""

from __future__ import annotations

import caldav_server as radicale
import pytest
from caldav_server import PASSWORD_ENV, PASSWORDS
from source_contract import ROUTINE, WEEK, IcsWriter
from typer.testing import CliRunner

from routine_audit.cli import app

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
manager_password = radicale.manager_password  # autouse: the manager's password in the env


@pytest.fixture(scope="module")
def server(caldav_server):
    caldav_server.shared(IcsWriter.text(WEEK), "shared-msg")
    return caldav_server


def audit(*pairs: str):
    options = [part for pair in pairs for part in ("--source-option", pair)]
    return CliRunner().invoke(
        app,
        ["audit", "--source", "caldav", *options, "--routine", str(ROUTINE), "--week", "2026-W45"],
    )


def test_no_sign_in_at_all_says_so_not_wrong_password(server):
    result = audit(f"url={server.url}", "calendar=/rep/shared-msg/")
    assert result.exit_code == 2
    assert result.stderr == (
        "routine-audit: error: CalDAV server 127.0.0.1: the server asks to sign in (HTTP "
        "401), and no user name and password were given (give the username setting, and "
        "password_env naming the variable that holds its app password (see docs/caldav.md))\n"
    )


def test_a_missing_calendar_setting_says_which_setting(server):
    result = audit(f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "routine-audit: error: CalDAV server 127.0.0.1: the calendar setting is missing: "
        "which CalDAV calendar to read (give the calendar setting (its name or path); "
        "routine-audit calendars --source caldav lists those the account can read)"
    )


def test_a_name_the_account_cannot_see_points_to_shared_home(server):
    """Radicale shares by access rights: the manager's own list is empty, and the
    line says so and names the setting that finds the rep's calendars."""
    result = audit(
        f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}",
        "calendar=shared-msg",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "routine-audit: error: CalDAV server 127.0.0.1: manager can read no calendar named "
        "'shared-msg' (none at all) (routine-audit calendars --source caldav lists them; a "
        "calendar another user owns must be shared with this account (on a server that "
        "shares by access rights, name the owner's collection with shared_home))\n"
    )
    found = audit(
        f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}",
        "calendar=shared-msg", "shared_home=/rep/",
    )  # fmt: skip
    assert found.exit_code == 0, found.output


def test_an_empty_password_variable_is_named_as_such(server, monkeypatch):
    """cron's environment file with `VAR=` and nothing after it: set, but empty."""
    monkeypatch.setenv(PASSWORD_ENV, "")
    result = audit(
        f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}",
        "calendar=/rep/shared-msg/",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"routine-audit: error: CalDAV server 127.0.0.1: the environment variable "
        f"{PASSWORD_ENV} (password_env) is not set, or empty (set {PASSWORD_ENV} to the "
        "account's app password"
    )


def test_control_characters_in_a_calendar_name_are_shown_not_obeyed(server):
    """XML cannot carry ESC, but it can carry the 8-bit CSI (U+009B) and the
    right-to-left override (U+202E): `calendars` shows them as escapes."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
        'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>'
        "Red\u009b31m Work\u202eexe.</D:displayname></D:prop></D:set></C:mkcalendar>"
    ).encode()
    server.request("MKCALENDAR", "/rep/shared-odd/", owner="rep", body=body, expect=(201,))
    options = [f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}",
               "shared_home=/rep/"]  # fmt: skip
    pairs = [part for option in options for part in ("--source-option", option)]
    result = CliRunner().invoke(app, ["calendars", "--source", "caldav", *pairs])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "shared-odd" in line)
    assert row == "/rep/shared-odd/\treadable\tRed\\x9b31m Work\\u202eexe."


def test_rules_check_warns_of_a_password_variable_not_set_here(server, tmp_path, monkeypatch):
    """As for mail's variables: a warning, not an error (cron's environment differs)."""
    import shutil

    monkeypatch.delenv(PASSWORD_ENV)
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\nreps:\n"
        "  - email: rep@company.example\n    routine: rep.yaml\n"
        f"    calendar: {{type: caldav, url: '{server.url}', calendar: /rep/shared-msg/, "
        f"username: manager, password_env: {PASSWORD_ENV}}}\n"
    )
    result = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {team}: rep@company.example: calendar.password_env: the environment "
        f"variable {PASSWORD_ENV} is not set here; set it where the run starts (the crontab "
        "line or the unit file), unless the OS keyring holds the password"
    ]
    monkeypatch.setenv(PASSWORD_ENV, PASSWORDS["manager"])
    again = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert "warning:" not in again.output
