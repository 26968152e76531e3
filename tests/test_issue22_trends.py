"""Issue 22, section 1: trends from the history, each figure worked by hand on the
history of tests/trends_history.py (its table lists every week)."""

from __future__ import annotations

import pytest

import routine_audit as ra
from routine_audit import trends
from routine_audit.history import History
from tests.trends_history import ANA, BEN, TEAM, build


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "history.sqlite"
    build(path)
    with History(path, create=False) as opened:
        yield opened


def _ana(history, **options):
    return ra.rep_trends(history, ANA, team=TEAM, **options)


def _commitment(found, cid):
    return next(c for c in found.commitments if c.id == cid)


def test_weeks_shown_are_calendar_weeks_ending_with_the_latest(history):
    found = _ana(history, weeks=4)
    assert found.weeks == ("2026-W38", "2026-W39", "2026-W40", "2026-W41")
    assert found.name == "Ana"
    assert [c.id for c in found.commitments] == ["prospecting", "client-meetings"]


def test_gaps_are_shown_as_gaps_never_as_zero(history):
    p = _commitment(_ana(history, weeks=12), "prospecting")
    by_week = {w.week: w for w in p.weeks}
    # W32 empty, W35 not recorded, W38 stale: gaps with no figure at all
    assert (by_week["2026-W32"].judged, by_week["2026-W32"].coverage) == (False, "empty")
    assert (by_week["2026-W35"].judged, by_week["2026-W35"].coverage) == (False, None)
    assert (by_week["2026-W38"].judged, by_week["2026-W38"].coverage) == (False, "stale")
    for week in ("2026-W32", "2026-W35", "2026-W38"):
        assert by_week[week].adherence is None
        assert by_week[week].met is None
        assert by_week[week].rolling == ()


def test_rolling_adherence_leaves_gaps_out(history):
    p = _commitment(_ana(history, weeks=12), "prospecting")
    four, eight, twelve = p.rolling
    # W38..W41: W38 stale is left out; W39, W40, W41 all 100%: 3 weeks
    assert (four.weeks, four.adherence, four.weeks_with_adherence) == (4, 1.0, 3)
    # W34..W41: 0.8, (W35 none), 0.9, 1, (W38 stale), 1, 1, 1 = 5.7 / 6 = 0.95
    assert eight.adherence == pytest.approx(5.7 / 6) and eight.weeks_with_adherence == 6
    # W30..W41: 1 + 0.5 + 1 + 0.8 + 0.9 + 1 + 1 + 1 + 1 = 8.2 over 9 judged weeks
    assert twelve.adherence == pytest.approx(8.2 / 9) and twelve.weeks_with_adherence == 9
    # the series: at W36 the 4-week window W33..W36 holds 1.0, 0.8, (W35), 0.9 = 2.7 / 3
    w36 = next(w for w in p.weeks if w.week == "2026-W36")
    assert w36.rolling[0] == pytest.approx(0.9)
    # at W31 the 4-week window W28..W31 holds only W30 (1.0) and W31 (0.5): 0.75
    w31 = next(w for w in p.weeks if w.week == "2026-W31")
    assert w31.rolling[0] == pytest.approx(0.75)


def test_rolling_survival_sums_seconds_over_weeks_with_a_plan(history):
    p = _commitment(_ana(history, weeks=12), "prospecting")
    four, eight, _ = p.rolling
    # W39 27000 of 36000, W40 36000 of 36000; W41 had no plan: 63000 / 72000
    assert (four.survival, four.weeks_with_plan) == (pytest.approx(0.875), 2)
    # W37 adds 0 of 18000: 63000 / 90000
    assert (eight.survival, eight.weeks_with_plan) == (pytest.approx(0.7), 3)
    w39 = next(w for w in p.weeks if w.week == "2026-W39")
    assert w39.survival == pytest.approx(0.75)
    assert next(w for w in p.weeks if w.week == "2026-W41").survival is None


def test_streaks_skip_gaps(history):
    p = _commitment(_ana(history, weeks=4), "prospecting")
    # met W41, W40, W39, (W38 stale: skipped), W37; W36 at 90% ends it: 4 weeks
    assert p.streak == 4
    # before: W33 alone (W34 80%), W30 alone (W31 50%): 4 is the longest
    assert p.best_streak == 4
    meetings = _commitment(_ana(history, weeks=4), "client-meetings")
    # W41 6 of 8 meetings: not met; before it W30..W40's judged weeks all met: 8 weeks
    # (W30, W31, W33, W34, W36, W37, W39, W40)
    assert (meetings.streak, meetings.best_streak) == (0, 8)


def test_streak_ends_at_an_earlier_last_week(history):
    p = _commitment(_ana(history, weeks=4, until="2026-W34"), "prospecting")
    # up to W34: W30 met, W31 not, (W32 empty), W33 met, W34 80%: current 0, best 1
    assert (p.streak, p.best_streak) == (0, 1)
    assert p.weeks[-1].week == "2026-W34"


def test_weekdays_that_fail_most(history):
    p = _commitment(_ana(history, weeks=4), "prospecting")
    days = {d.weekday: (d.judged, d.failed) for d in p.weekdays}
    # the 12 weeks W30..W41 hold 9 judged weeks (W32 empty and W38 stale: their days
    # of 0 h never count), each judging Monday to Friday
    assert days == {
        0: (9, 3),  # Mon: W31 0 h, W34 1 h, W36 1.5 h
        1: (9, 0),
        2: (9, 0),
        3: (9, 3),  # Thu: W31 0 h, W34 1 h, W36 1.5 h
        4: (9, 1),  # Fri: W31 1 h
    }
    assert p.fails_most == (0, 3)  # a tie: both, Monday first
    # a per: week commitment's days are not judged alone
    assert _commitment(_ana(history, weeks=4), "client-meetings").weekdays == ()
    assert _commitment(_ana(history, weeks=4), "client-meetings").fails_most == ()


def test_one_commitment(history):
    found = _ana(history, weeks=2, commitment="client-meetings")
    assert [c.id for c in found.commitments] == ["client-meetings"]
    assert [w.adherence for w in found.commitments[0].weeks] == [1.0, 0.75]


def test_team_reps_by_weeks_overall_and_one_commitment(history):
    reps = [(ANA, "Ana"), (BEN, "Ben"), ("cy@example.com", "Cy")]
    team = ra.team_trends(history, reps, weeks=3, team=TEAM)
    assert team.weeks == ("2026-W39", "2026-W40", "2026-W41")
    ana, ben, cy = team.rows
    # overall: the mean of the week's commitments' adherence: W41 (1.0 + 0.75) / 2
    assert [c.adherence for c in ana.cells] == [1.0, 1.0, pytest.approx(0.875)]
    # Ben: W39 not recorded, W40 (0.6 + 1.0) / 2, W41 busy/free only: a gap
    assert [(c.judged, c.coverage, c.adherence) for c in ben.cells] == [
        (False, None, None),
        (True, "ok", pytest.approx(0.8)),
        (False, "free_busy", None),
    ]
    assert not any(c.judged for c in cy.cells)
    one = trends.team_trends(history, reps, weeks=3, team=TEAM, commitment="prospecting")
    assert [c.adherence for c in one.rows[1].cells] == [None, 0.6, None]


def test_an_older_history_upgrades_and_reads_without_day_or_plan_figures(tmp_path):
    """Weeks recorded before the trends migration have no per-day or plan rows: no
    weekday and no survival figures, the rest as before."""
    import sqlite3

    from routine_audit.history import MIGRATIONS, _add_trend_figures_v7
    from tests.test_history import fake_result

    path = tmp_path / "h.sqlite"
    with History(path) as history:
        history.record(team=TEAM, week="2026-W45", result=fake_result(prospecting=8.0))
    db = sqlite3.connect(path)
    db.execute("DROP TABLE commitment_day")
    db.execute("DROP TABLE commitment_plan")
    db.execute(f"PRAGMA user_version = {MIGRATIONS.index(_add_trend_figures_v7)}")  # before it
    db.commit()
    db.close()
    with History(path) as history:
        found = trends.rep_trends(history, "ana@example.com", weeks=1)
    p = _commitment(found, "prospecting")
    assert p.weeks[0].adherence == pytest.approx(0.8)
    assert p.weekdays == () and p.rolling[0].survival is None
