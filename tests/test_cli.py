"""The CLI through Typer's runner: commands, formats, exit codes, error messages."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, registered_commands, routine_file
from typer.testing import CliRunner

from routine_audit.cli import app

runner = CliRunner()
ROUTINE = str(FIXTURES / "rep_ny.yaml")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def audit_args(calendar: str, *extra: str) -> list[str]:
    return ["--ics", str(FIXTURES / calendar), "--routine", ROUTINE, "--week", "2026-W45", *extra]


def test_version_and_help_on_every_command():
    assert invoke("--version").stdout.startswith("routine-audit ")
    commands = registered_commands()
    # walked, not listed, so a new command is checked unedited; the walk reaches the
    # commands the old hand list named and the subcommands of every group
    known = {(), ("audit",), ("events",), ("demo",), ("rules",), ("rules", "check")}
    known |= {("rules", "init"), ("team", "audit"), ("auth", "login")}
    assert known <= {path for path, _ in commands}
    for path, command in commands:
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.stdout
        assert (command.help or "").strip(), f"{path} has no help text"
        if not path:
            continue
        # every command has a help line of its own in its group's list of commands
        listed = invoke(*path[:-1], "--help").stdout.partition("Commands:")[2].splitlines()
        line = next(line.split() for line in listed if line.split()[:1] == [path[-1]])
        assert len(line) > 1, path


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_audit_every_format(fmt):
    result = invoke("audit", *audit_args("overlaps.ics", "--format", fmt))
    assert result.exit_code == 0, result.output
    assert "prospecting" in result.stdout


def validate_report(document: dict) -> None:
    from jsonschema import Draft202012Validator

    from routine_audit.config import package_data

    schema = json.loads(package_data("report.schema.json").read_text())
    Draft202012Validator(schema).validate(document)


def test_audit_json_figures():
    result = invoke("audit", *audit_args("series_exceptions.ics", "--format", "json"))
    document = json.loads(result.stdout)
    validate_report(document)
    rep = document["reps"]["rep@northwind.example"]
    prospecting = next(c for c in rep["commitments"] if c["id"] == "prospecting")
    assert prospecting["scheduled"] == 6.0
    assert prospecting["target"] == 10.0
    assert document["period"] == {**document["period"], "start": "2026-11-02", "end": "2026-11-08"}


def test_events_csv_counted_hours_sum_to_the_audit(tmp_path):
    out = tmp_path / "events.csv"
    result = invoke("events", *audit_args("overlaps.ics", "--format", "csv", "--output", str(out)))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    required = "start,end,hours,counted_hours,activity,rule,counted,reason,all_day,summary"
    assert set(required.split(",")) <= set(rows[0])
    assert rows[0]["start"].endswith("-05:00")
    per_activity: dict[str, float] = {}
    for row in rows:
        per_activity[row["activity"]] = per_activity.get(row["activity"], 0) + float(
            row["counted_hours"]
        )
    audit = json.loads(invoke("audit", *audit_args("overlaps.ics", "--format", "json")).stdout)
    daily = audit["reps"]["rep@northwind.example"]["daily"]
    for activity, hours in per_activity.items():
        assert hours == pytest.approx(
            sum(d["hours"] for d in daily if d["activity"] == activity), abs=0.01
        )
    declined = next(r for r in rows if r["reason"] == "declined")
    assert declined["counted"] in ("False", "false", "no") and float(declined["counted_hours"]) == 0


def test_output_file_is_written_atomically_and_replaced(tmp_path):
    out = tmp_path / "report.md"
    out.write_text("old")
    result = invoke("audit", *audit_args("overlaps.ics", "--format", "markdown", "-o", str(out)))
    assert result.exit_code == 0
    assert out.read_text().startswith("#")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp files left


def test_manager_audience_hides_titles():
    owner = invoke("audit", *audit_args("overlaps.ics", "--format", "markdown")).stdout
    manager = invoke(
        "audit", *audit_args("overlaps.ics", "--format", "markdown", "--audience", "manager")
    ).stdout
    assert "Pricing call" in owner
    assert "Pricing call" not in manager


def test_bad_event_gives_exit_1_and_a_data_quality_entry():
    result = invoke("audit", *audit_args("bad_event.ics", "--format", "markdown"))
    assert result.exit_code == 1
    assert '"Broken date"' in result.stdout  # in the report itself, not only on stderr
    assert "bad@test" not in result.stdout  # named by its title, never by its UID
    assert "could not be read" in result.stderr


def test_one_unreadable_file_of_two_gives_exit_1(tmp_path):
    (tmp_path / "empty.ics").write_bytes(b"")
    shutil.copy(FIXTURES / "overlaps.ics", tmp_path / "good.ics")
    result = invoke("audit", "--ics", str(tmp_path), "--routine", ROUTINE, "--week", "2026-W45")
    assert result.exit_code == 1
    assert "empty.ics" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ics", "nope.ics", "--routine", ROUTINE], "nope.ics: no such file or folder"),
        (
            ["--ics", str(FIXTURES / "overlaps.ics"), "--routine", "missing.yaml"],
            "missing.yaml: file not found",
        ),
        ([*audit_args("overlaps.ics")[:4], "--week", "2026-W99"], "is not an ISO week"),
        ([*audit_args("overlaps.ics")[:4], "--week", "soon"], "is not a week"),
        ([*audit_args("overlaps.ics"), "--tz", "Mars/Base"], "is not a known time zone"),
        (
            [*audit_args("overlaps.ics")[:4], "--start", "2026-11-02"],
            "--start and --end go together",
        ),
        ([*audit_args("overlaps.ics")[:4], "--start", "2026-11-09", "--end", "2026-11-02"], "ends"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args, message):
    result = invoke("audit", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_calendar_exit_2_names_the_file(tmp_path):
    bad = tmp_path / "broken.ics"
    bad.write_text("BEGIN:VCALENDAR\nX\nEND:VCALENDAR\n")
    result = invoke("audit", "--ics", str(bad), "--routine", ROUTINE)
    assert result.exit_code == 2
    assert "broken.ics" in result.stderr and "Traceback" not in result.output


def test_rules_check_and_init(tmp_path):
    result = invoke("rules", "init", str(tmp_path))
    assert result.exit_code == 0
    routine, rules = tmp_path / "routine.yaml", tmp_path / "rules.yaml"
    assert invoke("rules", "check", str(routine), str(rules)).exit_code == 0
    again = invoke("rules", "init", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    routine.write_text(routine.read_text().replace("target: 2\n", "target: many\n", 1))
    result = invoke("rules", "check", str(routine))
    assert result.exit_code == 2
    assert "routine.yaml:" in result.stderr and "commitments[0].target" in result.stderr


def test_rules_check_reports_bad_yaml_with_line(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("kind: rules\nrules:\n  - name: x\n   activity: y\n")
    result = invoke("rules", "check", str(bad))
    assert result.exit_code == 2
    assert "r.yaml:4" in result.stderr and "not valid YAML" in result.stderr


def test_demo_writes_reports(tmp_path):
    result = invoke("demo", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = {p.name for p in Path(tmp_path).iterdir()}
    assert {"team.json", "team.csv"} <= names
    assert sum(name.endswith(".md") for name in names) >= 3
    validate_report(json.loads((tmp_path / "team.json").read_text()))


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "routine_audit", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("routine-audit ")


def test_manager_data_quality_names_the_file_but_not_the_event_or_its_content():
    owner = invoke("audit", *audit_args("bad_event.ics", "--format", "markdown")).stdout
    manager = invoke(
        "audit", *audit_args("bad_event.ics", "--format", "markdown", "--audience", "manager")
    ).stdout
    assert "20261131" in owner  # the parser's detail quotes the broken value
    assert "Broken date" in owner
    assert "bad\\_event.ics" in manager or "bad_event.ics" in manager
    assert "event skipped" in manager
    assert "20261131" not in manager
    assert "bad@test" not in manager  # UIDs can carry titles or addresses
    assert "Broken date" not in manager  # titles are the rep's


@pytest.fixture
def feed_server():
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_audit_a_feed_url(feed_server):
    body = (FIXTURES / "overlaps.ics").read_bytes()
    feed_server.expect_request("/cal/private-secret/basic.ics").respond_with_data(
        body, content_type="text/calendar"
    )
    url = feed_server.url_for("/cal/private-secret/basic.ics")
    result = invoke("audit", "--ics", url, "--routine", ROUTINE, "--week", "2026-W45", "-f", "json")
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert next(c for c in rep["commitments"] if c["id"] == "prospecting")["scheduled"] == 1.25


def test_feed_errors_are_one_line_and_hide_the_secret(feed_server):
    feed_server.expect_request("/cal/private-secret/basic.ics").respond_with_data("no", status=404)
    url = feed_server.url_for("/cal/private-secret/basic.ics")
    result = invoke("audit", "--ics", url, "--routine", ROUTINE)
    assert result.exit_code == 2
    assert "404" in result.stderr and "private-secret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_rules_check_warns_about_activities_no_rule_assigns(tmp_path):
    routine = tmp_path / "routine.yaml"
    routine.write_text(
        (FIXTURES / "rep_ny.yaml")
        .read_text()
        .replace("activity: prospecting", "activity: prospectng")
    )
    result = invoke("rules", "check", str(routine))
    assert result.exit_code == 0
    assert "'prospectng', which no classification rule assigns" in result.stderr


def test_rewriting_identical_content_leaves_the_file_alone(tmp_path):
    from routine_audit.atomic import write_text_atomic

    out = tmp_path / "report.md"
    write_text_atomic(out, "same text ✓\n")
    before = out.stat()
    write_text_atomic(out, "same text ✓\n")
    assert out.stat().st_ino == before.st_ino  # not replaced: a re-run costs no write
    write_text_atomic(out, "same text ✗\n")  # same length in bytes, other content
    assert out.read_text() == "same text ✗\n"
    assert out.stat().st_ino != before.st_ino
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_files_written_from_several_threads_keep_the_umask(tmp_path, monkeypatch):
    """Reading the umask by setting it is racy across threads (one thread could leave it
    at 0, making later files world-writable): where the system says it, it is only read."""
    import os
    import stat
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from routine_audit import atomic

    atomic._umask.cache_clear()
    if sys.platform.startswith("linux"):

        def no_setting(mask):
            raise AssertionError("os.umask called while writing reports")

        monkeypatch.setattr(atomic.os, "umask", no_setting)
    mask = atomic._umask()
    with ThreadPoolExecutor(8) as pool:
        paths = list(
            pool.map(lambda i: atomic.write_text_atomic(tmp_path / f"r{i}.md", "x\n"), range(40))
        )
    modes = {stat.S_IMODE(p.stat().st_mode) for p in paths}
    assert modes == {0o666 & ~mask}
    monkeypatch.undo()
    assert os.umask(mask) == mask  # the process's umask is unchanged


# Found in the first review of the audit pipeline (issue 3; was test_review_regressions.py)


def test_empty_ics_path_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["audit", "--ics", "", "--routine", str(FIXTURES / "rep_ny.yaml")])
    assert result.exit_code == 2 and "empty path" in result.stderr


def test_a_routine_without_rep_cannot_be_audited(tmp_path):
    team_default = tmp_path / "team.yaml"
    team_default.write_text("kind: routine\nversion: 1\ntimezone: UTC\n")
    args = ["audit", "--ics", str(FIXTURES / "overlaps.ics"), "--routine", str(team_default)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "rep.email" in result.stderr


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("timezone: UTC\nholidays: [2026-02-30]\n", "not valid YAML"),
        ("timezone: UTC\ncommitments: [{id: x, activity: x, target: .inf}]\n", "target"),
        ("timezone: UTC\nholidays: [2026-13-01]\n", "not valid YAML"),
    ],
)
def test_bad_values_are_one_line_errors(tmp_path, yaml_text, message):
    path = routine_file(tmp_path, yaml_text)
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("output", ["", "."])
def test_bad_output_paths_are_usage_errors(tmp_path, output, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [
        "audit",
        "--ics",
        str(FIXTURES / "overlaps.ics"),
        "--routine",
        str(FIXTURES / "rep_ny.yaml"),
    ]
    result = runner.invoke(app, [*args, "--week", "2026-W45", "--output", output])
    assert (result.exit_code == 2 and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    assert "Traceback" not in result.output


def test_rules_init_on_a_file_and_far_away_years(tmp_path):
    existing = tmp_path / "a.ics"
    existing.write_text("x")
    result = runner.invoke(app, ["rules", "init", str(existing)])
    assert result.exit_code == 2 and "not a folder" in result.stderr
    args = [
        "audit",
        "--ics",
        str(FIXTURES / "overlaps.ics"),
        "--routine",
        str(FIXTURES / "rep_ny.yaml"),
    ]
    for start, end in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")):
        result = runner.invoke(app, [*args, "--start", start, "--end", end])
        assert result.exit_code == 2 and "1900-2199" in result.stderr
