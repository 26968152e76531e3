"""Review of issue 17: what a manager and a rep read in the demo and in `audit`/`events`.

Each test names one thing a reader stumbled on after issue 17 and drives it through the
public commands: the demo's "Routine:" line showed where the package is installed, the
findings heading read "Findings (2, told as 1 gap)", windows read "mon, tue, wed ...",
questions opened with a lowercase activity, a limit was written four ways, a day with
nothing booked was told on its own line beside the week's line that named it already,
hidden titles read "(client-meeting event)" beside an activity column, and the team
page's legend spoke of arrows it no longer draws.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

runner = CliRunner()
SAMPLE = package_data("sample")
WEEK = "2026-W45"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROUTINE_AUDIT_CACHE", "off")
        out = tmp_path_factory.mktemp("demo")
        return invoke("demo", "--out", str(out)), out


def audit(rep: str, *args: str) -> str:
    return invoke(
        "audit",
        "--ics",
        str(SAMPLE / f"{rep}.ics"),
        "--routine",
        str(SAMPLE / f"{rep}.yaml"),
        "--week",
        WEEK,
        *args,
    )


def test_the_demo_names_its_routines_inside_the_package_not_where_it_is_installed(demo):
    text, out = demo
    assert "Routine: sample/dana.yaml, shipped with routine-audit (sha256 " in text
    markdown = (out / "dana-at-northwind.example.md").read_text()
    assert "`sample/dana.yaml`, shipped with routine-audit" in markdown
    page = (out / "dana-at-northwind.example.html").read_text()
    for shown in (text, markdown, page):
        assert "routine_audit/data" not in shown


def test_the_findings_heading_counts_gaps_and_says_when_findings_were_gathered(demo):
    text, _ = demo
    assert "Gaps (1, from 2 findings)" in text  # Dana: Friday's follow-up
    assert "Gaps (3)\n" in text  # Morgan: one finding per gap
    assert "told as" not in text and "Findings (" not in text


def test_a_window_names_its_days_as_people_write_them(demo):
    text, _ = demo
    assert "1 h outside the committed window (Mon–Fri 09:00–12:00)" in text  # Morgan
    assert "1 h outside the committed window (Fri 13:00–17:30)" in text  # Sam
    assert not re.search(r"\b(mon|tue|wed|thu|fri), ", text)


def test_every_question_opens_with_a_capital(demo):
    text, out = demo
    questions = [line.strip()[2:] for line in text.splitlines() if line.startswith("  - ")]
    questions += [
        line[2:]
        for path in out.glob("*.md")
        for line in path.read_text().splitlines()
        if line.startswith("- ") and line.endswith("?")
    ]
    assert "Prospecting happened outside its planned window: was that a choice or a scramble?" in (
        questions
    )
    assert all(q[:1].isupper() or q[:1] in "0123456789" for q in questions if q.endswith("?"))


def test_a_limit_reads_at_most_in_every_report(demo):
    text, out = demo
    assert re.search(r"admin\s+admin\s+at most 3 h\s+3 h 30 min", text)  # Morgan's table
    assert re.search(r"Morgan Fixture\s+admin\s+3 h 30 min\s+at most 3 h", text)  # roll-up
    markdown = (out / "morgan-at-northwind.example.md").read_text()
    assert "| admin | at most 3 h | 3 h 30 min |" in markdown
    assert (
        "| Morgan Fixture | admin | 3 h 30 min | at most 3 h |" in (out / "rollup.md").read_text()
    )
    assert "at most 3 h" in (out / "index.html").read_text()
    for shown in (text, markdown, (out / "index.html").read_text()):
        assert "3 h max" not in shown and "(max)" not in shown


def test_a_markdown_section_names_the_status_in_words(demo):
    _, out = demo
    markdown = (out / "dana-at-northwind.example.md").read_text()
    assert "## follow-up (short of target)" in markdown
    assert "(short)" not in markdown


def test_days_with_nothing_booked_are_told_in_the_weeks_story(demo):
    text, out = demo
    # Riley: 14 findings; the four empty follow-up days and two empty prospecting days
    # were six lines of their own under a week's line that listed them already
    assert "Gaps (7, from 14 findings)" in text
    flat = " ".join(text.split())
    assert (
        "follow-up this week: 30 min scheduled of 3 h 45 min committed; short on Mon 02 Nov, "
        "Tue 03 Nov, Wed 04 Nov, Thu 05 Nov, Fri 06 Nov; nothing booked on Mon 02 Nov, "
        "Wed 04 Nov, Thu 05 Nov, Fri 06 Nov"
    ) in flat
    assert "nothing booked on Thu 05 Nov, Fri 06 Nov; 2 blocks shorter than 60 min" in flat
    riley = text.split("Riley Sampleford <")[1].split("Sam Demoson <")[0]
    assert "no follow-up time on the calendar" not in riley
    markdown = (out / "riley-at-northwind.example.md").read_text()
    assert "no follow-up time on the calendar" not in markdown
    # JSON still keeps every finding, each in one story
    report = json.loads(audit("riley", "--format", "json", "--audience", "manager"))
    (report,) = report["reps"].values()
    told = sorted(i for story in report["stories"] for i in story["findings"])
    assert told == list(range(len(report["findings"]))) and len(report["stories"]) == 7


def test_a_single_empty_day_still_carries_the_weeks_figure(demo):
    text, _ = demo
    flat = " ".join(text.split())
    assert (
        "Fri 06 Nov follow-up: no follow-up time on the calendar; "
        "3 h of 3 h 45 min committed this week"
    ) in flat


def test_a_hidden_title_is_not_the_activity_told_twice(demo):
    text, out = demo
    markdown = (out / "riley-at-northwind.example.md").read_text()
    assert "| client-meeting | (title hidden) |" in markdown
    assert "event) |" not in markdown
    assert "(client-meeting event)" not in (out / "riley-at-northwind.example.html").read_text()
    # the terminal has no activity column: its evidence names the activity in words
    assert "obstacle Tue 03 Nov 10:00–11:00 (1 h)  a client meeting" in text
    # the rep's own report shows the titles
    own = audit("riley", "--audience", "owner")
    assert "Globex – pricing questions" in own


def test_events_name_what_displaced_a_block_as_the_stories_do():
    rows = json.loads(
        invoke(
            "events",
            "--ics",
            str(SAMPLE / "riley.ics"),
            "--routine",
            str(SAMPLE / "riley.yaml"),
            "--week",
            WEEK,
            "--audience",
            "manager",
            "--format",
            "json",
        )
    )
    reasons = {row["start"][:16]: row["reason"] for row in rows if row["reason"]}
    assert reasons["2026-11-03T09:00"] == "displaced 1 h by a client meeting 10:00–11:00"
    assert reasons["2026-11-02T09:00"] == "displaced 1 h by an unclassified event 09:30–10:30"


def test_the_team_pages_legend_describes_the_points_it_shows(demo):
    _, out = demo
    page = (out / "index.html").read_text()
    assert "arrows" not in page
    assert "the change since last week, in points" in page


def test_the_commitments_table_fits_a_narrow_mail_pane(demo):
    _, out = demo
    page = (out / "riley-at-northwind.example.html").read_text()
    # the bar shrinks with the pane, and below 820 px gives way to the adherence column
    assert ".commitments svg.bar { width: 100%; max-width: 260px;" in page
    assert "@media (max-width: 820px) { .commitments .share { display: none; }" in page
    assert page.count('<td class="share">') == 4
