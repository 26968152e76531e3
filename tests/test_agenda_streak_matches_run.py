"""`routine-audit agenda` tells the same streak as the run's agenda
of the same week. The demo's history holds 2026-W38..W45, Dana's admin within its limit
in each, and within it in 2026-W46 too: nine weeks in a row (the command read only the
seven weeks before, and told eight)."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data


def cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_the_agenda_commands_streak_reads_as_far_back_as_a_run(tmp_path):
    for path in package_data("sample").iterdir():
        shutil.copy(path, tmp_path / path.name)
    assert cli("demo", "--out", tmp_path / "demo").exit_code == 0
    db = tmp_path / "demo" / "sample-history.sqlite"
    result = cli("agenda", "--config", tmp_path / "team.yaml", "--db", db,
                 "--rep", "dana@northwind.example", "--week", "2026-W46")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "- admin: within the limit (0 min of at most 3 h), 9 weeks in a row\n" in result.output
