"""Issue 16: `run --rep X` re-audits X, rebuilds the team's roll-up and team page for the
whole team from that week's history rows, and mails only X (never the roll-up). Today it
rewrote the roll-up with X alone. A rep with no history row that week is listed as not
audited, with no figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import mailing_team
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

WEEK = "2026-W45"
DANA = "dana@northwind.example"
FILES = ("rollup.md", "index.html", "team.json", "team.csv")


@pytest.fixture
def smtp():
    from test_mail import start_server

    controller, handler = start_server()
    yield controller.port, handler.envelopes
    controller.stop()


def _run(team: Path, *args: str):
    return CliRunner().invoke(app, ["run", "--config", str(team), "--week", WEEK, *args])


def _read(team: Path) -> dict[str, str]:
    folder = team.parent / "out" / WEEK
    return {name: (folder / name).read_text() for name in FILES}


def test_one_reps_run_rebuilds_the_whole_teams_rollup_and_mails_only_that_rep(tmp_path, smtp):
    port, received = smtp
    team = mailing_team(tmp_path, port)
    assert _run(team).exit_code == 0
    full = _read(team)
    assert len(received) == 5  # the roll-up and four reps
    again = _run(team, "--rep", DANA, "--resend")
    assert again.exit_code == 0, again.output
    # only Dana was audited (one log line for a rep) and only Dana was mailed, even with
    # --resend: the manager's roll-up never goes out of a run for one rep
    assert sum(" ok: " in line for line in again.stderr.splitlines()) == 1
    assert [e.rcpt_tos for e in received[5:]] == [[DANA]]
    # the same calendars: the roll-up and the team page rebuilt from the week's rows are
    # what the full run wrote (today: Dana alone, "1 reps audited")
    rebuilt = _read(team)
    assert rebuilt["rollup.md"] == full["rollup.md"]
    assert rebuilt["index.html"] == full["index.html"]
    assert "4 reps audited, 0 failed" in rebuilt["rollup.md"]
    for name in ("Morgan Fixture", "Riley Sampleford", "Sam Demoson"):
        assert name in rebuilt["rollup.md"] and name in rebuilt["index.html"]
    # team.json and team.csv keep the other reps' entries, Dana's replaced
    assert (
        json.loads(rebuilt["team.json"])["reps"].keys()
        == json.loads(full["team.json"])["reps"].keys()
    )
    assert rebuilt["team.csv"] == full["team.csv"]


def test_a_rep_with_no_history_row_that_week_is_listed_as_not_audited(tmp_path, smtp):
    port, received = smtp
    team = mailing_team(tmp_path, port)
    result = _run(team, "--rep", DANA)
    assert result.exit_code == 0, result.output
    assert [e.rcpt_tos for e in received] == [[DANA]]
    rollup = _read(team)["rollup.md"]
    assert "1 rep audited, 3 failed" in rollup
    assert "## Could not be audited" in rollup
    for rep in ("morgan", "riley", "sam"):
        line = next(line for line in rollup.splitlines() if f"**{rep}@northwind.example**" in line)
        assert f"no audit of {WEEK} is recorded" in line
    # no figures for them: the adherence table and the ranking hold Dana alone
    table = rollup.split("## Adherence")[1]
    assert "Morgan" not in table and "Riley" not in table and "Sam" not in table
    index = _read(team)["index.html"]
    assert "morgan@northwind.example" in index and f"no audit of {WEEK} is recorded" in index


def test_history_migration_3_keeps_older_rows_readable_for_the_rollup(tmp_path):
    import sqlite3

    from routine_audit import history as history_module
    from routine_audit.history import History

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    history_module._create_v1(db)
    history_module._add_coverage_v2(db)  # a database as version 2 wrote it
    db.execute(f"PRAGMA application_id = {history_module.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO audit (team, week, rep, kind, run_at, coverage)"
        " VALUES ('T', '2026-W45', 'old@x.example', 'actual', '2026-11-09T07:00:00+00:00', 'ok')"
    )
    db.close()
    with History(path) as history:
        assert history.schema_version == len(history_module.MIGRATIONS)  # 3, then 4 (plans)
        (row,) = history.week_audits(team="T", week=WEEK).values()
    assert (row.rep, row.name, row.incomplete, row.coverage, row.newest) == (
        "old@x.example",
        None,  # the roll-up shows the team file's name
        False,
        "ok",
        None,
    )


# Review of issue 16: files a run reads besides calendars end in one line when they
# cannot be read. A saved Google sign-in that cannot be read (another user's token, as when
# cron runs as someone else) was a traceback (OSError), and so was `run --rep` over a
# reports folder whose team.csv is not UTF-8 (UnicodeDecodeError).
# (Was tests/test_review16_unreadable_files.py; its token cases: test_issue15_robust_reading.)


def test_run_one_rep_over_a_team_csv_that_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    team.write_text(team.read_text() + "output_dir: out\ndb: history.sqlite\n")
    runner = CliRunner()
    first = runner.invoke(app, ["run", "--config", str(team), "--week", WEEK, "--no-mail"])
    assert first.exit_code == 0, first.output
    (folder / "out" / WEEK / "team.csv").write_bytes(b"rep,x\n\xff\xfe,1\n")
    again = runner.invoke(
        app, ["run", "--config", str(team), "--week", WEEK, "--rep", DANA, "--no-mail"]
    )
    assert again.exit_code == 0, again.output
    assert (folder / "out" / WEEK / "team.csv").read_text().startswith("rep,")
