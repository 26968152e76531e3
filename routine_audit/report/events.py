"""The ``events`` command's output: one row per occurrence, with how it was counted."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from . import RenderOptions
from .console import export, make_console, plain_table
from .csv_safe import write_csv
from .text import span_text
from .view import OccurrenceView, RepReport

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
        "reason": occ.reason,
        "all_day": occ.all_day,
        "summary": occ.title,
    }


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
        "activity",
        "rule",
        "title",
        right=("hours", "counted"),
        title=f"{report.rep.name} <{report.rep.email}>, {report.period.label}",
    )
    tz = report.period.tz
    for occ in sorted(report.occurrences, key=lambda o: (o.start, o.end)):
        start, end = occ.start.astimezone(tz), occ.end.astimezone(tz)
        when = _all_day(start, end) if occ.all_day else span_text(start, end)
        counted = (
            Text(f"{occ.counted_hours:.2f}")
            if occ.counted
            else Text(f"no: {occ.reason}" if occ.reason else "no", style="yellow")
        )
        table.add_row(
            Text(when),
            Text(f"{occ.hours:.2f}"),
            counted,
            Text(occ.activity, style="dim" if occ.activity == "other" else "cyan"),
            Text(occ.rule),
            Text("(hidden)", style="dim") if occ.title is None else Text(occ.title),
        )
    return table


def _all_day(start: datetime, end: datetime) -> str:
    days = (end.date() - start.date()).days
    return f"{start:%a %d %b} all day" + (f" ({days} days)" if days > 1 else "")
