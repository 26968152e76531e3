"""`agree --done` and the agreed actions read from a hand-edited
history. An id SQLite cannot hold, a timestamp that is not one, or a text holding escape
sequences or line breaks: one-line errors (exit 2) or clean text, never a traceback."""

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


@pytest.fixture
def team_db(tmp_path):
    for path in package_data("sample").iterdir():
        shutil.copy(path, tmp_path / path.name)
    team, db = tmp_path / "team.yaml", tmp_path / "h.sqlite"
    agreed = cli("agree", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45",
                 "--commitment", "gym", "Keep the gym")  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    return team, db


def edit(db, sql: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(sql)
    conn.close()


@pytest.mark.parametrize("action_id", ["99999999999999999999999", "-99999999999999999999999"])
def test_done_with_an_id_sqlite_cannot_hold_is_unknown(team_db, action_id):
    team, db = team_db
    result = cli("agree", "--done", action_id, "--config", team, "--db", db)
    assert result.exit_code == 2, result.output
    assert f"no agreed action #{action_id}" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("column", ["agreed_at", "done_at"])
def test_a_hand_edited_time_is_a_one_line_error(team_db, column):
    team, db = team_db
    edit(db, f"UPDATE agreed_action SET {column} = 'garbage'")
    for args in (["agree", "--list"], ["agenda", "--rep", SAM, "--week", "2026-W45"]):
        result = cli(*args, "--config", team, "--db", db)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "agreed action #1" in result.output and column in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_hand_edited_text_is_cleaned_when_read(team_db):
    team, db = team_db
    edit(db, "UPDATE agreed_action SET text = 'A' || char(27) || ']0;pwned' || char(7)"
             " || char(27) || '[2J' || char(10) || '## Notes'")  # fmt: skip
    listed = cli("agree", "--list", "--config", team, "--db", db)
    assert listed.exit_code == 0, listed.output
    assert listed.output == f"#1 {SAM} 2026-W45 gym open: A ## Notes\n"
    agenda = cli("agenda", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45")
    assert "\x1b" not in agenda.output and "\x07" not in agenda.output
    assert "\n## Notes\n\n" in agenda.output  # only the agenda's own section
    assert agenda.output.count("## Notes") == 2  # its own, and the action's, inline


def test_a_hand_edited_blob_text_is_text(team_db):
    team, db = team_db
    edit(db, "UPDATE agreed_action SET text = CAST('Keep ' || char(27) || '[31mit' AS BLOB)")
    listed = cli("agree", "--list", "--config", team, "--db", db)
    assert listed.output == f"#1 {SAM} 2026-W45 gym open: Keep it\n"
