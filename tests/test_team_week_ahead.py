"""Issue 20, part 1: the week ahead for a team. `team plan` checks every sample rep's
coming week (2026-W46, the week after the sample week) and says, per commitment, how
many reps have it blocked out; `run` for the sample week checks the week after it as
the week ahead (replacing the past-tense preview): `<rep>-week-ahead.html` per rep with
the coming week drawn, `next-week.md` in the future tense, the week ahead kept in the
history as the `preview` audit, and a "Next week" section in each rep's mail and the
manager's roll-up.

The sample week ahead, from the sample calendars: prospecting (2 h a weekday, 10 h)
is blocked out only by Riley (Dana 9 h: Tuesday's block loses 1 h to a client
meeting; Morgan none; Sam 8 h: a workshop takes Tuesday's block whole); follow-up
(45 min a weekday) by nobody; client meetings (6 a week) by nobody; admin (at most
3 h) is within the limit for all four; the gym (Dana's and Sam's) is blocked out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE, mailing_team
from test_mail import parse, start_server
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.history import History

pytest.importorskip("aiosmtpd.controller")

WEEK, AHEAD = "2026-W45", "2026-W46"
REPS = ("dana", "morgan", "riley", "sam")
BLOCKED_OUT = [
    "- prospecting blocked out for 1 of 4 reps",
    "- follow-up blocked out for 0 of 4 reps",
    "- client-meetings booked for 0 of 4 reps",
    "- admin within the limit for 4 of 4 reps",
    "- gym blocked out for 2 of 2 reps",
]


def _page(rep: str) -> str:
    return f"{rep}-at-northwind.example-week-ahead.html"


def test_team_plan_says_per_commitment_how_many_reps_have_it_blocked_out(tmp_path):
    out, db = tmp_path / "next", tmp_path / "h.sqlite"
    result = CliRunner().invoke(
        app,
        ["team", "plan", "--config", str(SAMPLE / "team.yaml"), "--week", AHEAD,
         "--out", str(out), "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"Northwind Sample Team: the week ahead {AHEAD}\n")
    for line in BLOCKED_OUT:
        assert line in text.splitlines()
    assert "- prospecting: 0 min of 10 h blocked out; 10 h still to book" in text  # Morgan
    for rep in REPS:
        assert (out / _page(rep)).is_file()
    assert {p.name for p in out.glob("next-week.*")} == {
        "next-week.md", "next-week.json", "next-week.csv",
    }  # fmt: skip
    with History(db) as history:
        assert history.weeks("riley@northwind.example", kind="preview") == [AHEAD]
    markdown = CliRunner().invoke(
        app,
        ["team", "plan", "--config", str(SAMPLE / "team.yaml"), "--week", AHEAD,
         "--db", str(db), "--format", "markdown"],
    )  # fmt: skip
    assert markdown.stdout.startswith(f"# Northwind Sample Team: the week ahead {AHEAD}\n")
    assert "## Morgan Fixture" in markdown.stdout


@pytest.fixture
def smtp():
    controller, handler = start_server()
    yield controller.port, handler.envelopes
    controller.stop()


def _mails(envelopes) -> dict[str, tuple[str, str]]:
    mails = {}
    for envelope in envelopes:
        message = parse(envelope)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        mails[envelope.rcpt_tos[0]] = (text, html)
    return mails


def test_run_checks_the_week_ahead_writes_its_pages_and_mails_a_next_week_section(tmp_path, smtp):
    port, envelopes = smtp
    team = mailing_team(tmp_path, port)
    result = CliRunner().invoke(app, ["run", "--config", str(team), "--week", WEEK])
    assert result.exit_code == 0, result.output
    folder = team.parent / "out" / WEEK
    for rep in REPS:
        page = (folder / _page(rep)).read_text()
        assert f"The week ahead &middot; {AHEAD}" in page
        assert '<svg class="calendar"' in page  # the coming week drawn
        assert "Mon 09 Nov" in page and "Sun 15 Nov" in page
        assert "View</span>manager, event titles" in page  # the manager's view
    assert "Acme" not in (folder / _page("dana")).read_text()  # Dana shares no titles
    # next-week.md speaks of the coming week in the future tense (today: a past-tense
    # audit, "What took the time you had planned ...")
    notes = (folder / "next-week.md").read_text()
    assert f"the week ahead {AHEAD}" in notes
    assert "- **Fri 13 Nov follow-up:** nothing booked yet" in notes
    assert "Which slot will hold Friday's follow-up?" in notes
    assert "What took the time" not in notes and "scheduled of" not in notes
    document = json.loads((folder / "next-week.json").read_text())
    assert document["reps"]["riley@northwind.example"]["ahead"]["week"] == AHEAD
    # the week ahead is kept as the week's preview audit, as before
    with History(team.parent / "history.sqlite") as history:
        assert history.weeks("dana@northwind.example", kind="preview") == [AHEAD]
    mails = _mails(envelopes)
    text, html = mails["alex@northwind.example"]
    section = text.split(f"## Next week ({AHEAD})\n\n")[1]
    assert section.splitlines()[: len(BLOCKED_OUT)] == BLOCKED_OUT
    assert "prospecting blocked out for 1 of 4 reps" in html
    text, html = mails["dana@northwind.example"]
    own = text.split(f"## Next week ({AHEAD})\n\n")[1]
    assert own.startswith(
        "- prospecting: 9 h of 10 h blocked out; 1 h still to book; "
        "1 h will be lost to meetings booked on top\n"
    )
    # her own mail names her events: the meeting booked on Tuesday's prospecting
    assert '- **Tue 10 Nov prospecting:** 09:00–11:00 will lose 1 h to "Acme' in own
    assert "Next week (2026-W46)" in html
    for rep in ("morgan", "riley", "sam"):
        assert f"## Next week ({AHEAD})" in mails[f"{rep}@northwind.example"][0]


def test_a_run_for_one_rep_replaces_their_week_ahead_page_only(tmp_path, smtp):
    port, _ = smtp
    team = mailing_team(tmp_path, port)
    assert CliRunner().invoke(app, ["run", "--config", str(team), "--week", WEEK]).exit_code == 0
    folder = team.parent / "out" / WEEK
    notes = (folder / "next-week.md").read_text()
    (folder / _page("dana")).write_text("old")
    again = CliRunner().invoke(
        app, ["run", "--config", str(team), "--week", WEEK, "--rep", "dana@northwind.example"]
    )
    assert again.exit_code == 0, again.output
    assert (folder / _page("dana")).read_text() != "old"
    assert (folder / "next-week.md").read_text() == notes  # the full run's, kept


def test_the_demo_checks_the_week_ahead(demo_reports):
    """Issue 22: the demo runs its sample week as `run` does, week ahead included (each
    rep's 1:1 agenda shows next week's readiness)."""
    _, out = demo_reports
    assert len(list(Path(out).glob("*-week-ahead.html"))) == 4
    assert (Path(out) / "next-week.md").exists()
