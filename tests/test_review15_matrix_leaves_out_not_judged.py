"""Review of issue 15: a rep whose week holds no calendar data is "left out of the
roll-up's Biggest gaps and its adherence matrix and listed apart" (docs/audit.md). The
matrix still had a row for them, with empty cells (and, on the team page, a tooltip
"0 min of 2 h"), in the terminal, the Markdown roll-up and index.html.

Quinn's calendar stops on Fri 2026-10-16, so Quinn's 2026-W45 is stale; Dana's is ok.
"""

from __future__ import annotations

import re

from test_issue15_not_judged import WEEK, make_team, runner

from routine_audit.cli import app


def test_the_adherence_matrix_leaves_out_a_rep_without_calendar_data(tmp_path):
    team = make_team(tmp_path / "team")
    args = ["team", "audit", "--config", str(team), "--week", WEEK]
    markdown = runner.invoke(app, [*args, "--format", "markdown"]).stdout
    matrix = markdown.partition("## Adherence")[2].partition("## Biggest gaps")[0]
    assert "Dana" in matrix and "Quinn" not in matrix
    assert "**Quinn**: no calendar data this week" in markdown  # listed apart
    terminal = runner.invoke(app, args).stdout
    table = terminal.partition("Biggest gaps")[0]
    assert "Dana" in table and "Quinn" not in table
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "o")]).exit_code == 1
    page = (tmp_path / "o" / "index.html").read_text()
    rows = re.findall(r'<tr class="rep-row" data-rep="([^"]+)">', page)
    assert rows == ["dana@northwind.example"]
    assert "newest event Fri 16 Oct 2026" in page
