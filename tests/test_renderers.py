"""Structural checks every report renderer passes, on one small hand-made calendar."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator

from routine_audit._version import __version__
from routine_audit.config import load_routine, load_rules, package_data
from routine_audit.engine.audit import audit
from routine_audit.model import Attendee, CalendarData, Event, Problem, Response, Visibility
from routine_audit.period import Period
from routine_audit.report import (
    EVENT_RENDERERS,
    RENDERERS,
    RenderOptions,
    RepReport,
    build_report,
    render,
    render_events,
)
from routine_audit.report.csv_safe import neutralize
from routine_audit.result import AuditResult

LONDON = ZoneInfo("Europe/London")
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8), LONDON)
OPTIONS = RenderOptions(color=False, width=250)  # wide: no title is wrapped mid-word

SCRIPT_TITLE = '<script>alert(1)</script> | =HYPERLINK("x")'
PRIVATE_TITLE = "Quillfeather [bold]secret[/bold] board talk"
# distinctive parts of every event title in the calendar
TITLE_MARKS = ("Prospecting block", "alert(1)", "HYPERLINK", "Quillfeather", "Zorblat", "Vexmoor")
PRIVATE_MARKS = ("Quillfeather",)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FORMULA_START = ("=", "+", "-", "@")


def _event(
    uid: str, day: int, start: tuple[int, int], end: tuple[int, int], title: str, **kw: Any
) -> Event:
    return Event(
        uid=uid,
        start=datetime(2026, 11, day, *start, tzinfo=LONDON),
        end=datetime(2026, 11, day, *end, tzinfo=LONDON),
        summary=title,
        **kw,
    )


CLIENT = (Attendee("buyer@acme.test"),)
DECLINED = (Attendee("you@example.com", Response.DECLINED),)
CALENDAR = CalendarData(
    (
        _event("p1", 2, (9, 0), (11, 0), "Prospecting block"),
        # a private client meeting on top of the prospecting block: an obstacle
        _event(
            "m1",
            2,
            (10, 0),
            (10, 30),
            PRIVATE_TITLE,
            attendees=CLIENT,
            visibility=Visibility.PRIVATE,
        ),
        # a client meeting after the agreed hour: a broken limit, with evidence
        _event("m2", 3, (18, 0), (19, 0), SCRIPT_TITLE, attendees=CLIENT),
        _event("f1", 4, (13, 0), (14, 0), "=Zorblat follow-up"),
        _event("g1", 3, (7, 0), (8, 0), "Gym"),
        _event("d1", 5, (9, 0), (10, 0), "Vexmoor sync", attendees=DECLINED),
        Event(
            "a1",
            datetime(2026, 11, 5, tzinfo=LONDON),
            datetime(2026, 11, 7, tzinfo=LONDON),
            all_day=True,
            summary="Vexmoor offsite",
        ),
    ),
    problems=(Problem("calendar.ics", "unreadable <b>RRULE</b> | =cmd", uid="x1", line=12),),
)


@cache
def _result(share_titles: bool) -> AuditResult:
    routine = load_routine(package_data("starter_routine.yaml"))
    if share_titles:
        routine = routine.model_copy(update={"share_titles": True})
    return audit(CALENDAR, routine, load_rules(), WEEK)


def _report(audience: str, *, share_titles: bool = False) -> RepReport:
    return build_report(_result(share_titles), audience)


def _schema() -> dict:
    text = (resources.files("routine_audit") / "data" / "report.schema.json").read_text()
    return json.loads(text)


@pytest.fixture(params=sorted(RENDERERS))
def fmt(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=sorted(EVENT_RENDERERS))
def events_fmt(request: pytest.FixtureRequest) -> str:
    return request.param


# -- every format --------------------------------------------------------------


@pytest.mark.parametrize("audience", ["owner", "manager"])
def test_every_commitment_appears(fmt: str, audience: str) -> None:
    report = _report(audience)
    text = render(report, fmt, OPTIONS)
    assert report.commitments
    # the CSV report is daily hours per activity (its columns are fixed): no ids, and
    # only activities with a daily target (a max limit is not a target) always appear
    names = [
        c.activity if fmt == "csv" else c.id
        for c in report.commitments
        if fmt != "csv" or (c.direction == "min" and c.unit == "hours")
    ]
    for name in names:
        assert name in text


def test_manager_sees_no_titles(fmt: str) -> None:
    text = render(_report("manager"), fmt, OPTIONS)
    for mark in TITLE_MARKS:
        assert mark not in text


def test_manager_never_sees_private_titles_even_when_shared(fmt: str) -> None:
    report = _report("manager", share_titles=True)
    assert report.titles_shown
    text = render(report, fmt, OPTIONS) + render_events(report, "csv", OPTIONS)
    for mark in PRIVATE_MARKS:
        assert mark not in text


def test_events_hide_titles_from_manager(events_fmt: str) -> None:
    text = render_events(_report("manager"), events_fmt, OPTIONS)
    for mark in TITLE_MARKS:
        assert mark not in text


def test_shared_titles_reach_the_manager() -> None:
    text = render_events(_report("manager", share_titles=True), "json", OPTIONS)
    assert "Prospecting block" in text
    assert "alert(1)" in text


def test_owner_sees_titles(fmt: str) -> None:
    if fmt == "csv":  # daily hours only: no titles at all
        pytest.skip("the CSV report has no event titles")
    text = render(_report("owner"), fmt, OPTIONS)
    for mark in ("alert(1)", "Quillfeather"):
        assert mark in text


def test_owner_sees_titles_in_events(events_fmt: str) -> None:
    text = render_events(_report("owner"), events_fmt, OPTIONS)
    for mark in TITLE_MARKS:
        assert mark in text


def test_colour_only_when_asked(fmt: str) -> None:
    report = _report("owner")
    plain = render(report, fmt, RenderOptions(color=False))
    assert not ANSI.search(plain)
    coloured = render(report, fmt, RenderOptions(color=True))
    if fmt == "table":
        assert ANSI.search(coloured)


def test_events_table_colour_only_when_asked() -> None:
    report = _report("owner")
    assert not ANSI.search(render_events(report, "table", RenderOptions(color=False)))
    assert ANSI.search(render_events(report, "table", RenderOptions(color=True)))


def test_several_reps_render(fmt: str) -> None:
    text = render([_report("owner"), _report("manager")], fmt, OPTIONS)
    assert "you@example.com" in text


def test_json_from_kept_fragments_is_byte_for_byte_the_same() -> None:
    from dataclasses import replace

    from routine_audit.report.json_report import render_fragments, rep_fragment

    owner = _report("owner")
    # several reps, emails sorting in another order than given, one title with quotes,
    # newlines and non-ASCII: whatever the encoder escapes or indents
    reps = [
        replace(owner, rep=replace(owner.rep, email="zoe@example.com", name='Zoë "Z"\nline')),
        replace(owner, rep=replace(owner.rep, email="al@example.com")),
        _report("manager"),
    ]
    expected = render(reps, "json", OPTIONS)
    assert render_fragments(reps, [rep_fragment(r) for r in reps]) == expected
    assert expected.index('"al@example.com"') < expected.index('"zoe@example.com"')


def test_csv_from_kept_fragments_is_byte_for_byte_the_same() -> None:
    from dataclasses import replace

    from routine_audit.report import csv_report

    owner = _report("owner")
    reps = [
        replace(owner, rep=replace(owner.rep, email="zoe@example.com")),
        replace(owner, rep=replace(owner.rep, email="=al@example.com")),  # a formula start
        _report("manager"),
    ]
    expected = render(reps, "csv", OPTIONS)
    fragments = [csv_report.rep_fragment(r) for r in reps]
    assert csv_report.render_fragments(reps, fragments) == expected
    assert expected.count(chr(10)) == 1 + sum(len(r.daily) for r in reps)


# -- one format each -----------------------------------------------------------


def test_terminal_shows_incomplete_data_and_keeps_markup_literal() -> None:
    text = render(_report("owner"), "table", OPTIONS)
    assert "INCOMPLETE" in text
    assert "Data quality" in text
    assert "unreadable <b>RRULE</b>" in text
    assert "[bold]secret[/bold]" in text  # calendar text is never read as rich markup


def test_markdown_escapes_calendar_text() -> None:
    text = render(_report("owner"), "markdown", OPTIONS)
    assert "<script>" not in text
    assert "<b>" not in text
    assert "&lt;script&gt;" in text
    assert "alert(1)&lt;/script&gt; \\| =HYPERLINK" in text


def _markdown_tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


@pytest.mark.parametrize("share_titles", [False, True])
def test_markdown_tables_keep_their_shape(share_titles: bool) -> None:
    audience = "manager" if share_titles else "owner"
    text = render(_report(audience, share_titles=share_titles), "markdown", OPTIONS)
    tables = _markdown_tables(text)
    assert any("HYPERLINK" in "".join(t) for t in tables)  # a title sits in a table
    for table in tables:
        cells = {len(re.split(r"(?<!\\)\|", line)) for line in table}
        assert len(cells) == 1, table


@pytest.mark.parametrize("audience", ["owner", "manager"])
@pytest.mark.parametrize("share_titles", [False, True])
def test_json_matches_the_schema(audience: str, share_titles: bool) -> None:
    report = _report(audience, share_titles=share_titles)
    document = json.loads(render(report, "json", OPTIONS))
    Draft202012Validator.check_schema(_schema())
    errors = list(Draft202012Validator(_schema()).iter_errors(document))
    assert not errors, errors[0].message
    assert document["schema_version"] == 3
    assert document["tool_version"] == __version__
    assert document["period"] == {
        "start": "2026-11-02",
        "end": "2026-11-08",
        "tz": "Europe/London",
        "label": "2026-W45",
    }
    rep = document["reps"]["you@example.com"]
    assert rep["audience"] == audience
    assert rep["incomplete"] is True
    assert [c["id"] for c in rep["commitments"]] == [c.id for c in report.commitments]


def test_json_titles_follow_the_audience() -> None:
    def titles(report: RepReport) -> set[str | None]:
        rep = json.loads(render(report, "json", OPTIONS))["reps"]["you@example.com"]
        return {
            block["title"]
            for finding in rep["findings"]
            for block in finding["evidence"] + finding["obstacles"]
        }

    assert titles(_report("manager")) == {None}
    assert PRIVATE_TITLE in titles(_report("owner"))
    shared = titles(_report("manager", share_titles=True))
    assert SCRIPT_TITLE in shared
    assert PRIVATE_TITLE not in shared


def test_json_datetimes_carry_an_offset() -> None:
    rep = json.loads(render(_report("owner"), "json", OPTIONS))["reps"]["you@example.com"]
    blocks = [b for f in rep["findings"] for b in f["evidence"] + f["obstacles"]]
    assert blocks
    for block in blocks:
        assert datetime.fromisoformat(block["start"]).utcoffset() is not None


def test_json_is_stable() -> None:
    report = _report("owner")
    text = render(report, "json", OPTIONS)
    assert text.endswith("}\n")
    assert text == render(report, "json", OPTIONS)


def test_schema_lists_every_finding_kind() -> None:
    from routine_audit.report.coaching import QUESTIONS

    kinds = _schema()["$defs"]["finding"]["properties"]["kind"]["enum"]
    assert set(kinds) == set(QUESTIONS)


def test_csv_report() -> None:
    report = _report("owner")
    text = render(report, "csv", OPTIONS)
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["rep", "date", "activity", "hours", "target_hours"]
    assert len(rows) == 1 + len(report.daily)
    assert rows[1:] == sorted(rows[1:])
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), row


@pytest.mark.parametrize("audience", ["owner", "manager"])
def test_events_csv(audience: str) -> None:
    report = _report(audience)
    text = render_events(report, "csv", OPTIONS)
    rows = list(csv.DictReader(io.StringIO(text)))
    required = "rep,start,end,hours,counted_hours,activity,rule,counted,reason,all_day,summary"
    assert set(required.split(",")) <= set(rows[0])
    assert len(rows) == len(report.occurrences)
    for row in rows:
        assert datetime.fromisoformat(row["start"]).utcoffset() is not None
        for cell in row.values():
            assert not cell.startswith(FORMULA_START), row
    summaries = {row["summary"] for row in rows}
    if audience == "owner":
        assert "'=Zorblat follow-up" in summaries
    else:
        assert summaries == {""}


def test_events_json() -> None:
    report = _report("manager")
    rows = json.loads(render_events(report, "json", OPTIONS))
    assert len(rows) == len(report.occurrences)
    assert {row["rep"] for row in rows} == {"you@example.com"}
    assert {row["summary"] for row in rows} == {None}


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (-1.5, -1.5),
    ],
)
def test_neutralize(cell: object, safe: object) -> None:
    assert neutralize(cell) == safe


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_met_commitment_shows_no_negative_gap(fmt: str) -> None:
    report = _report("owner")
    exceeded = [c for c in report.commitments if c.gap < 0]
    assert exceeded  # e.g. an admin limit well under its maximum
    assert all(c.shortfall == 0 for c in exceeded)
    text = render(report, fmt, OPTIONS)
    assert not re.search(r"(?<![\w-])-\d+(\.\d+)? ?(h|min|block|meeting)", text)
