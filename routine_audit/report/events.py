"""The ``events`` command's output: one row per occurrence, with how it was counted."""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any

from rich.table import Table
from rich.text import Text

from ..wording import clock_text, day_text, duration_text, hours_text
from . import RenderOptions
from .console import export, make_console, plain_table
from .csv_safe import write_csv
from .stories import event_name
from .text import span_text
from .view import Block, OccurrenceView, RepReport

COLUMNS = (
    "rep",
    "start",
    "end",
    "hours",
    "counted_hours",
    "activity",
    "rule",
    "counted",
    "reason",
    "all_day",
    "summary",
)


def rows(reports: list[RepReport]) -> list[dict[str, Any]]:
    """One record per occurrence, in time order; ``summary`` is None when hidden."""
    return [
        _row(report, occ)
        for report in reports
        for occ in sorted(report.occurrences, key=lambda o: (o.start, o.end))
    ]


def _row(report: RepReport, occ: OccurrenceView) -> dict[str, Any]:
    tz = report.period.tz
    return {
        "rep": report.rep.email,
        "start": occ.start.astimezone(tz).isoformat(),
        "end": occ.end.astimezone(tz).isoformat(),
        "hours": round(occ.hours, 4),
        "counted_hours": round(occ.counted_hours, 4),
        "activity": occ.activity,
        "rule": occ.rule,
        "counted": occ.counted,
        "reason": reason_text(occ, tz),
        "all_day": occ.all_day,
        "summary": occ.title,
    }


def reason_text(occ: OccurrenceView, tz: tzinfo) -> str:
    """Why the occurrence counts less than its length, or not at all: its counting reason,
    and the events that took its time ("displaced 1 h by a client meeting 10:00–11:00"),
    each named by its title only where this audience may see it."""
    parts = [occ.reason] if occ.reason else []
    if occ.displaced:
        day = occ.start.astimezone(tz).date()
        parts.append("displaced " + ", ".join(_taken(b, day, tz) for b in occ.displaced))
    return "; ".join(parts)


def _taken(block: Block, day: date, tz: tzinfo) -> str:
    what = event_name(block)
    start, end = block.start.astimezone(tz), block.end.astimezone(tz)
    # the row gives the day: a span within it needs only its times
    same_day = start.date() == day and end.date() == day
    span = f"{clock_text(start)}–{clock_text(end)}" if same_day else span_text(start, end)
    return f"{duration_text(block.seconds)} by {what} {span}"


def render_csv(reports: list[RepReport], options: RenderOptions) -> str:
    """``COLUMNS`` as CSV; a hidden title is an empty cell."""
    records = rows(reports)
    return write_csv(
        COLUMNS,
        ([_csv_cell(record[name]) for name in COLUMNS] for record in records),
    )


def _csv_cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def render_json(reports: list[RepReport], options: RenderOptions) -> str:
    """A JSON list of ``COLUMNS`` records; a hidden title is null."""
    return json.dumps(rows(reports), indent=2, ensure_ascii=False) + "\n"


def render_table(reports: list[RepReport], options: RenderOptions) -> str:
    """One table per rep, readable without colour."""
    console = make_console(options)
    for report in reports:
        console.print(_table(report))
    return export(console, options)


def _table(report: RepReport) -> Table:
    table = plain_table(
        "when",
        "hours",
        "counted",
        "why",
        "activity",
        "rule",
        "title",
        right=("hours", "counted"),
        title=f"{report.rep.name} <{report.rep.email}>, {report.period.name}",
    )
    tz = report.period.tz
    for occ in sorted(report.occurrences, key=lambda o: (o.start, o.end)):
        start, end = occ.start.astimezone(tz), occ.end.astimezone(tz)
        when = _all_day(start, end) if occ.all_day else span_text(start, end)
        counted = Text(hours_text(occ.counted_hours)) if occ.counted else Text("no", style="yellow")
        table.add_row(
            Text(when),
            Text(hours_text(occ.hours)),
            counted,
            Text(reason_text(occ, tz)),
            Text(occ.activity, style="dim" if occ.activity == "other" else "cyan"),
            Text(occ.rule),
            Text("(hidden)", style="dim") if occ.title is None else Text(occ.title),
        )
    return table


def _all_day(start: datetime, end: datetime) -> str:
    days = (end.date() - start.date()).days
    return f"{day_text(start)} all day" + (f" ({days} days)" if days > 1 else "")
