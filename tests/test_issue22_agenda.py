"""Issue 22, section 2: the 1:1 agenda, what we agreed, and how the rep wants to be held
to it. Through the commands, on a copy of the sample team: week 2026-W44 recorded, an
action agreed for 2026-W45, then 2026-W45 audited with its reports.

Figures worked by hand from tests/golden/sample_week.json (the sample week, 2026-W45):
Sam's gym is 2 blocks a week and none survived (scheduled 0), so adherence 1 − 2/2 = 0%,
short of target; Sam's prospecting is 8 h of 8 h, met.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import date

import pytest
from typer.testing import CliRunner

from routine_audit.agreed import action_week
from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.config.load import load_team
from routine_audit.history import History

SAM = "sam@northwind.example"
DANA = "dana@northwind.example"
HELD = "Ask me on Monday morning, in person; never in the team channel."


def cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def team_folder(tmp_path_factory):
    """The sample team, Sam's routine with an accountability note; 2026-W44 recorded, an
    action agreed for 2026-W45 on Sam's gym, then 2026-W45 audited into ``out``."""
    folder = tmp_path_factory.mktemp("team")
    for path in package_data("sample").iterdir():
        shutil.copy(path, folder / path.name)
    sam = folder / "sam.yaml"
    sam.write_text(without_note(sam.read_text()) + f"accountability: {json.dumps(HELD)}\n")
    db = folder / "h.sqlite"
    team = folder / "team.yaml"
    assert cli("team", "audit", "--config", team, "--week", "2026-W44", "--db", db).exit_code == 0
    agreed = cli(
        "agree", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45",
        "--commitment", "gym", "Book the gym at 07:00 and decline anything on top",
    )  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    assert agreed.output == (
        "agreed: #1 sam@northwind.example 2026-W45 gym open: "
        "Book the gym at 07:00 and decline anything on top\n"
    )
    out = folder / "out"
    run = cli("team", "audit", "--config", team, "--week", "2026-W45", "--db", db, "--out", out)
    assert run.exit_code == 0, run.output
    return folder


def without_note(routine: str) -> str:
    """A sample routine without its own accountability note (the tests write theirs)."""
    return re.sub(r"^accountability: .*\n", "", routine, flags=re.M)


def sections(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, flags=re.M)


def test_a_run_writes_each_reps_agenda_beside_their_report(team_folder):
    out = team_folder / "out"
    for stem in ("dana-at-northwind.example", "morgan-at-northwind.example",
                 "riley-at-northwind.example", "sam-at-northwind.example"):  # fmt: skip
        assert (out / f"{stem}.html").exists()
        assert (out / f"{stem}-agenda.md").exists()
        assert (out / f"{stem}-agenda.html").exists()


def test_the_agenda_follows_the_conversation(team_folder):
    markdown = (team_folder / "out" / "sam-at-northwind.example-agenda.md").read_text()
    assert sections(markdown) == [
        "How they want to be held to it",
        "Wins",
        "What we agreed",
        "Plan vs what survived",
        "The gaps",
        "Questions",
        "Next week: readiness",
        "Next week: proposals",
        "What we agree for next week",
        "Notes",
    ]
    assert markdown.startswith("# Sam Demoson: 1:1 agenda for 2026-W45\n")
    # wins: the commitments met (golden: prospecting 8 h of 8 h)
    assert "- prospecting: met (8 h of 8 h)" in markdown
    # the top gaps: the golden's stories, most pressing first, one per subject
    gaps = markdown.split("## The gaps")[1].split("## Questions")[0]
    assert "- Mon 02 Nov gym 07:00–08:00: fully displaced by a client meeting 07:00–08:30" in gaps
    assert "  - obstacle: a client meeting Mon 02 Nov 07:00–08:30" in gaps
    assert "Wed 04 Nov gym" not in gaps  # one story per subject: gym's most pressing only
    questions = markdown.split("## Questions")[1].split("## Next week")[0]
    assert "what made it give way?" in questions
    # team audit does not check the week ahead; no proposals yet: said, not left out
    assert "The week ahead was not checked" in markdown
    assert "No slots proposed (run proposes them for the week ahead's gaps)." in markdown


def test_the_next_agenda_opens_with_what_was_agreed_and_its_figures(team_folder):
    markdown = (team_folder / "out" / "sam-at-northwind.example-agenda.md").read_text()
    agreed = markdown.split("## What we agreed")[1].split("## Plan")[0]
    assert (
        "- \\#1 gym (for 2026-W45, open): Book the gym at 07:00 and decline anything on top\n"
        "  - adherence since: 2026-W45 0%; this week short of target; survival this week n/a"
    ) in agreed  # 0 of 2 blocks: 0%; no plan was recorded before the week, so no survival
    dana = (team_folder / "out" / "dana-at-northwind.example-agenda.md").read_text()
    assert "Nothing agreed for this week." in dana


def test_agree_lists_and_marks_done(team_folder):
    team, db = team_folder / "team.yaml", team_folder / "h.sqlite"
    second = cli("agree", "--config", team, "--db", db, "--rep", DANA, "--week", "2026-W46",
                 "Friday follow-up before lunch")  # fmt: skip
    assert second.exit_code == 0, second.output
    listed = cli("agree", "--list", "--config", team, "--db", db, "--rep", DANA)
    assert listed.output == (
        "#2 dana@northwind.example 2026-W46 - open: Friday follow-up before lunch\n"
    )
    assert cli("agree", "--done", "2", "--config", team, "--db", db).exit_code == 0
    listed = cli("agree", "--list", "--config", team, "--db", db)
    assert listed.output.splitlines() == [
        "#1 sam@northwind.example 2026-W45 gym open: "
        "Book the gym at 07:00 and decline anything on top",
        "#2 dana@northwind.example 2026-W46 - done: Friday follow-up before lunch",
    ]
    missing = cli("agree", "--done", "99", "--config", team, "--db", db)
    assert missing.exit_code == 2
    assert "no agreed action #99" in missing.output


def test_the_default_week_is_the_coming_one():
    team = load_team(package_data("sample") / "team.yaml")
    # Tue 10 Nov 2026: the last complete week is 2026-W45; the coming week 2026-W46
    assert action_week(team, None, today=date(2026, 11, 10)) == "2026-W46"
    assert action_week(team, "next", today=date(2026, 11, 10)) == "2026-W47"


def test_agree_refuses_what_cannot_be_recorded(team_folder):
    team, db = team_folder / "team.yaml", team_folder / "h.sqlite"
    cases = [
        (["--rep", SAM, "--commitment", "yoga", "x"], "has no commitment 'yoga'"),
        (["--rep", "lee@northwind.example", "x"], "lee@northwind.example is not a rep"),
        (["--rep", SAM, "x" * 501], "501 characters long; at most 500"),
        (["--rep", SAM, "\x1b[2J"], "the action is empty"),
        (["--rep", SAM], "give the action's TEXT, or --list, or --done ID"),
        (["--list", "--done", "1"], "one of them"),
    ]
    for args, words in cases:
        result = cli("agree", "--config", team, "--db", db, *args)
        assert result.exit_code == 2, args
        assert words in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "Traceback" not in result.output


def test_hostile_action_text_is_cleaned_and_escaped(tmp_path):
    for path in package_data("sample").iterdir():
        shutil.copy(path, tmp_path / path.name)
    team, db = tmp_path / "team.yaml", tmp_path / "h.sqlite"
    hostile = "Keep \x1b[31mred\x1b[0m\x1b]0;title\x07 <script>alert(1)</script>\nnow"
    result = cli("agree", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45",
                 hostile)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    with History(db) as history:
        (row,) = history.agreed_rows()
    assert row[5] == "Keep red <script>alert(1)</script> now"  # escapes gone, one line
    html = cli("agenda", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45",
               "--format", "html")  # fmt: skip
    assert html.exit_code == 0, html.output
    assert "<script>" not in html.output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.output
    markdown = cli("agenda", "--config", team, "--db", db, "--rep", SAM, "--week", "2026-W45")
    assert "<script>" not in markdown.output and "&lt;script&gt;" in markdown.output


def test_accountability_opens_the_agenda_and_nothing_else(team_folder):
    out = team_folder / "out"
    markdown = (out / "sam-at-northwind.example-agenda.md").read_text()
    held = markdown.split("## How they want to be held to it")[1].split("## Wins")[0]
    assert held.strip() == f"- {HELD}"
    assert (
        "in person; never in the team channel"
        in (out / "sam-at-northwind.example-agenda.html").read_text()
    )
    # the rep's words to their manager: in no other page of the folder
    others = [p for p in out.iterdir() if "-agenda." not in p.name]
    assert others
    for path in others:
        assert "team channel" not in path.read_text(), path.name
    morgan = (out / "morgan-at-northwind.example-agenda.md").read_text()
    assert "No note yet: ask how they want to be held to it." in morgan


def test_hostile_accountability_is_cleaned_or_refused(tmp_path):
    for path in package_data("sample").iterdir():
        shutil.copy(path, tmp_path / path.name)
    sam = tmp_path / "sam.yaml"
    base = without_note(sam.read_text())
    sam.write_text(base + 'accountability: "Be \\e[1mdirect\\e[0m <b>please</b>"\n')
    out = cli("agenda", "--config", tmp_path / "team.yaml", "--rep", SAM, "--week", "2026-W45",
              "--db", tmp_path / "none.sqlite", "--format", "html")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Be direct &lt;b&gt;please&lt;/b&gt;" in out.output and "\x1b" not in out.output
    sam.write_text(base + f"accountability: {'x' * 1001}\n")
    check = cli("rules", "check", tmp_path / "sam.yaml")
    assert check.exit_code == 2
    assert "accountability" in check.output and "at most 1,000" in check.output


def test_agenda_command_writes_a_file_and_is_the_managers_view(team_folder, tmp_path):
    target = tmp_path / "agenda.html"
    result = cli("agenda", "--config", team_folder / "team.yaml", "--db",
                 team_folder / "h.sqlite", "--rep", SAM, "--week", "2026-W45",
                 "--format", "html", "-o", target)  # fmt: skip
    assert result.exit_code == 0, result.output
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "1:1 agenda" in page
    # the command checks the week after as the week ahead: readiness per commitment
    assert "Next week: readiness" in page and "prospecting:" in page
    # Sam does not share titles: no event title of his calendar reaches the agenda
    for title in ("Initech", "Globex", "Gym – spin class", "Acme"):
        assert title not in page


def test_agenda_names_an_unknown_rep(team_folder):
    result = cli("agenda", "--config", team_folder / "team.yaml", "--rep", "x@y.example")
    assert result.exit_code == 2
    assert "x@y.example is not a rep of Northwind Sample Team" in result.output


def test_the_migration_adds_the_agreed_actions_to_an_older_history(tmp_path):
    from routine_audit import history as module

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for step in module.MIGRATIONS[:4]:  # a history as issue 20 left it (version 4)
        step(db)
    db.execute(f"PRAGMA application_id = {module.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 4")
    db.execute("COMMIT")
    db.close()
    with History(path) as history:
        assert history.schema_version == module.SCHEMA_VERSION
        assert history.agreed_rows() == []


def test_a_week_without_calendar_data_is_said_not_judged(team_folder):
    """2026-W20: the sample calendars' series begin in September, so no event meets it
    (coverage empty): no wins, no gaps, nothing to compare with the plan."""
    result = cli("agenda", "--config", team_folder / "team.yaml", "--db",
                 team_folder / "h.sqlite", "--rep", SAM, "--week", "2026-W20")  # fmt: skip
    assert result.exit_code == 0, result.output
    wins = result.output.split("## Wins")[1].split("## What we agreed")[0]
    assert "No calendar data this week (empty:" in wins
    assert "None this week: look for one together." in wins
    assert "No calendar data this week: nothing to compare with the plan." in result.output
    assert "No gap this week." in result.output


def test_the_agenda_page_renders_in_chromium(team_folder, tmp_path):
    from test_html import _browser, _chromium

    binary = _chromium()
    page = team_folder / "out" / "sam-at-northwind.example-agenda.html"
    dom = _browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert "<script" not in dom.lower()
    for title in ("How they want to be held to it", "What we agreed", "Notes"):
        assert f"<h2>{title}</h2>" in dom
    assert "Book the gym at 07:00 and decline anything on top" in dom
