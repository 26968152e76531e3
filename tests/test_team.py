"""Team files, team audits and the cron command `run`, over a mixed team (.ics files and
Google through the fake server) that includes a rep whose calendar cannot be read."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import google_fake
import pytest
from google_fake import FIXTURES as GOOGLE_FIXTURES
from google_fake import load_json
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.team.lock import LOCK_NAME, run_lock

google = google_fake.google
runner = CliRunner()
WEEK = "2026-W45"
SAMPLE = package_data("sample")


def make_team(
    folder: Path, *, mail_port: int | None = None, broken: bool = True, to_reps: bool = False
) -> Path:
    """A team folder laid out as a manager would: routines/, calendars/, team.yaml."""
    (folder / "routines").mkdir(parents=True)
    (folder / "calendars").mkdir()
    for name in ("team-default.yaml", "dana.yaml"):
        shutil.copy(SAMPLE / name, folder / "routines" / name)
    shutil.copy(SAMPLE / "dana.ics", folder / "calendars" / "dana.ics")
    shutil.copy(GOOGLE_FIXTURES / "rep_company.yaml", folder / "routines" / "google-rep.yaml")
    (folder / "calendars" / "broken.ics").write_bytes(b"")
    reps = [
        "  - {email: dana@northwind.example, name: Dana, calendar: {ics: calendars/dana.ics},"
        " routine: routines/dana.yaml}",
        "  - {email: rep@company.example, name: Gabi, calendar: {google: primary},"
        " routine: routines/google-rep.yaml}",
    ]
    if broken:
        reps.append(
            "  - {email: lee@northwind.example, name: Lee, calendar: {ics: calendars/broken.ics}}"
        )
    mail = ""
    if mail_port:
        mail = f"mail: {{host: 127.0.0.1, port: {mail_port}, security: none, "
        mail += f"from: ra@northwind.example, to_reps: {str(to_reps).lower()}}}\n"
    (folder / "team.yaml").write_text(
        "kind: team\nversion: 1\nname: Mixed Team\ntimezone: Europe/London\ndays_in: rep\n"
        "routine: routines/team-default.yaml\noutput_dir: out\ndb: history.sqlite\n"
        "manager: {name: Alex, email: alex@northwind.example}\n"
        + mail
        + "reps:\n"
        + "\n".join(reps)
        + "\n"
    )
    return folder / "team.yaml"


@pytest.fixture
def team(google, tmp_path, monkeypatch):
    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    monkeypatch.chdir(tmp_path / "..")  # cron starts elsewhere: paths resolve from the file
    return make_team(tmp_path / "team")


def run(*args: str):
    return runner.invoke(app, list(args))


def history_rows(db: Path, kind: str = "actual") -> int:
    """Rows of per-commitment results recorded for ``kind`` (actual or preview)."""
    query = (
        "select count(*) from commitment_result join audit on audit.id = audit_id "
        "where audit.kind = ?"
    )
    with sqlite3.connect(db) as connection:
        return connection.execute(query, (kind,)).fetchone()[0]


def test_rules_check_validates_a_team_file_and_its_paths(team):
    assert run("rules", "check", str(team)).exit_code == 0
    text = team.read_text().replace("calendars/dana.ics", "calendars/nope.ics")
    team.write_text(text)
    result = run("rules", "check", str(team))
    assert result.exit_code == 2
    assert "team.yaml:" in result.stderr and "nope.ics does not exist" in result.stderr


def test_team_audit_ranks_gaps_and_reports_the_failing_rep(team):
    result = run("team", "audit", "--config", str(team), "--week", WEEK, "--format", "markdown")
    assert result.exit_code == 1  # one rep failed, the others were audited
    assert "lee@northwind.example" in result.stdout and "file is empty" in result.stdout
    assert "Dana" in result.stdout and "Gabi" in result.stdout
    assert "## Biggest gaps" in result.stdout


def test_run_writes_dated_reports_history_and_one_log_line_per_rep(team, tmp_path):
    log = tmp_path / "run.log"
    result = run("run", "--config", str(team), "--week", WEEK, "--log", str(log), "--no-mail")
    assert result.exit_code == 1, result.output
    folder = team.parent / "out" / WEEK
    names = {p.name for p in folder.iterdir()}
    assert {"index.html", "rollup.md", "team.json", "team.csv"} <= names
    assert {"dana-at-northwind.example.html", "rep-at-company.example.md"} <= names
    lines = log.read_text().splitlines()
    assert sum(" ok: " in line for line in lines) == 2
    assert sum("FAILED" in line and "lee@northwind.example" in line for line in lines) == 1
    assert lines[-1].startswith("done: 2 of 3 reps audited")
    db = team.parent / "history.sqlite"
    rows = history_rows(db)
    assert rows > 0 and history_rows(db, "preview") > 0
    # re-running the week replaces its reports and history rows: no duplicates
    again = run("run", "--config", str(team), "--week", WEEK, "--log", str(log), "--no-mail")
    assert again.exit_code == 1
    assert history_rows(db) == rows
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_run_exit_3_when_no_rep_could_be_audited(google, tmp_path):
    folder = tmp_path / "team"
    team = make_team(folder)
    (folder / "calendars" / "dana.ics").write_bytes(b"")
    google.deny("primary", 404, "notFound")
    result = run("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 3


def test_two_runs_never_overlap(team):
    with run_lock(team.parent / "out"):
        result = run("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 2 and "in progress" in result.stderr
    assert (team.parent / "out" / LOCK_NAME).exists()
    assert run("run", "--config", str(team), "--week", WEEK, "--no-mail").exit_code == 1


def test_history_command_shows_the_trend(team):
    run("run", "--config", str(team), "--week", "2026-W44", "--no-mail")
    run("run", "--config", str(team), "--week", WEEK, "--no-mail")
    result = run("history", "--rep", "dana@northwind.example", "--config", str(team))
    assert result.exit_code == 0
    assert (
        "2026-W44" in result.stdout
        and "2026-W45" in result.stdout
        and "prospecting" in result.stdout
    )


@pytest.fixture
def smtp():
    """A loopback SMTP server keeping every envelope (the mail tests' own)."""
    from test_mail import start_server

    controller, handler = start_server()
    yield controller.port, handler.envelopes
    controller.stop()


def test_mail_is_sent_once_per_week_unless_resent(google, tmp_path, smtp):
    port, received = smtp
    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    team = make_team(tmp_path / "team", mail_port=port, broken=False)
    assert run("run", "--config", str(team), "--week", WEEK).exit_code == 0
    assert [e.rcpt_tos for e in received] == [["alex@northwind.example"]]
    assert run("run", "--config", str(team), "--week", WEEK).exit_code == 0
    assert len(received) == 1  # already sent for this week
    assert run("run", "--config", str(team), "--week", WEEK, "--resend").exit_code == 0
    assert len(received) == 2


def test_each_rep_gets_their_own_report_and_the_manager_sees_no_titles(google, tmp_path, smtp):
    port, received = smtp
    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    team = make_team(tmp_path / "team", mail_port=port, to_reps=True)
    result = run("run", "--config", str(team), "--week", WEEK)
    assert result.exit_code == 1  # the broken rep; everyone else got their mail
    by_recipient = {e.rcpt_tos[0]: _mail_text(e.content) for e in received}
    assert set(by_recipient) == {
        "alex@northwind.example",
        "dana@northwind.example",
        "rep@company.example",
    }
    # Dana's own report carries her event titles; the manager's roll-up none of them
    assert "Weekly sales team meeting" in by_recipient["dana@northwind.example"]
    assert "Weekly sales team meeting" not in by_recipient["alex@northwind.example"]
    assert "Dana" in by_recipient["alex@northwind.example"]


def _mail_text(raw: bytes) -> str:
    """Every text part of a message, decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )


def test_mail_that_cannot_be_sent_is_exit_1_with_the_reports_written(google, tmp_path):
    from test_mail import free_port

    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    team = make_team(tmp_path / "team", mail_port=free_port(), broken=False)  # nobody listens
    result = run("run", "--config", str(team), "--week", WEEK)
    assert result.exit_code == 1
    assert "mail to alex@northwind.example FAILED" in result.stderr
    assert (team.parent / "out" / WEEK / "index.html").exists()


def test_rules_check_online_reads_every_calendar_and_names_the_unreadable(team, httpserver):
    feed = (SAMPLE / "riley.ics").read_bytes()
    httpserver.expect_request("/secret/basic.ics").respond_with_data(
        feed, content_type="text/calendar"
    )
    text = team.read_text().replace(
        "calendar: {ics: calendars/broken.ics}",
        "calendar: {ics: '" + httpserver.url_for("/secret/basic.ics") + "'}",
    )
    team.write_text(text)
    offline = run("rules", "check", str(team))
    assert offline.exit_code == 0 and not httpserver.log  # no network without --online
    result = run("rules", "check", "--online", str(team))
    assert result.exit_code == 0, result.output
    assert len(httpserver.log) == 1
    # one line per rep: read, or (a fixture week far from today) read but quiet (issue 15)
    quiet = result.stderr.count("no events in the last four weeks")
    assert result.stdout.count("calendar read") + quiet == 3
    httpserver.clear()
    httpserver.expect_request("/secret/basic.ics").respond_with_data("nope", status=404)
    result = run("rules", "check", "--online", str(team))
    assert result.exit_code == 1
    assert "lee@northwind.example" in result.stderr and "404" in result.stderr
    assert "basic.ics" not in result.stderr  # the secret part of the address stays hidden


def test_run_under_cron_no_terminal_no_prompt_no_progress_bar(tmp_path):
    """As cron starts it: another folder, no terminal, no stdin, a Google rep never signed in."""
    folder = tmp_path / "team"
    shutil.copytree(SAMPLE, folder)
    team = folder / "team.yaml"
    team.write_text(
        team.read_text()
        + "  - {email: new@northwind.example, name: New Rep, calendar: {google: primary}}\n"
        + "google: {token: never-signed-in.json}\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "LANG": "C.UTF-8",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "routine_audit", "run", "--config", str(team), "--week", WEEK],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    lines = completed.stderr.splitlines()
    assert sum(" ok: " in line for line in lines) == 4
    failed = [line for line in lines if "FAILED" in line]
    assert len(failed) == 1 and "new@northwind.example" in failed[0]
    assert "auth login" in failed[0]  # says how to fix it instead of prompting
    assert "\x1b[" not in completed.stderr and "Traceback" not in completed.stderr
    # the default output_dir is reports/<team>/ beside the team file, not the working folder
    assert (folder / "reports" / "northwind-sample-team" / WEEK / "index.html").exists()
    assert (tmp_path / "data" / "routine-audit" / "history.sqlite").exists()


def test_a_networked_team_in_worker_processes_gives_what_one_process_gives(team, monkeypatch):
    import threading
    from datetime import date

    from routine_audit.config.load import load_rules, load_team
    from routine_audit.parallel import WORKERS_ENV
    from routine_audit.team import runner as team_runner

    # the fake server's thread lives in this process; forked workers only talk to it
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")

    def audited(workers: str):
        monkeypatch.setenv(WORKERS_ENV, workers)
        loaded = load_team(team)
        period = team_runner.team_period(loaded, week=WEEK, today=date(2026, 11, 23))
        outcomes = team_runner.audit_team(loaded, period, rules=load_rules(loaded.rules_path))
        return [
            (
                o.member.email,
                o.error,
                None if o.result is None else o.result.commitments.to_dict("records"),
                None if o.result is None else [repr(f) for f in o.result.finding_objects],
                None if o.result is None else o.result.occurrences["summary"].tolist(),
            )
            for o in outcomes
        ]

    one, two = audited("1"), audited("2")
    assert two == one
    assert [email for email, error, *_ in two if error] == ["lee@northwind.example"]
    assert len(two[1][4]) > 0  # the Google rep's events were read in a worker
