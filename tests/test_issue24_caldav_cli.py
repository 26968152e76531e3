"""Issue 24: CalDAV through the commands: `audit --source caldav`, `calendars`, a team
file's `{type: caldav}` in `rules check --online`, `team audit` and `run --no-mail`
(cron), and the one-line errors (a wrong app password, an unshared calendar).

The server is Radicale on loopback (tests/caldav_server.py); the manager signs in
with their own account and reads the calendar the rep shared with them.
"""

from __future__ import annotations

import json
import shutil

import caldav_server as radicale
import pytest
from caldav_server import PASSWORD_ENV, PASSWORDS, manager, source_options
from source_contract import REP, ROUTINE, WEEK, IcsWriter
from typer.testing import CliRunner

from routine_audit.cli import app

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
manager_password = radicale.manager_password  # autouse: the manager's password in the env
runner = CliRunner()
TEAM_HEAD = "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"


@pytest.fixture(scope="module")
def shared(caldav_server):
    """The contract's week in a calendar the rep shared with the manager, and one the
    rep did not share."""
    caldav_server.shared(IcsWriter.text(WEEK), "shared-week")
    private = caldav_server.calendar("private-week")
    caldav_server.seed(private, IcsWriter.text(WEEK))
    return caldav_server


def options(server, calendar: str | None = "shared-week") -> list[str]:
    return source_options(manager(server.url, calendar))


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_audit_source_caldav_equals_the_file(shared, tmp_path):
    common = ["--routine", ROUTINE, "--week", "2026-W45", "--format", "json"]
    through = invoke("audit", "--source", "caldav", *options(shared), *common)
    from_file = invoke("audit", "--ics", IcsWriter.write(tmp_path, WEEK), *common)
    assert through.exit_code == from_file.exit_code == 0, through.output
    mine = json.loads(through.stdout)["reps"][REP]
    theirs = json.loads(from_file.stdout)["reps"][REP]
    assert mine["commitments"] == theirs["commitments"]
    assert mine["findings"] == theirs["findings"]
    prospecting = next(c for c in mine["commitments"] if c["id"] == "prospecting")
    assert prospecting["scheduled"] == 2.0  # Mon 09:00-11:00 New York: 7200 s


def test_calendars_lists_the_shared_ones_with_path_and_readability(shared):
    result = invoke("calendars", "--source", "caldav", *options(shared, None))
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert ["/rep/shared-week/", "readable", "rep/shared-week"] in rows
    assert not any("private-week" in line for line in result.stdout.splitlines())


def test_a_wrong_app_password_is_exit_2_in_one_line_without_it(shared, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password-42")
    result = invoke("audit", "--source", "caldav", *options(shared), "--routine", ROUTINE,
                    "--week", "2026-W45")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "routine-audit: error: CalDAV server 127.0.0.1: the server did not accept the "
        "password of manager (HTTP 401) (the app password is wrong or was revoked: create a "
        "new one and put it in the variable password_env names (see docs/caldav.md))"
    )
    assert "not-the-password-42" not in result.output
    listed = invoke("calendars", "--source", "caldav", *options(shared, None))
    assert listed.exit_code == 2 and "HTTP 401" in listed.stderr
    assert "not-the-password-42" not in listed.output


def test_an_unshared_calendar_is_one_line_naming_it(shared):
    result = invoke("audit", "--source", "caldav", *options(shared, "/rep/private-week/"),
                    "--routine", ROUTINE, "--week", "2026-W45")  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "routine-audit: error: CalDAV server 127.0.0.1: manager may not read the calendar "
        "'/rep/private-week/' (HTTP 403: not shared with this account, or no such calendar) "
        "(ask its owner to share it with this account (read access is enough))"
    ]
    assert "Prospecting" not in result.output


def test_a_password_option_is_refused_in_one_line(shared):
    result = invoke("audit", "--source", "caldav", *options(shared), "--source-option",
                    "password=hunter2", "--routine", ROUTINE, "--week", "2026-W45")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "routine-audit: error: --source-option password: a password never goes in a team "
        "file or an option: name the environment variable that holds it with password_env"
    )
    assert "hunter2" not in result.output


def test_help_names_no_secret():
    result = invoke("calendars", "--help")
    assert result.exit_code == 0
    assert PASSWORDS["manager"] not in result.output


# --- team files: rules check --online, team audit, run (cron) -------------------------


def team_file(tmp_path, server, calendar: str = "shared-week", extra: str = "") -> str:
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        TEAM_HEAD + f"reps:\n  - email: {REP}\n    routine: rep.yaml\n"
        f"    calendar: {{type: caldav, url: '{server.url}', calendar: {calendar}, "
        f"username: manager, password_env: {PASSWORD_ENV}, shared_home: /rep/{extra}}}\n"
    )
    return team


def test_a_team_file_with_caldav_through_rules_check_online(shared, tmp_path):
    team = team_file(tmp_path, shared)
    checked = invoke("rules", "check", team)
    assert checked.exit_code == 0, checked.output
    assert "1 CalDAV calendar (--online reads them)" in checked.stdout
    online = invoke("rules", "check", "--online", team)
    assert online.exit_code == 0, online.output
    assert f"ok: {team}: {REP}: calendar read" in online.stdout


def test_a_password_key_in_a_team_file_is_refused_in_one_line(shared, tmp_path):
    team = team_file(tmp_path, shared, extra=", password: hunter2")
    checked = invoke("rules", "check", team)
    assert checked.exit_code == 2
    errors = [line for line in checked.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {team}:8: reps[0].calendar.password: a password never goes in a team file "
        "or an option: name the environment variable that holds it with password_env (or "
        "keep it in the OS keyring, see docs/caldav.md)"
    ]
    assert "hunter2" not in checked.output


def test_team_audit_and_run_read_the_shared_calendar(shared, tmp_path):
    team = team_file(tmp_path, shared)
    audited = invoke("team", "audit", "--config", team, "--week", "2026-W45",
                     "--db", tmp_path / "h.sqlite", "--out", tmp_path / "out")  # fmt: skip
    assert audited.exit_code == 0, audited.output
    figures = json.loads((tmp_path / "out" / "team.json").read_text())
    prospecting = figures["reps"][REP]["commitments"][0]
    assert (prospecting["id"], prospecting["scheduled"]) == ("prospecting", 2.0)  # 7200 s
    log = tmp_path / "run.log"
    ran = invoke("run", "--config", team, "--week", "2026-W45", "--no-mail", "--log", log,
                 "--db", tmp_path / "run.sqlite", "--out", tmp_path / "cron")  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert any(" ok: " in line and REP in line for line in log.read_text().splitlines())


def test_a_wrong_password_in_a_team_run_fails_that_rep_without_the_password(
    shared, tmp_path, monkeypatch
):
    """In a team run one rep's revoked password is that rep's failure (the others are
    audited, as for any calendar); a single calendar's command exits 2."""
    monkeypatch.setenv(PASSWORD_ENV, "revoked-app-password-7")
    team = team_file(tmp_path, shared)
    log = tmp_path / "run.log"
    ran = invoke("run", "--config", team, "--week", "2026-W45", "--no-mail", "--log", log,
                 "--db", tmp_path / "run.sqlite", "--out", tmp_path / "cron")  # fmt: skip
    assert ran.exit_code == 3, ran.output  # every rep (the one) failed
    failed = [line for line in log.read_text().splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "(HTTP 401)" in failed[0]
    assert "revoked-app-password-7" not in ran.output + log.read_text()
    online = invoke("rules", "check", "--online", team)
    assert online.exit_code == 1  # an unreadable calendar, as rules check says of any
    assert "(HTTP 401)" in online.output and "revoked-app-password-7" not in online.output
