"""The CSV report: daily hours in long form, one row per rep, date and activity."""

from __future__ import annotations

from . import RenderOptions
from .csv_safe import write_csv, write_rows
from .view import RepReport

HEADER = ("rep", "date", "activity", "hours", "target_hours")


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """``rep,date,activity,hours,target_hours``, sorted; an empty target has no cell value."""
    rows = sorted((row for report in reports for row in _rows(report)), key=lambda row: row[:3])
    return write_csv(HEADER, rows)


def rep_fragment(report: RepReport) -> str:
    """One rep's lines of the document, as ``render_fragments`` takes them."""
    return write_rows(sorted(_rows(report), key=lambda row: row[:3]))


def render_fragments(reports: list[RepReport], fragments: list[str]) -> str:
    """``render(reports)``, byte for byte, from each rep's ``rep_fragment`` made before."""
    if len(fragments) != len(reports):
        raise ValueError("one fragment per report")
    emails = [report.rep.email for report in reports]
    if len(set(emails)) != len(emails):
        return render(reports, RenderOptions())  # rows of one email would interleave
    ordered = sorted(zip(emails, fragments, strict=True))
    return write_rows([HEADER]) + "".join(fragment for _, fragment in ordered)


def _rows(report: RepReport) -> list[tuple[object, ...]]:
    return [
        (
            report.rep.email,
            d.date.isoformat(),
            d.activity,
            round(d.hours, 2),
            None if d.target_hours is None else round(d.target_hours, 2),
        )
        for d in report.daily
    ]
