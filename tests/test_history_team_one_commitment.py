"""`history`'s team table for one commitment."""

from __future__ import annotations

from tests.test_issue22_history_command import invoke, team  # noqa: F401


def test_one_commitments_team_table_does_not_call_itself_overall(team):  # noqa: F811
    overall = invoke("history", "--config", str(team), "--weeks", "2")
    assert "overall: the mean of the week's commitments' adherence" in overall.output
    one = invoke("history", "--config", str(team), "--weeks", "2", "--commitment", "prospecting")
    assert one.exit_code == 0, one.output
    assert "sales: prospecting adherence by week" in one.output
    assert "overall" not in one.output


def test_weeks_beyond_ten_years_is_a_one_line_error(team):  # noqa: F811
    result = invoke("history", "--config", str(team), "--weeks", "999999999")
    assert result.exit_code == 2, result.output
    assert "--weeks must be at most 520, not 999,999,999" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
