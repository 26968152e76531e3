"""The team roll-up when no rep could be audited (every calendar failed), or when the
adherence matrix has no commitment column: the terminal table kept "Adherence" whole
only while the table was wider than the word (it printed "Adh", "ere", "nce"), the
Markdown matrix had a header of two cells over a delimiter row of one, and the HTML page
said "No gaps: every audited commitment was met." of a team nobody was audited in."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

runner = CliRunner()
WEEK = "2026-W45"
SAMPLE = package_data("sample")
NOBODY = "No rep could be audited: there is no adherence to show."


def invoke(*args: str):
    return runner.invoke(app, list(args))


def team_file(folder: Path, reps: list[str], routine: str = "team-default.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE / "team-default.yaml", folder / "team-default.yaml")
    path = folder / "team.yaml"
    path.write_text(
        "kind: team\nversion: 1\nname: Empty Team\ntimezone: Europe/London\n"
        f"routine: {routine}\nreps:\n" + "".join(f"  - {rep}\n" for rep in reps)
    )
    return path


def failing_team(folder: Path) -> Path:
    """Two reps whose calendar files are empty: neither can be audited."""
    for name in ("ann", "bo"):
        (folder / f"{name}.ics").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.ics").write_bytes(b"")
    return team_file(
        folder,
        [
            "{email: ann@x.example, name: Ann, calendar: {ics: ann.ics}}",
            "{email: bo@x.example, name: Bo, calendar: {ics: bo.ics}}",
        ],
    )


def test_terminal_roll_up_keeps_its_header_and_says_nobody_was_audited(tmp_path):
    result = invoke("team", "audit", "--config", str(failing_team(tmp_path)), "--week", WEEK)
    assert result.exit_code == 3  # no rep could be audited
    lines = result.stdout.splitlines()
    assert "Adherence" in lines and "Adh" not in lines
    assert lines[lines.index("Adherence") + 1] == NOBODY
    assert "Biggest gaps" not in result.stdout  # nothing to rank, no empty table
    assert sum(line.startswith("FAILED ") for line in lines) == 2


def test_markdown_roll_up_says_nobody_was_audited_instead_of_a_broken_table(tmp_path):
    team = failing_team(tmp_path)
    result = invoke("team", "audit", "--config", str(team), "--week", WEEK, "-f", "markdown")
    assert result.exit_code == 3
    assert f"## Adherence\n\n{NOBODY}\n" in result.stdout
    assert "| rep |" not in result.stdout and "## Biggest gaps" not in result.stdout
    assert "## Could not be audited" in result.stdout


def test_html_roll_up_says_nobody_was_audited_and_claims_no_met_commitment(tmp_path):
    team = failing_team(tmp_path)
    result = invoke("run", "--config", str(team), "--week", WEEK, "--no-mail")
    assert result.exit_code == 3
    page = (tmp_path / "reports" / "empty-team" / WEEK / "index.html").read_text()
    assert NOBODY in page
    assert "No gaps" not in page and "Biggest gaps" not in page
    assert "not audited: " in page  # each failed rep keeps its row and reason
    rollup = (tmp_path / "reports" / "empty-team" / WEEK / "rollup.md").read_text()
    assert NOBODY in rollup


def test_a_matrix_without_commitments_keeps_its_title_and_a_well_formed_table(tmp_path):
    """One rep, "Al", whose routine has no commitment: the matrix is a single narrow
    column, narrower than its title."""
    (tmp_path / "none.yaml").write_text(
        "kind: routine\nversion: 1\ntimezone: Europe/London\ncommitments: []\n"
    )
    shutil.copy(SAMPLE / "dana.ics", tmp_path / "al.ics")
    team = team_file(
        tmp_path, ["{email: al@x.example, name: Al, calendar: {ics: al.ics}}"], "none.yaml"
    )
    table = invoke("team", "audit", "--config", str(team), "--week", WEEK)
    assert table.exit_code == 0, table.output
    assert "Adherence" in table.stdout.splitlines()
    markdown = invoke("team", "audit", "--config", str(team), "--week", WEEK, "-f", "markdown")
    assert "## Adherence\n\n| rep |\n|---|\n| Al |\n" in markdown.stdout
