"""trends read from a hand-edited history. A figure that is not one
(text, out of range, too large for a float sum), an unknown unit or a day that is not a
date: `history` and `agenda` give a one-line error naming the row (exit 2), never a
traceback."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

SAM = "sam@northwind.example"


def cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The sample team with the demo's history (eight weeks, with plans)."""
    folder = tmp_path_factory.mktemp("team")
    for path in package_data("sample").iterdir():
        shutil.copy(path, folder / path.name)
    demo = cli("demo", "--out", folder / "demo")
    assert demo.exit_code == 0, demo.output
    shutil.copy(folder / "demo" / "sample-history.sqlite", folder / "h.sqlite")
    return folder


EDITS = [
    ("UPDATE commitment_result SET adherence = 1e308", "adherence 1e+308 is out of range"),
    ("UPDATE commitment_result SET adherence = 'abc'", "adherence 'abc' is not a number"),
    ("UPDATE commitment_result SET adherence = -5", "adherence -5.0 is out of range"),
    ("UPDATE commitment_result SET unit = 'parsecs'", "unit 'parsecs' is not one of"),
    ("UPDATE commitment_day SET target = 'x'", "day target 'x' is not a number"),
    ("UPDATE commitment_day SET day = 'bad' || rowid", "'bad"),
    ("UPDATE commitment_plan SET planned = 'x'", "planned 'x' is not a number of seconds"),
]


@pytest.mark.parametrize(("sql", "words"), EDITS)
def test_a_hand_edited_figure_is_a_one_line_error(recorded, tmp_path, sql, words):
    db = tmp_path / "h.sqlite"
    shutil.copy(recorded / "h.sqlite", db)
    with sqlite3.connect(db) as conn:
        conn.execute(sql)
    conn.close()
    team = recorded / "team.yaml"
    commands = [
        ["history", "--config", team, "--db", db],
        ["history", "--config", team, "--db", db, "--rep", SAM, "--format", "json"],
    ]
    if "adherence" in sql:  # the agenda's streaks read the recorded adherence
        commands.append(
            ["agenda", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45"]
        )
    for args in commands:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output and "h.sqlite: audit #" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_whole_history_reads_as_before(recorded):
    result = cli("history", "--config", recorded / "team.yaml", "--db", recorded / "h.sqlite",
                 "--rep", SAM)  # fmt: skip
    assert result.exit_code == 0, result.output
