"""Issue 17, section 1: one way to write things in every human-readable report.

Every report kind is rendered for the demo team (the sample team, weeks 2026-W44 and
2026-W45, so "vs last week" has figures): the terminal report and roll-up, Markdown and
HTML files, the mails (text and HTML), the team roll-up in both formats, the `events`
table and `history`. None may hold a bare decimal hour (``0.75``, ``2.25``: amounts read
``45 min``, ``2 h 15 min``) or an ISO date (``2026-11-02``: days read ``Mon 02 Nov``,
with the year where the period does not give it). JSON and CSV keep decimal hours and ISO
dates, and are not read here.

What is left out of the sweep, on purpose, because a machine reads it:
- HTML markup (tag names, attributes other than ``title`` and ``aria-label``, inline
  SVG geometry, CSS): only the text a person sees or hovers is read;
- a version number (``0.1.0``) and an address (``127.0.0.1``): dotted runs of three or
  more numbers are not amounts;
- file names and paths, printed as they are on disk (the week folder is named by its ISO
  week label, ``2026-W45``, which is no date).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest
from conftest import sample_audit
from test_mail import Collector, free_port
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.wording import (
    activity_words,
    change_text,
    count_text,
    date_text,
    day_text,
    days_text,
    duration_text,
    hours_text,
    meetings_text,
    plural,
    points_text,
    status_text,
)

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# a decimal number that is not part of a dotted run (a version, an address)
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.]*\d)")
REPS = ("dana", "morgan", "riley", "sam")
runner = CliRunner()
STALE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//EN
BEGIN:VEVENT
UID:old@test
DTSTAMP:20210301T000000Z
DTSTART:20210319T100000Z
DTEND:20210319T110000Z
SUMMARY:Old call
END:VEVENT
END:VCALENDAR
"""


class _Text(HTMLParser):
    """The text of an HTML page a person reads: text nodes (not CSS) and tooltips."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Every human-readable output of the demo team, by where it came from."""
    tmp = tmp_path_factory.mktemp("voice")
    handler = Collector()
    controller = aiosmtpd_controller.Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    try:
        folder = tmp / "team"
        shutil.copytree(package_data("sample"), folder)
        team = folder / "team.yaml"
        team.write_text(
            team.read_text()
            + "output_dir: out\ndb: history.sqlite\n"
            + f"mail: {{host: 127.0.0.1, port: {controller.port}, security: none, "
            + "from: ra@northwind.example, to_reps: true}\n"
        )
        found = {
            "team audit W44": invoke("team", "audit", "--config", str(team), "--week", "2026-W44")
        }
        found["run W45"] = invoke("run", "--config", str(team), "--week", "2026-W45")
    finally:
        controller.stop()
    config = ["--config", str(team), "--week", "2026-W45"]
    found["team table"] = invoke("team", "audit", *config, "--format", "table")
    found["team markdown"] = invoke("team", "audit", *config, "--format", "markdown")
    found["demo"] = invoke("demo", "--out", str(tmp / "demo"))
    for rep in REPS:
        args = ["--routine", str(folder / f"{rep}.yaml"), "--ics", str(folder / f"{rep}.ics")]
        for audience in ("owner", "manager"):
            found[f"events {rep} {audience}"] = invoke(
                "events", *args, "--week", "2026-W45", "--audience", audience
            )
            found[f"audit {rep} {audience}"] = invoke(
                "audit", *args, "--week", "2026-W45", "--audience", audience
            )
        found[f"history {rep}"] = invoke(
            "history", "--rep", f"{rep}@northwind.example", "--db", str(folder / "history.sqlite")
        )
    # a calendar whose newest event is Fri 19 Mar 2021: stale for the week
    old = tmp / "old.ics"
    old.write_text(STALE)
    for fmt in ("table", "markdown", "html"):
        found[f"stale audit {fmt}"] = invoke(
            "audit", "--routine", str(folder / "dana.yaml"), "--ics", str(old),
            "--week", "2026-W45", "--format", fmt,
        )  # fmt: skip
    found["stale audit html"] = html_text(found["stale audit html"])
    for path in [*(folder / "out").rglob("*"), *(tmp / "demo").rglob("*")]:
        if path.suffix == ".md":
            found[str(path)] = path.read_text()
        elif path.suffix == ".html":
            found[str(path)] = html_text(path.read_text())
    assert len(handler.envelopes) == 5  # the manager's roll-up and each rep's own report
    for envelope in handler.envelopes:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        found[f"mail subject {envelope.rcpt_tos[0]}"] = str(mail["Subject"])
        for part in mail.walk():
            kind = part.get_content_type()
            if kind == "text/plain":
                found[f"mail text {envelope.rcpt_tos[0]}"] = part.get_content()
            elif kind == "text/html":
                found[f"mail html {envelope.rcpt_tos[0]}"] = html_text(part.get_content())
    return found


def test_every_report_kind_was_rendered(outputs):
    kinds = " ".join(outputs)
    for kind in ("run W45", "team table", "team markdown", "demo", "events", "history"):
        assert kind in kinds
    assert sum(name.endswith(".html") for name in outputs) >= 10  # reps and team, twice
    assert sum(name.endswith(".md") for name in outputs) >= 10
    assert sum(name.startswith("mail text") for name in outputs) == 5
    assert sum(name.startswith("mail html") for name in outputs) == 5


def test_no_bare_decimal_hours(outputs):
    found = {name: DECIMAL.findall(text) for name, text in outputs.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_no_iso_dates(outputs):
    found = {name: ISO_DATE.findall(text) for name, text in outputs.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_demo_reads_the_new_way(outputs):
    demo = outputs["demo"]
    # the hours-per-day grid: Dana's follow-up, 45 min a day Mon–Thu (2700 s each) and
    # none on Friday, against 45 min a day: 4 x 2700 s = 3 h, of 5 x 2700 s = 3 h 45 min
    lines = demo.splitlines()
    hours = lines[lines.index("Hours per day") :]
    grid = next(line for line in hours if line.startswith("follow-up "))
    target = hours[hours.index(grid) + 1]
    assert target.split() == ["target", *["45", "min"] * 5, "3", "h", "45", "min"]
    assert grid.split() == ["follow-up", *["45", "min"] * 4, "0", "min", "3", "h"]
    assert "Mon 02 Nov  Tue 03 Nov" in demo
    assert "0.75" not in demo
    # days off, coverage, statuses, reactive booking, questions
    assert "days off (no targets): Mon 02 Nov" in demo  # Morgan's holiday
    assert "23 events in the period, Mon 02 Nov to Fri 06 Nov" in demo  # Dana
    assert "short of target" in demo
    assert "0 of 7 client meetings booked at short notice (0%)" in demo  # Dana
    assert "1 tentative event was counted as booked time" in demo  # Riley
    assert "What took the time you had planned for follow-up this week?" in demo


def test_a_stale_calendar_dates_its_newest_event_with_the_year(outputs):
    for fmt in ("table", "markdown", "html"):
        text = " ".join(outputs[f"stale audit {fmt}"].split())  # lines wrapped anywhere
        assert "newest event before it ends Fri 19 Mar 2021" in text, fmt
        # the stale line: 14 days before Mon 02 Nov 2026
        assert "nothing ends after Mon 19 Oct 2026" in text, fmt


def test_change_since_last_week_in_points_everywhere(outputs):
    table, markdown = outputs["team table"], outputs["team markdown"]
    pages = [name for name in outputs if "/out/" in name and name.endswith("index.html")]
    page = outputs[next(name for name in pages if "2026-W45" in name)]  # the run's team page
    changes = re.findall(r"[+\u2212]\d+ pts|\bsame\b", markdown)
    assert changes, markdown
    for change in changes:
        assert change in table
        assert change in page
    assert not re.search(r"[+-]\d+%", table + markdown + page)


def test_the_units_module():
    assert hours_text(0.75) == duration_text(2700) == "45 min"
    assert hours_text(2.25) == "2 h 15 min"
    assert day_text(date(2026, 3, 17)) == "Tue 17 Mar"
    assert date_text(date(2021, 3, 19)) == "Fri 19 Mar 2021"
    assert days_text(date(2026, 11, 2), date(2026, 11, 8)) == "Mon 02 Nov – Sun 08 Nov 2026"
    assert days_text(date(2026, 12, 28), date(2027, 1, 3)) == "Mon 28 Dec 2026 – Sun 03 Jan 2027"
    # a change of a share in percentage points, with a real minus sign
    assert points_text(-0.12) == "\u221212 pts"
    assert points_text(0.05) == "+5 pts"
    assert points_text(0.004) == "same"
    assert change_text(None) == "new"
    assert change_text(None, previous_judged=False) == "no data last week"
    assert [count_text(n, "finding") for n in (0, 1, 2)] == [
        "0 findings",
        "1 finding",
        "2 findings",
    ]
    assert count_text(1, "rep") == "1 rep"
    assert plural("activity") == "activities"
    assert meetings_text(1, "client-meeting") == "1 client meeting"
    assert meetings_text(3, "client-meeting") == "3 client meetings"
    assert meetings_text(2, "demo_call") == "2 demo call meetings"
    assert meetings_text(2, "team-meeting") == "2 team meetings"
    assert status_text("not_judged") == "not judged"
    # how an activity reads in a sentence: the table, else the slug with spaces
    assert activity_words("client-meeting") == "client meetings"
    assert activity_words("client-meeting", one=True) == "client meeting"
    assert activity_words("follow-up") == "follow-up"
    assert activity_words("deep_work") == "deep work"
    assert activity_words("account-planning") == "account planning"


# Review of issue 17, what a person reads (was test_review17_reading.py)


def test_a_window_names_its_days_as_people_write_them(demo_reports):
    text, _ = demo_reports
    assert "1 h outside the committed window (Mon–Fri 09:00–12:00)" in text  # Morgan
    assert "1 h outside the committed window (Fri 13:00–17:30)" in text  # Sam
    assert not re.search(r"\b(mon|tue|wed|thu|fri), ", text)


def test_every_question_opens_with_a_capital(demo_reports):
    text, out = demo_reports
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


def test_a_limit_reads_at_most_in_every_report(demo_reports):
    text, out = demo_reports
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


def test_a_markdown_section_names_the_status_in_words(demo_reports):
    _, out = demo_reports
    markdown = (out / "dana-at-northwind.example.md").read_text()
    assert "## follow-up (short of target)" in markdown
    assert "(short)" not in markdown


def test_a_hidden_title_is_not_the_activity_told_twice(demo_reports):
    text, out = demo_reports
    markdown = (out / "riley-at-northwind.example.md").read_text()
    assert "| client-meeting | (title hidden) |" in markdown
    assert "event) |" not in markdown
    assert "(client-meeting event)" not in (out / "riley-at-northwind.example.html").read_text()
    # the terminal has no activity column: its evidence names the activity in words
    assert "obstacle Tue 03 Nov 10:00–11:00 (1 h)  a client meeting" in text
    # the rep's own report shows the titles
    own = sample_audit("riley", "--audience", "owner")
    assert "Globex – pricing questions" in own


def test_the_team_pages_legend_describes_the_points_it_shows(demo_reports):
    _, out = demo_reports
    page = (out / "index.html").read_text()
    assert "arrows" not in page
    assert "the change since last week, in points" in page
