"""The CSV report: daily hours in long form, one row per rep, date and activity."""

from __future__ import annotations

from . import RenderOptions
from .csv_safe import write_csv
from .view import RepReport

HEADER = ("rep", "date", "activity", "hours", "target_hours")


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """``rep,date,activity,hours,target_hours``, sorted; an empty target has no cell value."""
    rows = sorted(
        (
            (
                report.rep.email,
                d.date.isoformat(),
                d.activity,
                round(d.hours, 2),
                None if d.target_hours is None else round(d.target_hours, 2),
            )
            for report in reports
            for d in report.daily
        ),
        key=lambda row: row[:3],
    )
    return write_csv(HEADER, rows)
