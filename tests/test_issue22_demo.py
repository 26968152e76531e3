"""Issue 22, section 3: a demo that shows the cadence. `routine-audit demo` builds a
sample history of the five weeks before the sample week (one rep improving, one
slipping, each week's plan, one agreed action) and runs the sample week with it. The
figures are worked by hand in tests/golden/sample_week.json ("weeks", with its notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config.load import load_team
from routine_audit.demo import HISTORY_FILE, sample_team_file
from routine_audit.history import History
from routine_audit.sample_weeks import sample_weeks, write_week
from routine_audit.survival import plan_vs_survived, week_plan
from routine_audit.team.runner import audit_team, team_period

GOLDEN = json.loads((Path(__file__).parent / "golden" / "sample_week.json").read_text())
WEEKS = GOLDEN["weeks"]
DANA, SAM = "dana@northwind.example", "sam@northwind.example"


@pytest.fixture
def demo(demo_reports):
    """The folder of `routine-audit demo` (conftest: run once, never from the cache)."""
    return demo_reports[1]


def adherence(db: Path, rep: str, commitment: str) -> dict[str, float]:
    with History(db, create=False) as history:
        points = history.trend(rep, weeks=8, until="2026-W45")
    return {p.week: round(p.adherence, 4) for p in points if p.commitment == commitment}


def test_the_demo_weeks_are_eight_in_a_row():
    assert sample_weeks() == [
        "2026-W38", "2026-W39", "2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44",
        "2026-W45",
    ]  # fmt: skip


def test_one_rep_improves_and_one_slips(demo):
    db = demo / HISTORY_FILE
    assert adherence(db, DANA, "prospecting") == WEEKS[DANA]["prospecting_adherence"]
    assert adherence(db, SAM, "gym") == WEEKS[SAM]["gym_adherence"]
    assert adherence(db, SAM, "client-meetings") == WEEKS[SAM]["client_meetings_adherence"]


@pytest.mark.parametrize("week", sorted(WEEKS[DANA]["prospecting_survival"]))
def test_each_week_has_its_plan_and_what_survived(demo, week, tmp_path):
    """Dana's prospecting against the plan taken on each Monday at 07:00 (the meetings
    added at 08:00 took one planned hour each)."""
    team = load_team(sample_team_file())
    back = sample_weeks()[::-1].index(week)
    folder = tmp_path / week
    actual = load_team(write_week(team, folder, back, plan_at=None)) if back else team
    (outcome,) = audit_team(actual, team_period(actual, week=week), only=DANA)
    with History(demo / HISTORY_FILE, create=False) as history:
        plan = week_plan(history, team=team.name, week=week, rep=DANA)
    assert plan is not None and plan.before_start
    review = plan_vs_survived(plan, outcome.result)
    (prospecting,) = [c for c in review.commitments if c.id == "prospecting"]
    assert prospecting.planned_seconds == 10 * 3600
    assert prospecting.survival == pytest.approx(WEEKS[DANA]["prospecting_survival"][week])


def test_the_last_weeks_agenda_opens_with_the_action_agreed_the_week_before(demo):
    sam = (demo / "sam-at-northwind.example-agenda.md").read_text()
    agreed = sam.split("## What we agreed")[1].split("## Plan")[0]
    assert "\n".join(WEEKS[SAM]["agenda_lines"][1:]) in agreed
    assert f"{WEEKS[SAM]['agenda_lines'][0]}\n" in sam.split("## Wins")[1]
    with History(demo / HISTORY_FILE, create=False) as history:
        (row,) = history.agreed_rows()
    assert row[3] == "2026-W45" and row[6] == "2026-10-30T15:00:00+00:00"  # Fri of W44
    # the rep's words open it; wins carry the streaks
    assert "Tell me straight when the gym slips" in sam.split("## Wins")[0]
    dana = (demo / "dana-at-northwind.example-agenda.md").read_text()
    for line in WEEKS[DANA]["agenda_lines"]:
        assert f"{line}\n" in dana
    # the sample week's run (as on Mon 09 Nov 07:00) checks the week ahead: readiness per
    # commitment, and slots proposed for its gaps (issue 21): Sam's follow-up series runs
    # Monday to Thursday, so Friday's 45 min is to book, first in its 13:00 window
    assert "- gym: 3 of 3 blocks blocked out; nothing left to book" in sam
    proposals = sam.split("## Next week: proposals")[1].split("## What we agree")[0]
    assert "- Fri 13 Nov 13:00–13:45 follow-up: 45 min of follow-up still to book" in proposals


def test_the_demo_never_touches_the_users_history(tmp_path, monkeypatch):
    """The sample history lives in the output folder, made anew on every run."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    out = tmp_path / "demo"
    out.mkdir()
    with History(out / HISTORY_FILE) as stale:  # a sample history left by an earlier run
        stale.add_agreed(team="Northwind Sample Team", rep=SAM, week="2026-W44",
                         commitment=None, text="from an earlier run")  # fmt: skip
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not home.exists()
    with History(out / HISTORY_FILE, create=False) as history:
        assert len(history.agreed_rows()) == 1  # replaced, not added to
    assert "Sam Demoson: 1:1 agenda for 2026-W45" in result.output
    assert "Northwind Sample Team: overall adherence by week" in result.output
    assert "sam@northwind.example: adherence by week" in result.output


def test_the_demo_pages_show_the_heatmap_and_rolling_lines_in_chromium(demo, tmp_path):
    """The team page's reps × weeks heatmap (golden "heatmap_overall", worked by hand)
    and each rep page's rolling line, as headless Chromium loads them."""
    import re

    from test_html import _browser, _chromium, _png_rows

    binary = _chromium()
    team = _browser(binary, tmp_path / "profile", "--dump-dom", (demo / "index.html").as_uri())
    heatmap = team.stdout.split('class="heatmaps"', 1)[1].split("</section>", 1)[0]
    overall = heatmap.split('data-commitment="overall"', 1)[1].split("</table>", 1)[0]
    weeks = re.findall(r'<th class="col" scope="col">([^<]+)</th>', overall)
    assert weeks == sample_weeks()
    for row in overall.split("<tr data-rep=")[1:]:
        name = re.search(r"<th[^>]*>([^<]+)</th>", row)[1]
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if name in WEEKS["heatmap_overall"]:
            assert cells == WEEKS["heatmap_overall"][name], name
    assert 'href="sam-at-northwind.example.html"' in overall  # this week's cell links
    rep = _browser(binary, tmp_path / "profile", "--dump-dom",
                   (demo / "dana-at-northwind.example.html").as_uri())  # fmt: skip
    trend = rep.stdout.split('class="trend-section"', 1)[1].split("</section>", 1)[0]
    assert trend.count('class="rolling"') >= 5  # one line per commitment, unbroken
    assert "prospecting: adherence 2026-W38 30%" in trend
    for name in ("index.html", "dana-at-northwind.example.html"):
        png = tmp_path / f"{name}.png"
        size = ("--window-size=1280,2400", "--hide-scrollbars")
        _browser(binary, tmp_path / "profile", f"--screenshot={png}", *size, (demo / name).as_uri())
        width, height, rows = _png_rows(png)
        assert (width, height) == (1280, 2400) and len(set(rows)) > 100, name


def test_an_older_open_action_shows_each_week_since(demo, tmp_path):
    """An action for Dana's prospecting agreed for 2026-W43 and still open: the W45
    agenda (the command, on a copy of the demo's history) sets it beside each week since,
    by hand from the golden "weeks": adherence 80%, 90%, 100%; survival 8 of 10 h, 9 of
    10 h, and this week 10 h of 10 h."""
    import shutil

    db = tmp_path / "history.sqlite"
    shutil.copy(demo / HISTORY_FILE, db)
    team = sample_team_file()
    agreed = CliRunner().invoke(app, [
        "agree", "--config", str(team), "--db", str(db), "--rep", DANA, "--week", "2026-W43",
        "--commitment", "prospecting", "Two calls before any meeting on Monday",
    ])  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    result = CliRunner().invoke(app, [
        "agenda", "--config", str(team), "--db", str(db), "--rep", DANA, "--week", "2026-W45",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "- \\#2 prospecting (for 2026-W43, open): Two calls before any meeting on Monday\n"
        "  - adherence since: 2026-W43 80%, 2026-W44 90%, 2026-W45 100%; this week met; "
        "survival before this week: 2026-W43 80%, 2026-W44 90%; "
        "survival this week 100% (10 h of 10 h planned)\n"
    ) in result.output
