"""Issue 22, section 1, in a team run: the sample team run for 2026-W45 then 2026-W46
with a history (the scenario of tests/test_plan_survival_run.py: Dana's W46 plan of
prospecting loses blocks). The run records each week's per-day and plan figures; the
team page gains the reps × weeks heatmap, its cells linking to each week's rep page;
the rep page's trend draws the rolling line. Checked in headless Chromium too.

Dana's prospecting in 2026-W46 (2 h every weekday), by hand: Mon 2 h; Tue 1 h (Acme
10:00-11:00 on top of 09:00-11:00); Wed 0 h (the instance deleted); Thu 1 h 30 min (a
call 09:30-10:00 on top); Fri 2 h (09:00-11:00; the added 14:00-15:00 block is outside
the window but counts: 3 h). Failed days: Tue, Wed, Thu. Plan: 32400 s planned,
23400 s survived (survival 0.7222).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest
from test_html import _browser, _chromium, _png_rows
from test_plan_survival_run import two_weeks  # noqa: F401 (the module's fixture)
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.config.load import load_team
from routine_audit.history import History

DANA = "dana@northwind.example"
PAGE = "dana-at-northwind.example.html"


def test_the_run_records_per_day_and_plan_figures(two_weeks):  # noqa: F811
    with History(two_weeks / "history.sqlite", create=False) as history:
        [w46] = history.recorded_weeks(first="2026-W46", last="2026-W46", rep=DANA)
    days = {day: scheduled for c, day, target, scheduled in w46.days if c == "prospecting"}
    assert days == {
        date(2026, 11, 9): 2.0,
        date(2026, 11, 10): 1.0,
        date(2026, 11, 11): 0.0,
        date(2026, 11, 12): 1.5,
        date(2026, 11, 13): 3.0,
    }
    assert ("prospecting", 32400, 23400, 3600) in w46.plan


def test_history_shows_the_runs_survival_and_failing_days(two_weeks):  # noqa: F811
    result = CliRunner().invoke(
        app,
        [
            "history",
            "--config",
            str(two_weeks / "team.yaml"),
            "--db",
            str(two_weeks / "history.sqlite"),
            "--rep",
            DANA,
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    prospecting = next(
        c for c in json.loads(result.stdout)["commitments"] if c["id"] == "prospecting"
    )
    w46 = prospecting["weeks"][-1]
    assert (w46["week"], w46["planned_hours"], w46["survived_hours"]) == ("2026-W46", 9.0, 6.5)
    assert w46["survival"] == 0.7222  # 23400 / 32400
    failed = {d["weekday"]: d["failed"] for d in prospecting["weekdays"]}
    # W46 fails Tue, Wed, Thu; whatever W45 adds, each of those failed at least once
    assert failed["Tue"] >= 1 and failed["Wed"] >= 1 and failed["Thu"] >= 1


def _heatmap(page: str) -> str:
    return page.split('<section class="heatmaps">', 1)[1].split("</section>", 1)[0]


def test_team_page_heatmap_links_each_week_to_its_rep_page(two_weeks):  # noqa: F811
    page = (two_weeks / "out" / "2026-W46" / "index.html").read_text()
    heatmap = _heatmap(page)
    panels = re.findall(r'data-commitment="([^"]+)"', heatmap)
    assert panels[0] == "overall" and "prospecting" in panels and "gym" in panels
    radios = re.findall(r'<input type="radio" name="heatmap"[^>]*>', heatmap)
    assert len(radios) == len(panels) and "checked" in radios[0]
    assert not any("checked" in radio for radio in radios[1:])
    assert "<script" not in page
    # this week's cell: the page beside it; last week's: in its own week's folder
    assert f'href="{PAGE}"' in heatmap
    assert f'href="../2026-W45/{PAGE}"' in heatmap
    assert (two_weeks / "out" / "2026-W45" / PAGE).is_file()
    # the 8 weeks W39..W46 from the first any rep has recorded: W45 and W46
    assert re.findall(r'<th class="col" scope="col">([^<]+)</th>', heatmap)[:2] == [
        "2026-W45",
        "2026-W46",
    ]


def test_heatmap_shows_gaps_as_gaps(tmp_path):
    """On the hand-built history (tests/trends_history.py): Ana's W38 is stale, Ben's W39
    not recorded and W41 busy/free only."""
    from test_html import LINKS, _parse, _team

    from routine_audit.report.heatmap import team_heatmap
    from routine_audit.report.html import render_team
    from routine_audit.trends import team_panels
    from tests.trends_history import ANA, BEN, TEAM, build

    build(tmp_path / "h.sqlite")
    with History(tmp_path / "h.sqlite", create=False) as history:
        panels = team_panels(history, [(ANA, "Ana"), (BEN, "Ben")], weeks=4, team=TEAM)
    heatmap = team_heatmap(panels, lambda email, week: f"../{week}/{email[:3]}.html")
    assert heatmap is not None and heatmap.weeks == ("2026-W38", "2026-W39", "2026-W40", "2026-W41")
    page = render_team(_team(), LINKS, heatmap=heatmap)
    _parse(page)  # every element closed in order
    overall = _heatmap(page).split('data-commitment="overall"', 1)[1].split("</table>", 1)[0]
    ana, ben = overall.split("<tr data-rep=")[1:]
    cells = r'<td class="cell band-(\w+)" title="[^"]*"><a href="([^"]+)">(.*?)</a></td>'
    assert re.findall(cells, ana) == [
        ("gap", "../2026-W38/ana.html", "no data"),  # stale: never 0%
        ("good", "../2026-W39/ana.html", "100%"),
        ("good", "../2026-W40/ana.html", "100%"),
        ("fair", "../2026-W41/ana.html", "88%"),  # (100% + 75%) / 2
    ]
    assert [(band, text) for band, _, text in re.findall(cells, ben)] == [
        ("gap", "–"),  # not recorded
        ("gap", "–"),
        ("fair", "80%"),  # (60% + 100%) / 2
        ("gap", "busy/free"),
    ]
    panels_shown = re.findall(r'data-commitment="([^"]+)"', _heatmap(page))
    assert panels_shown == ["overall", "prospecting", "client-meetings"]


def test_a_folder_not_named_after_its_week_links_this_week_only(two_weeks, tmp_path):  # noqa: F811
    folder = tmp_path / "team"
    shutil.copytree(two_weeks, folder, ignore=shutil.ignore_patterns("out"))
    team = load_team(folder / "team.yaml")
    ra.run_team(team, week="2026-W46", out=folder / "reports", db=folder / "history.sqlite")
    heatmap = _heatmap((folder / "reports" / "index.html").read_text())
    assert f'href="{PAGE}"' in heatmap
    assert "../2026-W45/" not in heatmap


def test_rep_page_trend_draws_the_rolling_line(two_weeks):  # noqa: F811
    page = (two_weeks / "out" / "2026-W46" / PAGE).read_text()
    trend = page.split('<section class="trend-section">', 1)[1].split("</section>", 1)[0]
    assert 'class="rolling"' in trend
    assert "rolling 4-week adherence" in trend
    assert "rolling 4 weeks" in trend


def test_pages_with_trends_render_in_chromium(two_weeks, tmp_path):  # noqa: F811
    binary = _chromium()
    folder = two_weeks / "out" / "2026-W46"
    for name in ("index.html", PAGE):
        dom = _browser(binary, tmp_path / "profile", "--dump-dom", (folder / name).as_uri())
        assert "<script" not in dom.stdout.lower()
        if name == "index.html":
            assert 'class="heatmaps"' in dom.stdout and f"../2026-W45/{PAGE}" in dom.stdout
        else:
            assert 'class="rolling"' in dom.stdout
        png = tmp_path / f"{name}.png"
        _browser(
            binary,
            tmp_path / "profile",
            f"--screenshot={png}",
            "--window-size=1280,2400",
            "--hide-scrollbars",
            (folder / name).as_uri(),
        )
        width, height, rows = _png_rows(png)
        assert (width, height) == (1280, 2400)
        assert len(set(rows)) > 100, f"{name} looks blank"


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")


def test_rolling_line_breaks_at_a_gap():
    from routine_audit.report import svg
    from routine_audit.result import TrendPoint
    from routine_audit.trends import chart_weeks

    points = [
        TrendPoint("2026-W40", "p", 10.0, 10.0, 1.0),
        TrendPoint("2026-W41", "p", 10.0, 5.0, 0.5),
        # 2026-W42: no calendar data, so no point
        TrendPoint("2026-W43", "p", 10.0, 10.0, 1.0),
    ]
    weeks = chart_weeks(points, "p", "2026-W43", shown=8)
    # the weeks before W40 hold nothing and are not drawn; W42 is a gap, not 0%
    assert weeks == [
        ("2026-W40", 1.0, 1.0, False),
        ("2026-W41", 0.5, 0.75, False),  # (1.0 + 0.5) / 2
        ("2026-W42", None, None, True),
        ("2026-W43", 1.0, pytest.approx(2.5 / 3), False),  # W40..W43: 1.0, 0.5, 1.0
    ]
    chart = svg.trend_chart([svg.TrendWeek(*w) for w in weeks], label="p", rolling_weeks=4)
    assert chart.count('class="gap"') == 1
    assert chart.count('class="rolling"') == 2  # the line W40-W41, then W43 alone
    assert chart.count("<circle") == 3
