"""Issue 16: an unwritable output folder, log file or database folder is a one-line error
naming the path (exit 2) before any audit or mail; lock, configuration and credential
errors also go to --log, since cron keeps only the log."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.team.lock import run_lock


@pytest.fixture
def team(tmp_path):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    path = folder / "team.yaml"
    path.write_text(path.read_text() + "output_dir: out\n")
    return path


def _run(*args: str):
    return CliRunner().invoke(app, ["run", "--no-mail", "--week", "2026-W45", *args])


def _audited_nothing(result) -> None:
    assert "dana@northwind.example" not in result.output  # no rep's log line: nothing audited


def test_a_reports_folder_that_is_a_file(team, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = _run("--config", str(team), "--out", str(blocker / "week"), "--db",
                  str(tmp_path / "h.sqlite"))  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(blocker / "week") in lines[0]
    _audited_nothing(result)


def test_a_database_folder_that_cannot_be_made(team, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = _run("--config", str(team), "--db", str(blocker / "h.sqlite"))
    assert result.exit_code == 2, result.output
    assert "history database's folder is a file" in result.stderr
    assert str(blocker) in result.stderr
    _audited_nothing(result)


def test_a_log_file_that_cannot_be_written(team, tmp_path):
    log = tmp_path / "logs"
    log.mkdir()
    result = _run("--config", str(team), "--log", str(log), "--db", str(tmp_path / "h.sqlite"))
    assert result.exit_code == 2
    assert f"routine-audit: error: {log}: the log file is a folder" in result.stderr
    _audited_nothing(result)


def test_configuration_and_lock_errors_also_go_to_the_log(team, tmp_path):
    log = tmp_path / "run.log"
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: team\nversion: 1\n")
    assert _run("--config", str(broken), "--log", str(log)).exit_code == 2
    assert str(broken) in log.read_text()
    with run_lock(team.parent / "out"):  # another run holds the lock
        result = _run("--config", str(team), "--log", str(log), "--db", str(tmp_path / "h"))
    assert result.exit_code == 2
    assert "another routine-audit run for this team is in progress" in log.read_text()


def test_a_corrupt_history_database_stops_the_run_before_any_audit(team, tmp_path):
    db = tmp_path / "h.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    result = _run("--config", str(team), "--db", str(db))
    assert result.exit_code == 2, result.output
    assert str(db) in result.stderr
    _audited_nothing(result)
