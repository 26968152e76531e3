"""Issue 22, section 1: `routine-audit history` shows the team (reps x weeks) and one
rep (commitments x weeks, rolling figures, streaks) in every format, gaps as gaps."""

from __future__ import annotations

import csv
import io
import json
import textwrap

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from tests.trends_history import ANA, BEN, TEAM, build

RUNNER = CliRunner()


@pytest.fixture
def team(tmp_path):
    db = tmp_path / "history.sqlite"
    build(db)
    path = tmp_path / "team.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            kind: team
            name: {TEAM}
            timezone: Europe/London
            db: history.sqlite
            routine: routine.yaml
            reps:
              - email: {ANA}
                name: Ana
                calendar: {{type: ics, location: ana.ics}}
              - email: {BEN}
                name: Ben
                calendar: {{type: ics, location: ben.ics}}
            """
        )
    )
    (tmp_path / "routine.yaml").write_text(
        "kind: routine\ntimezone: Europe/London\ncommitments: []\n"
    )
    return path


def invoke(*args: str):
    return RUNNER.invoke(app, list(args))


def test_team_table_is_reps_by_weeks_with_gaps(team):
    result = invoke("history", "--config", str(team), "--weeks", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "sales: overall adherence by week" in out
    assert "2026-W39" in out and "2026-W41" in out and "2026-W38" not in out
    ana = next(line for line in out.splitlines() if line.startswith("Ana"))
    assert ana.split()[1:] == ["100%", "100%", "88%"]  # W41: (100% + 75%) / 2 = 87.5%
    ben = next(line for line in out.splitlines() if line.startswith("Ben"))
    # W39 not recorded, W40 (60% + 100%) / 2, W41 busy/free only: never 0%
    assert ben.split()[1:] == ["not", "recorded", "80%", "busy/free"]


def test_team_one_commitment_csv_and_json(team):
    result = invoke(
        "history", "--config", str(team), "--weeks", "2", "--commitment", "prospecting",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["rep"], r["week"], r["judged"], r["coverage"], r["adherence"]) for r in rows] == [
        (ANA, "2026-W40", "yes", "ok", "1.0"),
        (ANA, "2026-W41", "yes", "ok", "1.0"),
        (BEN, "2026-W40", "yes", "ok", "0.6"),
        (BEN, "2026-W41", "no", "free_busy", ""),
    ]
    result = invoke("history", "--config", str(team), "--weeks", "2", "--format", "json")
    document = json.loads(result.stdout)
    assert document["weeks"] == ["2026-W40", "2026-W41"]
    assert document["commitment"] is None
    ben = document["reps"][1]
    assert ben["weeks"][1] == {
        "week": "2026-W41", "judged": False, "coverage": "free_busy", "adherence": None,
    }  # fmt: skip
    assert ben["weeks"][0]["adherence"] == 0.8


def test_rep_table_shows_weeks_rolling_streaks_and_weekdays(team):
    result = invoke("history", "--config", str(team), "--rep", ANA, "--weeks", "4")
    assert result.exit_code == 0, result.output
    out = result.stdout
    prospecting = [line for line in out.splitlines() if line.startswith("prospecting")]
    # the weeks W38..W41: W38 stale is "no data", never 0%
    assert prospecting[0].split()[1:] == ["no", "data", "100%", "100%", "100%"]
    # as of W41: 4 wk 100% over 3 weeks, 8 wk 95% (6), 12 wk 91% (9); survival 88% (2) /
    # 70% (3) / 70% (3); streak 4, best 4; Monday and Thursday fail most, 3 of 9 each
    assert prospecting[1].split()[1:] == [
        "100%", "(3)", "95%", "(6)", "91%", "(9)", "88%", "(2)", "/", "70%", "(3)", "/",
        "70%", "(3)", "4", "(best", "4)", "Mon,", "Thu", "(3", "of", "9)",
    ]  # fmt: skip
    meetings = [line for line in out.splitlines() if line.startswith("client-meetings")]
    assert meetings[1].split()[-4:] == ["0", "(best", "8)", "–"]


def test_rep_csv_and_json(team):
    result = invoke(
        "history", "--rep", ANA, "--config", str(team), "--weeks", "12", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    w32 = next(r for r in rows if r["commitment"] == "prospecting" and r["week"] == "2026-W32")
    assert (w32["judged"], w32["coverage"], w32["adherence"], w32["rolling_4"]) == (
        "no", "empty", "", "",
    )  # fmt: skip
    w36 = next(r for r in rows if r["commitment"] == "prospecting" and r["week"] == "2026-W36")
    assert (w36["adherence"], w36["met"], w36["rolling_4"]) == ("0.9", "no", "0.9")
    result = invoke("history", "--rep", ANA, "--config", str(team), "--format", "json")
    document = json.loads(result.stdout)
    prospecting = document["commitments"][0]
    assert prospecting["streak"] == 4 and prospecting["best_streak"] == 4
    assert prospecting["fails_most"] == ["Mon", "Thu"]
    assert prospecting["rolling"][0] == {
        "weeks": 4, "adherence": 1.0, "weeks_with_adherence": 3, "survival": 0.875,
        "weeks_with_plan": 2,
    }  # fmt: skip
    w39 = next(w for w in prospecting["weeks"] if w["week"] == "2026-W39")
    assert (w39["planned_hours"], w39["survived_hours"], w39["survival"]) == (10.0, 7.5, 0.75)


def test_todays_usage_still_works(team):
    db = team.parent / "history.sqlite"
    result = invoke("history", "--rep", ANA.upper(), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert f"{ANA}: adherence by week" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --rep EMAIL, or --config TEAM"),
        (("--weeks", "0", "--rep", ANA), "--weeks must be at least 1"),
        (("--commitment", "gym", "--rep", ANA), "no commitment 'gym'"),
    ],
)
def test_usage_errors(team, args, message):
    db = team.parent / "history.sqlite"
    result = invoke("history", "--db", str(db), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_team_with_no_history_says_so(team, tmp_path):
    from routine_audit.history import History

    empty = tmp_path / "empty.sqlite"
    History(empty).close()
    result = invoke("history", "--config", str(team), "--db", str(empty))
    assert result.exit_code == 0
    assert result.stdout == f"no history for the team {TEAM} in {empty}\n"
