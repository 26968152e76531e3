"""Issue 15, "which routine and rules made this": a routine may name its rules file
(``rules:``, relative to the file that names it, inherited through ``extends:``);
``--rules`` > the routine's ``rules:`` > the team file's ``rules:`` > the shipped
defaults, in ``audit``, ``events``, ``team audit``, ``run``, ``rules check`` and the
library; every report states the routine and rules it used (JSON: ``inputs``)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.config.load import load_team
from routine_audit.errors import ConfigError
from routine_audit.report import build_report, render

SAMPLE = package_data("sample")
WEEK = "2026-W45"  # the sample week
# one rule that makes every block admin: an audit that used it shows no other activity
ALL_ADMIN = (
    "kind: rules\nversion: 1\nrules:\n  - {name: all-admin, activity: admin, match: {regex: '.'}}\n"
)
ALL_FOLLOW_UP = (
    "kind: rules\nversion: 1\n"
    "rules:\n  - {name: all-follow-up, activity: follow-up, match: {regex: '.'}}\n"
)
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def sha256(*paths: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()


@pytest.fixture
def team(tmp_path) -> Path:
    """A copy of the sample team (its routines extend team-default.yaml; no rules: yet)."""
    folder = tmp_path / "team"
    shutil.copytree(SAMPLE, folder)
    return folder


def _add_line(path: Path, line: str) -> None:
    """Add a top-level ``line`` after the ``version: 1`` line."""
    text = path.read_text()
    path.write_text(text.replace("\nversion: 1\n", f"\nversion: 1\n{line}\n", 1))


def _line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def _audit_json(team: Path, *extra: object) -> dict:
    done = invoke(
        "audit", "--routine", team / "dana.yaml", "--ics", team / "dana.ics", "--week", WEEK,
        "-f", "json", *extra,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return done.stdout and json.loads(done.stdout)["reps"]["dana@northwind.example"]


def _activities(rep: dict) -> set[str]:
    return {d["activity"] for d in rep["daily"] if d["hours"] > 0}


# -- the routine's rules: are used (today: "unknown field 'rules'") -----------------


def test_audit_uses_the_rules_file_the_routine_names(team):
    (team / "my-rules.yaml").write_text(ALL_ADMIN)
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    rep = _audit_json(team)
    assert _activities(rep) == {"admin"}
    assert rep["inputs"]["rules"] == {
        "path": str(team / "my-rules.yaml"),
        "digest": sha256(team / "my-rules.yaml"),
    }


def test_rules_init_writes_a_routine_whose_edited_rules_are_used(tmp_path):
    folder = tmp_path / "mine"
    assert invoke("rules", "init", folder).exit_code == 0
    routine = folder / "routine.yaml"
    assert "\nrules: rules.yaml" in routine.read_text()
    routine.write_text(routine.read_text().replace("you@example.com", "dana@northwind.example"))
    (folder / "rules.yaml").write_text(ALL_ADMIN)  # the rep edits the rules beside it
    done = invoke(
        "events", "--routine", routine, "--ics", SAMPLE / "dana.ics", "--week", WEEK, "-f", "json"
    )
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert rows
    assert {r["rule"] for r in rows if r["activity"] != "other"} <= {"all-admin"}
    assert {r["activity"] for r in rows} <= {"admin", "other"}


def test_a_routine_inherits_rules_relative_to_the_file_that_names_them(team):
    # the base moves into a folder beside rules of the same name as a decoy one level up:
    # rules.yaml is the base folder's, not the child's
    (team / "base").mkdir()
    (team / "team-default.yaml").rename(team / "base" / "team-default.yaml")
    (team / "base" / "rules.yaml").write_text(ALL_ADMIN)
    (team / "rules.yaml").write_text(ALL_FOLLOW_UP)
    _add_line(team / "base" / "team-default.yaml", "rules: rules.yaml")
    dana = team / "dana.yaml"
    dana.write_text(
        dana.read_text().replace("extends: team-default.yaml", "extends: base/team-default.yaml")
    )
    rep = _audit_json(team)
    assert _activities(rep) == {"admin"}
    assert rep["inputs"]["rules"]["path"] == str((team / "base" / "rules.yaml").resolve())
    # the routine's digest covers the chain: its own bytes, then its base's
    assert rep["inputs"]["routine"] == {
        "path": str(dana),
        "digest": sha256(dana, team / "base" / "team-default.yaml"),
    }
    # a child's own rules: wins over its base's
    _add_line(dana, "rules: rules.yaml")
    assert _activities(_audit_json(team)) == {"follow-up"}


# -- precedence: --rules > routine > team > defaults --------------------------------


def test_rules_option_beats_the_routines_rules(team):
    (team / "my-rules.yaml").write_text(ALL_ADMIN)
    (team / "other.yaml").write_text(ALL_FOLLOW_UP)
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    rep = _audit_json(team, "--rules", team / "other.yaml")
    assert _activities(rep) == {"follow-up"}
    assert rep["inputs"]["rules"]["path"] == str(team / "other.yaml")


def test_without_any_rules_file_the_builtin_rules_are_used_and_named(team):
    rep = _audit_json(team)
    assert rep["inputs"]["rules"] == {
        "path": "builtin",
        "digest": sha256(package_data("default_rules.yaml")),
    }
    assert rep["inputs"]["routine"]["digest"] == sha256(
        team / "dana.yaml", team / "team-default.yaml"
    )


def test_team_runs_use_routine_then_team_then_builtin_rules(team, tmp_path):
    (team / "dana-rules.yaml").write_text(ALL_ADMIN)
    (team / "team-rules.yaml").write_text(ALL_FOLLOW_UP)
    _add_line(team / "dana.yaml", "rules: dana-rules.yaml")
    _add_line(team / "team.yaml", "rules: team-rules.yaml")
    out = tmp_path / "out"
    done = invoke("team", "audit", "--config", team / "team.yaml", "--week", WEEK, "--out", out,
                  "--db", tmp_path / "h.db")  # fmt: skip
    assert done.exit_code == 0, done.output
    reps = json.loads((out / "team.json").read_text())["reps"]
    team_dir = (team / "team.yaml").resolve().parent
    assert reps["dana@northwind.example"]["inputs"]["rules"]["path"] == str(
        team_dir / "dana-rules.yaml"
    )
    assert _activities(reps["dana@northwind.example"]) == {"admin"}
    assert reps["morgan@northwind.example"]["inputs"]["rules"]["path"] == str(
        team_dir / "team-rules.yaml"
    )
    assert _activities(reps["morgan@northwind.example"]) == {"follow-up"}
    # the manager's pages name them too
    page = (out / "dana-at-northwind.example.md").read_text()
    assert f"- **Rules:** `{team_dir / 'dana-rules.yaml'}` (sha256 " in page
    assert f"- **Routine:** `{team_dir / 'dana.yaml'}` (sha256 " in page
    # without the team's rules: Morgan's audit uses the built-in rules
    (team / "team.yaml").write_text(
        (team / "team.yaml").read_text().replace("rules: team-rules.yaml\n", "")
    )
    done = invoke("run", "--config", team / "team.yaml", "--week", WEEK, "--out", out / "2",
                  "--db", tmp_path / "h2.db", "--no-mail")  # fmt: skip
    assert done.exit_code == 0, done.output
    reps = json.loads((out / "2" / "team.json").read_text())["reps"]
    assert reps["morgan@northwind.example"]["inputs"]["rules"]["path"] == "builtin"
    assert reps["dana@northwind.example"]["inputs"]["rules"]["path"].endswith("dana-rules.yaml")


# -- a missing or broken named rules file -------------------------------------------


def test_rules_check_reports_a_missing_rules_file_naming_the_routine_and_field(team):
    _add_line(team / "dana.yaml", "rules: gone.yaml")
    line = _line_of(team / "dana.yaml", "rules: gone.yaml")
    done = invoke("rules", "check", team / "dana.yaml")
    assert done.exit_code == 2
    # the routine file, the line of rules:, the field
    assert f"{team / 'dana.yaml'}:{line}: rules: the rules file" in done.stderr
    assert "gone.yaml does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    # the team file that uses the routine fails the same way, and so does an audit
    done = invoke("rules", "check", team / "team.yaml")
    assert done.exit_code == 2
    assert f"dana.yaml:{line}: rules: the rules file" in done.stderr
    done = invoke("audit", "--routine", team / "dana.yaml", "--ics", team / "dana.ics")
    assert done.exit_code == 2
    assert f"dana.yaml:{line}: rules:" in done.stderr
    assert "Traceback" not in done.output


def test_rules_check_checks_the_named_rules_file(team):
    (team / "my-rules.yaml").write_text("kind: rules\nversion: 1\nrules:\n  - {name: x}\n")
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    done = invoke("rules", "check", team / "dana.yaml")
    assert done.exit_code == 2
    assert "my-rules.yaml" in done.stderr


def test_rules_check_warns_against_the_routines_own_rules(team):
    # Dana's commitments count prospecting, follow-up, admin, personal: all-admin assigns
    # only admin, so the others get the "no rule assigns" warning; the defaults assign all
    assert "warning" not in invoke("rules", "check", team / "dana.yaml").stderr
    (team / "my-rules.yaml").write_text(ALL_ADMIN)
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    done = invoke("rules", "check", team / "dana.yaml")
    assert done.exit_code == 0, done.output
    assert "activity 'prospecting', which no classification rule assigns" in done.stderr
    assert "activity 'admin'" not in done.stderr


def test_load_team_fails_when_a_routine_names_a_missing_rules_file(team):
    _add_line(team / "team-default.yaml", "rules: nowhere.yaml")
    line = _line_of(team / "team-default.yaml", "rules: nowhere.yaml")
    with pytest.raises(ConfigError, match=rf"team-default\.yaml:{line}: rules: the rules file"):
        load_team(team / "team.yaml")


# -- the library ------------------------------------------------------------------------


def test_the_library_finds_the_routines_rules(team):
    (team / "my-rules.yaml").write_text(ALL_ADMIN)
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    routine = ra.load_routine(team / "dana.yaml")
    rules = ra.rules_for(routine)
    assert [r.name for r in rules.rules] == ["all-admin"]
    period = ra.period_for(routine, week=WEEK)
    result = ra.audit_calendar(team / "dana.ics", routine, None, period)  # None: its own
    assert result.inputs.rules.path == str(team / "my-rules.yaml")
    assert result.inputs.routine.path == str(team / "dana.yaml")
    assert set(result.daily.loc[result.daily["hours"] > 0, "activity"]) == {"admin"}
    # an explicit override and a fallback (a team file's rules:)
    assert ra.rules_for(routine, team / "my-rules.yaml").rules[0].name == "all-admin"
    plain = ra.load_routine(team / "morgan.yaml")
    assert ra.rules_for(plain).model_dump() == ra.load_rules().model_dump()
    assert ra.rules_for(plain, fallback=team / "my-rules.yaml").rules[0].name == "all-admin"


def test_a_routine_built_in_python_has_no_file(team):
    built = ra.config.Routine(
        timezone="Europe/London", rep={"email": "dana@northwind.example"}, commitments=()
    )
    period = ra.period_for(built, week=WEEK)
    result = ra.audit_calendar(team / "dana.ics", built, ra.load_rules(), period)
    assert (result.inputs.routine.path, result.inputs.routine.digest) == (None, None)
    assert result.inputs.rules.path == "builtin"


def test_a_cached_audit_names_the_files_of_this_run(team, tmp_path, monkeypatch):
    # same bytes, another path: the cache must not show the first run's path
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    first = _audit_json(team)
    moved = tmp_path / "elsewhere"
    shutil.copytree(team, moved)
    second = _audit_json(moved)
    assert first["inputs"]["routine"]["path"] == str(team / "dana.yaml")
    assert second["inputs"]["routine"]["path"] == str(moved / "dana.yaml")
    assert second["inputs"]["routine"]["digest"] == first["inputs"]["routine"]["digest"]


# -- every report states them ---------------------------------------------------------


@pytest.mark.parametrize("audience", ["owner", "manager"])
def test_every_report_format_states_the_routine_and_rules(team, audience):
    (team / "my-rules.yaml").write_text(ALL_ADMIN)
    _add_line(team / "dana.yaml", "rules: my-rules.yaml")
    routine = ra.load_routine(team / "dana.yaml")
    result = ra.audit_calendar(team / "dana.ics", routine, None, ra.period_for(routine, week=WEEK))
    report = build_report(result, audience)
    routine_digest = sha256(team / "dana.yaml", team / "team-default.yaml")
    rules_digest = sha256(team / "my-rules.yaml")
    # a file's path is setup, not calendar content: the manager sees it too
    for fmt in ("table", "markdown", "html"):
        text = render(report, fmt)
        assert str(team / "dana.yaml") in text, fmt
        assert str(team / "my-rules.yaml") in text, fmt
        assert routine_digest[:12] in text and rules_digest[:12] in text, fmt
    table = " ".join(render(report, "table").split())  # a long temporary path may wrap
    assert f"Routine: {team / 'dana.yaml'} (sha256 {routine_digest[:12]})" in table
    assert f"Rules: {team / 'my-rules.yaml'} (sha256 {rules_digest[:12]})" in table
    document = json.loads(render(report, "json"))
    schema = json.loads(package_data("report.schema.json").read_text())
    Draft202012Validator(schema).validate(document)
    assert document["reps"]["dana@northwind.example"]["inputs"] == {
        "routine": {"path": str(team / "dana.yaml"), "digest": routine_digest},
        "rules": {"path": str(team / "my-rules.yaml"), "digest": rules_digest},
    }


def test_the_schema_requires_inputs():
    schema = json.loads(package_data("report.schema.json").read_text())
    assert "inputs" in schema["$defs"]["rep"]["required"]


# Review of issue 17, what a person reads (was test_review17_reading.py)


def test_the_demo_names_its_routines_inside_the_package_not_where_it_is_installed(demo_reports):
    text, out = demo_reports
    assert "Routine: sample/dana.yaml, shipped with routine-audit (sha256 " in text
    markdown = (out / "dana-at-northwind.example.md").read_text()
    assert "`sample/dana.yaml`, shipped with routine-audit" in markdown
    page = (out / "dana-at-northwind.example.html").read_text()
    for shown in (text, markdown, page):
        assert "routine_audit/data" not in shown
