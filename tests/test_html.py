"""The HTML report: structure, escaping, privacy, no network, and a real browser."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date, datetime
from functools import cache
from html import escape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routine_audit.config import load_routine, load_rules, package_data
from routine_audit.engine.audit import audit
from routine_audit.model import Attendee, CalendarData, Event, Problem, Response, Visibility
from routine_audit.period import Period
from routine_audit.report import RenderOptions, RepReport, build_report, svg
from routine_audit.report.html import render, render_team
from routine_audit.report.team_view import RankedGap, RepFailure, TeamReport
from routine_audit.report.view import TrendPoint
from routine_audit.result import AuditResult

LONDON = ZoneInfo("Europe/London")
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8), LONDON)
OPTIONS = RenderOptions()

DANGEROUS = '<script>alert(1)</script> & "quotes"'
PRIVATE = "Quillfeather board talk"
TITLES = (
    "Prospecting block",
    "Acme discovery",
    DANGEROUS,
    PRIVATE,
    "Vexmoor sync",
    "Follow-up calls",
    "Gym",
    "Zorblat flight",
)
# distinctive parts of the titles: none may reach a manager who is not shown titles
TITLE_MARKS = ("Prospecting block", "Acme", "alert(1)", "Quillfeather", "Vexmoor", "Zorblat")
REPS = {
    "alex@example.com": "Alex Quinn",
    "blair@example.com": "Blair Ode",
}
FAILED = RepFailure("casey@example.com", "Casey Vale", "cannot read casey.ics: no such file")
CLIENT = (Attendee("buyer@acme.test"),)


def _event(uid: str, day: int, start: tuple[int, int], end: tuple[int, int], title: str, **kw):
    return Event(
        uid=uid,
        start=datetime(2026, 11, day, *start, tzinfo=LONDON),
        end=datetime(2026, 11, day, *end, tzinfo=LONDON),
        summary=title,
        **kw,
    )


def _calendar(email: str) -> CalendarData:
    declined = (Attendee(email, Response.DECLINED),)
    return CalendarData(
        (
            _event("p1", 2, (9, 0), (11, 0), "Prospecting block"),
            # a client meeting on top of the prospecting block: displaced, with an obstacle
            _event("m1", 2, (9, 30), (10, 30), "Acme discovery", attendees=CLIENT),
            _event("f1", 2, (13, 0), (14, 0), "Follow-up calls"),
            _event("g1", 3, (7, 0), (8, 0), "Gym"),
            # after the agreed hour: a broken limit
            _event("m2", 3, (17, 0), (19, 0), DANGEROUS, attendees=CLIENT),
            _event("x1", 4, (11, 0), (12, 0), PRIVATE, visibility=Visibility.PRIVATE),
            _event("d1", 4, (10, 0), (11, 0), "Vexmoor sync", attendees=declined),
            # across midnight: drawn on two days
            Event(
                uid="n1",
                start=datetime(2026, 11, 5, 22, tzinfo=LONDON),
                end=datetime(2026, 11, 6, 2, tzinfo=LONDON),
                summary="Zorblat flight",
            ),
        ),
        problems=(Problem("calendar.ics", "unreadable <b>RRULE</b>", uid="u1", line=12),),
    )


@cache
def _result(email: str, *, share_titles: bool = False) -> AuditResult:
    routine = load_routine(package_data("starter_routine.yaml"))
    rep = routine.rep.model_copy(update={"email": email, "name": REPS[email]})
    update: dict[str, Any] = {"rep": rep, "share_titles": share_titles}
    if email == "blair@example.com":  # no admin limit: an empty cell in the team matrix
        update["commitments"] = tuple(c for c in routine.commitments if c.id != "admin")
    return audit(_calendar(email), routine.model_copy(update=update), load_rules(), WEEK)


def _trend(result: AuditResult) -> tuple[TrendPoint, ...]:
    """Three weeks of history, oldest first, the last one this week."""
    current = build_report(result)
    points = []
    for week, factor in (("2026-W43", 0.5), ("2026-W44", 0.8), ("2026-W45", 1.0)):
        for c in current.commitments:
            adherence = None if c.adherence is None else min(1.0, c.adherence * factor + 0.1)
            points.append(TrendPoint(week, c.id, c.target, c.scheduled * factor, adherence))
    return tuple(points)


def _report(email: str, audience: str = "owner", *, share_titles: bool = False) -> RepReport:
    result = _result(email, share_titles=share_titles)
    return build_report(result, audience, trend=_trend(result))


def _team() -> TeamReport:
    reports = tuple(_report(email, "manager") for email in REPS)
    ranking = [
        RankedGap.of(r, c, None if c.adherence is None else c.adherence - 0.1)
        for r in reports
        for c in r.commitments
    ]
    ranking.sort(key=lambda g: max(g.gap, 0) / g.target if g.target else 0, reverse=True)
    return TeamReport("West <Sales> & Co", WEEK, reports, (FAILED,), tuple(ranking))


LINKS = {email: f"{email.split('@')[0]}.html" for email in REPS}


# -- parsing -------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Tags, attributes and text of a page; checks every element is closed in order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"never closed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        """Elements ``tag`` whose attributes contain ``attrs`` (``class_``: one class)."""
        found = []
        for name, have in self.tags:
            if name != tag:
                continue
            wanted = dict(attrs)
            cls = wanted.pop("class_", None)
            if cls and cls not in (have.get("class") or "").split():
                continue
            if all(have.get(k) == v for k, v in wanted.items()):
                found.append(have)
        return found

    @property
    def plain(self) -> str:
        return " ".join(self.text)


def _parse(text: str) -> Page:
    page = Page(text)
    assert not page.errors, page.errors[:5]
    return page


def _assert_self_contained(text: str, page: Page) -> None:
    assert "http://" not in text
    assert "https://" not in text
    assert "<script" not in text.lower()
    assert "@import" not in text
    assert not re.search(r"url\((?!#)", text), "CSS or SVG may only reference the page itself"
    for tag, attrs in page.tags:
        assert tag not in {"script", "iframe", "img", "link", "object", "embed"}, tag
        assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)  # no event handlers: no script
            if name in {"href", "xlink:href", "action"}:
                assert value, (tag, attrs)
                assert value.startswith("#") or re.fullmatch(r"[\w.-]+\.html", value), value


# -- the rep page --------------------------------------------------------------


@pytest.fixture(scope="module")
def rep_page() -> str:
    reports = [_report("alex@example.com", "owner"), _report("blair@example.com", "manager")]
    return render(reports, OPTIONS)


def test_rep_page_parses_and_names_every_rep_and_commitment(rep_page: str) -> None:
    page = _parse(rep_page)
    assert rep_page.startswith("<!DOCTYPE html>")
    assert len(page.all("article", class_="rep")) == 2  # one section per rep
    for email, name in REPS.items():
        assert name in page.plain
        assert email in page.plain
    ids = {c.id for email in REPS for c in _report(email).commitments}
    assert {"prospecting", "follow-up", "client-meetings", "admin", "gym"} == ids
    for commitment in ids:
        assert commitment in page.plain
    rows = page.all("tr", class_="commitment")
    assert len(rows) == sum(len(_report(email).commitments) for email in REPS)


def test_rep_page_is_self_contained(rep_page: str) -> None:
    page = _parse(rep_page)
    _assert_self_contained(rep_page, page)
    assert page.all("style")
    policy = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert policy and "default-src 'none'" in (policy[0]["content"] or "")


def test_calendar_text_is_escaped(rep_page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in rep_page
    assert "<script" not in rep_page.lower()
    assert "<b>" not in rep_page
    assert "unreadable &lt;b&gt;RRULE&lt;/b&gt;" in rep_page  # the owner's data quality
    page = _parse(rep_page)
    assert DANGEROUS in page.plain  # the owner reads the title as it was written
    assert not [tag for tag, _ in page.tags if tag in {"script", "b"}]


def test_owner_sees_titles_and_marked_blocks(rep_page: str) -> None:
    owner = render([_report("alex@example.com", "owner")], OPTIONS)
    page = _parse(owner)
    for title in ("Prospecting block", "Acme discovery", PRIVATE):
        assert escape(title) in owner
    blocks = page.all("g", class_="block")
    assert blocks
    # the displaced prospecting block, the meeting that displaced it, the late meeting
    assert page.all("g", class_="displaced", **{"data-activity": "prospecting"})
    assert page.all("g", class_="obstacle", **{"data-activity": "client-meeting"})
    assert page.all("g", class_="limit", **{"data-activity": "client-meeting"})
    assert page.all("g", class_="faint")  # the declined meeting, drawn faintly
    assert 'fill="url(#rep-1-hatch)"' in owner
    assert 'id="rep-1-hatch"' in owner


def test_pattern_ids_are_unique_per_page(rep_page: str) -> None:
    ids = [attrs["id"] for _, attrs in _parse(rep_page).tags if attrs.get("id")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("share_titles", [False, True])
def test_manager_sees_no_hidden_titles(share_titles: bool) -> None:
    report = _report("alex@example.com", "manager", share_titles=share_titles)
    text = render([report], OPTIONS)
    page = _parse(text)
    assert "Quillfeather" not in text  # private: never, even when titles are shared
    if share_titles:
        assert report.titles_shown
        assert escape("Acme discovery") in text
        assert "shared (private events never)" in page.plain
    else:
        for mark in TITLE_MARKS:
            assert mark not in text
        assert "event titles hidden" in page.plain
        assert "(title hidden)" in page.plain  # the evidence, by activity and time


def test_charts_are_inline_svg(rep_page: str) -> None:
    page = _parse(rep_page)
    assert "<svg" in rep_page
    assert "xmlns" not in rep_page  # inline SVG needs no namespace URL
    assert len(page.all("svg", class_="calendar")) == 2
    assert len(page.all("svg", class_="bar")) == len(page.all("tr", class_="commitment"))
    sparklines = page.all("svg", class_="sparkline")
    assert len(sparklines) == sum(len(_report(email).commitments) for email in REPS)
    lines = page.all("polyline")
    assert len(lines) == len(sparklines)
    for line in lines:
        points = (line["points"] or "").split()
        assert len(points) == 3  # three weeks of history
        for point in points:
            x, y = (float(v) for v in point.split(","))
            assert 0 <= x <= svg.SPARK_WIDTH
            assert 0 <= y <= svg.SPARK_HEIGHT


def test_no_history_yet() -> None:
    result = _result("alex@example.com")
    one_week = tuple(p for p in _trend(result) if p.week == "2026-W45")
    for trend in ((), one_week):
        text = render([build_report(result, "owner", trend=trend)], OPTIONS)
        page = _parse(text)
        assert not page.all("svg", class_="sparkline")
        assert page.plain.count("no history yet") == len(build_report(result).commitments)


def test_findings_questions_health_and_data_quality(rep_page: str) -> None:
    page = _parse(rep_page)
    report = _report("alex@example.com")
    assert report.incomplete
    text = page.plain
    for heading in ("Findings and questions for the 1:1", "Calendar health", "Data quality"):
        assert heading in text
    assert "Incomplete: some calendar data could not be read" in text
    assert "This report is incomplete" in text
    assert "Block displaced" in text and "Agreed limit broken" in text
    asked = {q for f in report.findings for q in f.questions}
    shown = [q for q in asked if escape(q) in rep_page]
    assert len(shown) >= 3
    assert "Working time" in text and "Fragmented days" in text


def test_complete_data_says_so() -> None:
    routine = load_routine(package_data("starter_routine.yaml"))
    result = audit(CalendarData(_calendar("you@example.com").events), routine, load_rules(), WEEK)
    page = _parse(render([build_report(result, "manager")], OPTIONS))
    assert "All calendar data was read." in page.plain
    assert "incomplete" not in page.plain.lower()


def test_activity_colours_are_stable() -> None:
    assert svg.activity_colour("prospecting") == svg.ACTIVITY_COLOURS["prospecting"]
    assert svg.activity_colour("partner-calls") == svg.activity_colour("partner-calls")
    assert svg.activity_colour("partner-calls") in svg.EXTRA_COLOURS
    owner = render([_report("alex@example.com", "owner")], OPTIONS)
    other = render([_report("blair@example.com", "manager")], OPTIONS)
    colour = svg.ACTIVITY_COLOURS["client-meeting"]
    for text in (owner, other):
        assert re.search(
            rf'data-activity="client-meeting"><title>[^<]*</title><rect [^>]*fill="{colour}"', text
        )


# -- svg builders --------------------------------------------------------------


def test_svg_escapes_every_text() -> None:
    item = svg.CalendarItem(0, 540, 600, "#4E79A7", "<b>x</b>", '"&<tip>', activity="a<b")
    markup = svg.week_calendar(["<Mon>"], [item], id_prefix='p"x')
    assert "<b>" not in markup and "<tip>" not in markup and "<Mon>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup
    assert 'id="p&#34;x-hatch"' in markup
    assert "&lt;Mon&gt;" in markup
    _parse(str(markup))


def test_lanes_put_overlaps_side_by_side() -> None:
    assert svg.assign_lanes([(540, 660), (570, 630), (780, 840)]) == [(0, 2), (1, 2), (0, 1)]
    assert svg.assign_lanes([(0, 60), (30, 90), (60, 120)]) == [(0, 2), (1, 2), (0, 2)]
    assert svg.assign_lanes([]) == []


def test_visible_hours_fold_empty_nights() -> None:
    late = svg.CalendarItem(0, 22 * 60, 24 * 60, "#000000", "", "")
    early = svg.CalendarItem(1, 0, 90, "#000000", "", "")
    faint = svg.CalendarItem(2, 3 * 60, 4 * 60, "#000000", "", "", faint=True)
    assert svg.visible_hours([]) == [(8, 18)]
    assert svg.visible_hours([faint]) == [(8, 18)]
    assert svg.visible_hours([late, early]) == [(0, 2), (8, 18), (22, 24)]
    assert svg.visible_hours([svg.CalendarItem(0, 19 * 60, 20 * 60, "#000000", "", "")]) == [
        (8, 20)
    ]


def test_templates_ship_in_the_package() -> None:
    templates = resources.files("routine_audit") / "report" / "templates"
    for name in ("_page.html.j2", "_style.css.j2", "rep.html.j2", "team.html.j2"):
        assert (templates / name).is_file(), name


# -- the team page -------------------------------------------------------------


@pytest.fixture(scope="module")
def team_page() -> str:
    return render_team(_team(), LINKS)


def test_team_matrix_has_a_row_per_rep_and_a_column_per_commitment(team_page: str) -> None:
    page = _parse(team_page)
    team = _team()
    heads = page.all("th", class_="col")
    assert len(heads) == len(team.commitment_ids) == 5
    matrix = team_page[team_page.index('<table class="matrix">') : team_page.index("</table>")]
    rows = re.findall(r'<tr class="rep-row" data-rep="([^"]+)">(.*?)</tr>', matrix, re.S)
    assert [email for email, _ in rows] == list(REPS)
    for email, row in rows:
        cells = re.findall(r'<td class="cell band-(\w+)"', row)
        assert len(cells) == len(team.commitment_ids)
        # blair has no admin commitment: that cell is empty
        assert (cells[team.commitment_ids.index("admin")] == "none") == (email.startswith("b"))
    for commitment in team.commitment_ids:
        assert f'scope="col">{commitment}</th>' in team_page


def test_team_page_links_to_rep_pages(team_page: str) -> None:
    page = _parse(team_page)
    _assert_self_contained(team_page, page)
    hrefs = {a["href"] for a in page.all("a")}
    assert hrefs == set(LINKS.values())
    for email, name in REPS.items():
        assert f'<a href="{LINKS[email]}">{name}</a>' in team_page


def test_team_page_shows_failures_ranking_and_changes(team_page: str) -> None:
    page = _parse(team_page)
    text = page.plain
    assert "West <Sales> & Co" in text
    assert "West &lt;Sales&gt; &amp; Co" in team_page
    assert "2026-W45" in text
    alert = team_page[team_page.index('class="alert failures"') :]
    assert FAILED.name in alert[:600] and FAILED.message in alert[:600]
    assert page.all("tr", class_="failed", **{"data-rep": FAILED.email})
    assert "1 failed" in text
    assert "Biggest gaps" in text
    ranking = team_page[team_page.index('<table class="ranking">') :]
    assert ranking.count("<tr>") - 1 == min(10, sum(1 for g in _team().ranking if g.gap > 0))
    assert "+10 pts" in text  # issue 17: the same words as the terminal and Markdown


def test_team_page_refuses_links_outside_its_folder() -> None:
    for href in ("https://example.com/a.html", "//host/a.html", "/etc/a.html", "file:a.html"):
        with pytest.raises(ValueError, match="relative"):
            render_team(_team(), {"alex@example.com": href})


def test_team_without_reps_renders() -> None:
    team = TeamReport("Empty", WEEK, (), (FAILED,), ())
    page = _parse(render_team(team, {}))
    assert FAILED.message in page.plain
    # nobody audited: said so, never "No gaps: every audited commitment was met."
    assert "No rep could be audited" in page.plain and "No gaps" not in page.plain


# -- in a real browser -----------------------------------------------------------


def _chromium() -> str:
    binary = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if binary is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser test")
        pytest.skip(message)
    return binary


def _browser(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_rows(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the (still filtered) scanlines of a non-interlaced 8-bit PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0, (depth, interlace)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(chunks))
    stride = 1 + width * channels
    assert len(raw) == stride * height
    return width, height, [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]


def test_pages_render_in_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    rep_file = tmp_path / "alex.html"
    team_file = tmp_path / "index.html"
    reports = [_report(email, "manager") for email in REPS]
    rep_file.write_text(render(reports, OPTIONS), encoding="utf-8")
    team_file.write_text(render_team(_team(), LINKS), encoding="utf-8")
    profile = tmp_path / "profile"

    for path in (rep_file, team_file):
        dom = _browser(binary, profile, "--dump-dom", path.as_uri()).stdout
        assert "<svg" in dom
        assert "<script" not in dom.lower()
        for email, name in REPS.items():
            assert name in dom
            assert email in dom
        for commitment in _team().commitment_ids:
            assert commitment in dom
    assert FAILED.message in _browser(binary, profile, "--dump-dom", team_file.as_uri()).stdout

    for path in (rep_file, team_file):
        png = tmp_path / f"{path.stem}.png"
        _browser(
            binary,
            profile,
            f"--screenshot={png}",
            "--window-size=1280,2000",
            "--hide-scrollbars",
            path.as_uri(),
        )
        assert png.is_file()
        width, height, rows = _png_rows(png)
        assert (width, height) == (1280, 2000)
        # a blank page filters to a handful of identical rows; a report to many different ones
        assert len(set(rows)) > 100, f"{png.name} looks blank"
        assert sum(1 for row in rows if len(set(row)) > 8) > height // 10


# Review of issue 17, what a person reads (was test_review17_reading.py)


def test_the_commitments_table_fits_a_narrow_mail_pane(demo_reports):
    _, out = demo_reports
    page = (out / "riley-at-northwind.example.html").read_text()
    # the bar shrinks with the pane, and below 820 px gives way to the adherence column
    assert ".commitments svg.bar { width: 100%; max-width: 260px;" in page
    assert "@media (max-width: 820px) { .commitments .share { display: none; }" in page
    # the commitments table's four rows (the demo's plan section, issue 22, has its own)
    table = page.split('<table class="commitments">')[1].split("</table>")[0]
    assert table.count('<td class="share">') == 4
