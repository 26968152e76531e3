"""Issue 20, part 2: `plan --db` and `team plan` snapshot the week ahead's plan, as `run`
does. The clock is past the sample's weeks, so these snapshots are kept but are not the
plan (taken after the week's first working hour)."""

from __future__ import annotations

from conftest import event, ics, routine_file
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.history import History

WEEK = "2026-W46"


def test_team_plan_with_a_history_snapshots_every_reps_week(tmp_path):
    db = tmp_path / "h.sqlite"
    team = package_data("sample") / "team.yaml"
    result = CliRunner().invoke(
        app, ["team", "plan", "--config", str(team), "--week", WEEK, "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    with History(db) as history:
        (snapshot,) = history.plan_snapshots(
            team="Northwind Sample Team", week=WEEK, rep="dana@northwind.example"
        )
    _, before_start, blocks = snapshot
    assert not before_start  # taken now, long after Mon 09 Nov 09:00
    # Dana's prospecting Mon-Fri 09:00-11:00 (Tuesday's second hour under a meeting)
    prospecting = [row[5] for row in blocks if row[4] == "prospecting"]
    assert prospecting == [7200, 3600, 7200, 7200, 7200]
    assert all("\x1f" in row[0] for row in blocks)  # UID and instance


def test_plan_with_db_snapshots_the_reps_week(tmp_path):
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        ics(event("p1", "20261110T090000Z", "20261110T110000Z", "Prospecting")), newline=""
    )
    routine = routine_file(
        tmp_path,
        "timezone: Europe/London\ncommitments:\n  - {id: prospecting, activity: prospecting,"
        " unit: hours, per: week, target: 10}\n",
    )
    db = tmp_path / "h.sqlite"
    result = CliRunner().invoke(
        app,
        ["plan", "--ics", str(calendar), "--routine", str(routine), "--week", WEEK,
         "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with History(db) as history:
        (snapshot,) = history.plan_snapshots(team="", week=WEEK, rep="rep@northwind.example")
    assert snapshot[2] == [
        ("p1\x1f", 1794301200, 1794308400, "prospecting", "prospecting", 7200, "")
    ]


def test_audit_with_db_shows_the_week_against_the_plan_the_rep_recorded(tmp_path):
    """A rep plans 2096-W10 with `plan --db` (today, long before that week's work begins: the
    plan), then audits the week with `audit --db`: Tuesday's 2 h block held, Thursday's
    2 h block deleted: 7200 of 14400 planned seconds survived, 50%."""
    routine = routine_file(
        tmp_path,
        "timezone: Europe/London\ncommitments:\n  - {id: prospecting, activity: prospecting,"
        " unit: hours, per: week, target: 4}\n",
    )
    tuesday = event("p1", "20960306T090000Z", "20960306T110000Z", "Prospecting")
    thursday = event("p2", "20960308T090000Z", "20960308T110000Z", "Prospecting")
    calendar = tmp_path / "cal.ics"
    calendar.write_text(ics(tuesday, thursday), newline="")
    db = tmp_path / "h.sqlite"
    common = ["--ics", str(calendar), "--routine", str(routine), "--week", "2096-W10"]
    planned = CliRunner().invoke(app, ["plan", *common, "--db", str(db)])
    assert planned.exit_code == 0, planned.output
    calendar.write_text(ics(tuesday), newline="")  # Thursday's block deleted in the week
    audited = CliRunner().invoke(app, ["audit", *common, "--db", str(db), "-f", "json"])
    assert audited.exit_code == 0, audited.output
    import json

    plan = json.loads(audited.stdout)["reps"]["rep@northwind.example"]["plan"]
    assert plan["source"] == "snapshot"
    (prospecting,) = plan["commitments"]
    assert (prospecting["planned"], prospecting["survived"]) == (4.0, 2.0)  # hours
    assert prospecting["survival"] == 0.5
    assert sorted(b["outcome"] for b in plan["blocks"]) == ["deleted", "held"]
    # without a history there is no plan section, and a missing one is a one-line error
    assert "plan" not in json.loads(
        CliRunner().invoke(app, ["audit", *common, "-f", "json"]).stdout
    )
    missing = CliRunner().invoke(app, ["audit", *common, "--db", str(tmp_path / "no.sqlite")])
    assert missing.exit_code == 2 and "no history database here yet" in missing.output
