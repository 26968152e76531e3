"""Issue 16: one rep's problem is that rep's failure. A missing local calendar file, or a
missing or invalid routine of one rep, fails that rep (exit 1) while the others are
audited, written, recorded and mailed; `rules check` still reports it as an error (exit 2).
Team-level problems stay exit 2; every rep failing is exit 3."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

WEEK = "2026-W45"
REPS = ("dana", "morgan", "riley", "sam")


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    path = folder / "team.yaml"
    path.write_text(path.read_text() + "output_dir: out\ndb: history.sqlite\n")
    return path


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _recorded(team: Path) -> set[str]:
    with sqlite3.connect(team.parent / "history.sqlite") as db:
        rows = db.execute("select rep from audit where kind = 'actual' and week = ?", (WEEK,))
        return {row[0].partition("@")[0] for row in rows}


def _written(team: Path) -> set[str]:
    return {p.name.partition("-at-")[0] for p in (team.parent / "out" / WEEK).glob("*-at-*.html")}


BREAKS = {
    "missing calendar": ("dana.ics", None, "dana.ics does not exist"),
    "missing routine": ("dana.yaml", None, "dana.yaml does not exist"),
    "invalid routine": ("dana.yaml", "kind: routine\nversion: 1\ncommitments: 7\n", "dana.yaml"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_one_reps_broken_file_fails_only_that_rep(team, name):
    file, content, message = BREAKS[name]
    target = team.parent / file
    if content is None:
        target.unlink()
    else:
        target.write_text(content)
    log = team.parent / "run.log"
    result = _invoke("run", "--config", str(team), "--week", WEEK, "--no-mail", "--log", str(log))
    assert result.exit_code == 1, result.output  # today: 2, nobody audited
    lines = log.read_text().splitlines()
    failed = [line for line in lines if "FAILED" in line]
    assert len(failed) == 1 and "dana@northwind.example" in failed[0] and message in failed[0]
    assert sum(" ok: " in line or "no calendar data" in line for line in lines) == 3
    others = {"morgan", "riley", "sam"}
    assert _recorded(team) == others and _written(team) == others
    rollup = (team.parent / "out" / WEEK / "rollup.md").read_text()
    assert "## Could not be audited" in rollup and "dana@northwind.example" in rollup
    # `team audit` audits the others too
    audit = _invoke("team", "audit", "--config", str(team), "--week", WEEK, "--format", "markdown")
    assert audit.exit_code == 1, audit.output
    assert "Morgan Fixture" in audit.stdout and message in audit.stdout
    # and `rules check` still calls it an error, naming the team file and the rep
    check = _invoke("rules", "check", str(team))
    assert check.exit_code == 2
    assert message in check.stderr and "team.yaml: dana@northwind.example: " in check.stderr


def test_every_rep_failing_is_exit_3(team):
    for rep in REPS:
        (team.parent / f"{rep}.ics").unlink()
    result = _invoke("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 3, result.output  # today: 2
    assert (team.parent / "out" / WEEK / "rollup.md").exists()  # says who failed and why


def test_a_team_level_problem_stays_exit_2(team):
    (team.parent / "team-default.yaml").unlink()  # the team's default routine
    result = _invoke("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 2
    assert "team-default.yaml does not exist" in result.stderr
    assert not (team.parent / "out" / WEEK).exists()


def test_a_rep_whose_routine_names_a_missing_rules_file_fails_alone(team):
    routine = team.parent / "riley.yaml"
    routine.write_text(
        routine.read_text().replace("version: 1\n", "version: 1\nrules: nope.yaml\n")
    )
    check = _invoke("rules", "check", str(team))
    assert check.exit_code == 2 and "nope.yaml does not exist" in check.stderr
    result = _invoke("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 1, result.output
    assert _recorded(team) == {"dana", "morgan", "sam"}


def test_the_others_are_mailed(team):
    from test_mail import start_server

    controller, handler = start_server()
    try:
        text = team.read_text() + (
            f"mail: {{host: 127.0.0.1, port: {controller.port}, security: none, "
            "from: ra@northwind.example, to_reps: true}\n"
        )
        team.write_text(text)
        (team.parent / "sam.ics").unlink()
        result = _invoke("run", "--config", str(team), "--week", WEEK)
        assert result.exit_code == 1, result.output
        received = sorted(e.rcpt_tos[0] for e in handler.envelopes)
    finally:
        controller.stop()
    assert received == [
        "alex@northwind.example",  # the roll-up, naming Sam as failed
        "dana@northwind.example",
        "morgan@northwind.example",
        "riley@northwind.example",
    ]
