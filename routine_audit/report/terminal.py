"""The terminal report: one page per rep, drawn with rich, readable without colour.

The plain-text helpers here (``span_text``, ``percent_text``, ``KIND_TITLES``,
``top_findings``, ``make_console``) are shared by the Markdown and events renderers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..units import amount_text, duration_text
from . import RenderOptions
from .view import Block, CommitmentView, FindingView, RepReport

# finding kinds in the order reports show them, most pressing first
KIND_TITLES: dict[str, str] = {
    "protected_overlap": "Personal priority overlapped",
    "limit_broken": "Agreed limit broken",
    "under_target": "Under target",
    "over_limit": "Over limit",
    "missing_block": "No block on a committed day",
    "displaced": "Block displaced",
    "not_achievable": "Not achievable",
    "short_blocks": "Blocks too short",
    "outside_window": "Outside the window",
    "unclassified_time": "Unclassified time",
    "reactive_booking": "Reactive booking",
    "fragmentation": "Fragmented days",
}
STATUS_STYLES = {"met": "green", "short": "red", "over": "red"}
QUESTION_FINDINGS = 3  # the terminal report asks about this many findings


# -- plain-text helpers ------------------------------------------------------


def span_text(block: Block) -> str:
    """``Mon 02 Nov 09:00–11:00``; the end's date too when the block crosses midnight."""
    start, end = block.start, block.end
    if end.date() == start.date():
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"
    if end.timetz() == time(tzinfo=end.tzinfo) and end.date() == start.date() + timedelta(days=1):
        return f"{start:%a %d %b %H:%M}–24:00"
    return f"{start:%a %d %b %H:%M}–{end:%a %d %b %H:%M}"


def day_text(day: date) -> str:
    """``Mon 02 Nov``."""
    return f"{day:%a %d %b}"


def percent_text(share: float | None) -> str:
    """``85%``, or ``n/a`` when there is nothing to divide by."""
    return "n/a" if share is None else f"{share:.0%}"


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())


def ranked(findings: Iterable[FindingView], report: RepReport) -> list[FindingView]:
    """Findings most pressing first: by kind, then by the commitment's adherence."""
    adherence = {c.id: c.adherence for c in report.commitments}
    order = list(KIND_TITLES)

    def key(finding: FindingView) -> tuple[int, float]:
        rank = order.index(finding.kind) if finding.kind in order else len(order)
        score = adherence.get(finding.commitment or "")
        return rank, 1.0 if score is None else score

    return sorted(findings, key=key)


def top_findings(report: RepReport, count: int = QUESTION_FINDINGS) -> list[FindingView]:
    """The ``count`` most pressing findings that have questions, one per kind and commitment."""
    seen: set[tuple[str, str | None]] = set()
    top: list[FindingView] = []
    for finding in ranked(report.findings, report):
        if not finding.questions or (finding.kind, finding.commitment) in seen:
            continue
        seen.add((finding.kind, finding.commitment))
        top.append(finding)
    return top[:count]


def make_console(options: RenderOptions) -> Console:
    """A recording console: ANSI colours only when ``options.color``."""
    return Console(
        record=True,
        file=io.StringIO(),
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )


def export(console: Console, options: RenderOptions) -> str:
    return console.export_text(styles=options.color)


# -- the report --------------------------------------------------------------


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """One page per rep: commitments, daily hours, findings, questions, health."""
    console = make_console(options)
    for index, report in enumerate(reports):
        if index:
            console.rule(style="dim")
        _rep(console, report)
    return export(console, options)


def _rep(console: Console, report: RepReport) -> None:
    _header(console, report)
    _section(console, "Commitments")
    console.print(_commitments_table(report.commitments))
    _section(console, "Hours per day")
    console.print(_daily_table(report))
    _findings(console, report)
    _questions(console, report)
    _health(console, report)
    _notes(console, report)
    _data_quality(console, report)


def _header(console: Console, report: RepReport) -> None:
    rep, period = report.rep, report.period
    console.print(Text.assemble((rep.name, "bold"), f" <{rep.email}>"))
    console.print(
        Text(
            f"Period {period.label}: {day_text(period.first)} – {day_text(period.last)} "
            f"{period.last.year}, {period.tz.key}"
            + ("" if rep.timezone == period.tz.key else f" (routine zone {rep.timezone})")
        )
    )
    console.print(Text(f"View: {_audience_text(report)}", style="dim"))
    if report.incomplete:
        console.print(
            Text(
                "INCOMPLETE: some calendar data could not be read; see Data quality.",
                style="bold red",
            )
        )


def _audience_text(report: RepReport) -> str:
    if report.audience == "owner":
        return "the rep's own report (event titles shown)"
    if report.titles_shown:
        return "manager (event titles shared, except private events)"
    return "manager (event titles hidden)"


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _table(*columns: str, right: Sequence[str] = ()) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left")
    return table


def _commitments_table(commitments: Sequence[CommitmentView]) -> Table:
    table = _table(
        "commitment",
        "activity",
        "target",
        "scheduled",
        "gap",
        "adherence",
        "blocks",
        "status",
        right=("target", "scheduled", "gap", "adherence", "blocks"),
    )
    for c in commitments:
        style = STATUS_STYLES.get(c.status, "")
        blocks = f"{c.blocks}" + (f" (+{c.short_blocks} short)" if c.short_blocks else "")
        table.add_row(
            Text(c.id),
            Text(c.activity + (" (protected)" if c.protected else "")),
            Text(amount_text(c.target, c.unit) + (" max" if c.direction == "max" else "")),
            Text(amount_text(c.scheduled, c.unit)),
            Text(amount_text(c.gap, c.unit), style=style),
            Text(percent_text(c.adherence)),
            Text(blocks),
            Text(c.status, style=style),
        )
    return table


def _daily_table(report: RepReport) -> Table:
    days = report.period.days
    table = _table("activity", *(f"{d:%a %d}" for d in days), "total", right=())
    for column in table.columns[1:]:
        column.justify = "right"
    cells = {(d.activity, d.date): d for d in report.daily}
    for activity in _activities(report):
        records = [cells.get((activity, d)) for d in days]
        present = [r for r in records if r is not None]
        total = sum(r.hours for r in present)
        targets = [r.target_hours for r in present if r.target_hours is not None]
        total_target = sum(targets) if targets else None
        table.add_row(
            Text(activity),
            *(_daily_cell(r.hours, r.target_hours) if r else Text("") for r in records),
            _daily_cell(total, total_target),
        )
    return table


def _activities(report: RepReport) -> list[str]:
    """Committed activities in routine order, then the rest alphabetically."""
    committed = list(dict.fromkeys(c.activity for c in report.commitments))
    rest = sorted({d.activity for d in report.daily} - set(committed))
    return committed + rest


def _daily_cell(hours: float, target: float | None) -> Text:
    text = f"{round(hours, 2):g}"
    if target is None:
        return Text(text, style="dim" if hours == 0 else "")
    met = hours >= target - 1 / 60
    return Text(f"{text}/{round(target, 2):g}", style="green" if met else "red")


def _findings(console: Console, report: RepReport) -> None:
    _section(console, f"Findings ({len(report.findings)})")
    if not report.findings:
        console.print(Text("No gaps found."))
        return
    by_kind: dict[str, list[FindingView]] = {}
    for finding in ranked(report.findings, report):
        by_kind.setdefault(finding.kind, []).append(finding)
    for kind, findings in by_kind.items():
        console.print(Text(f"{kind_title(kind)} ({len(findings)})", style="bold"))
        for finding in findings:
            console.print(_finding_line(finding))
            for label, blocks in (("block", finding.evidence), ("by", finding.obstacles)):
                for block in blocks:
                    console.print(_block_line(label, block))


def _finding_line(finding: FindingView) -> Text:
    where = [finding.commitment or "", day_text(finding.day) if finding.day else ""]
    prefix = ", ".join(w for w in where if w)
    line = Text("  - ")
    if prefix:
        line.append(prefix, style="cyan")
        line.append(": ")
    line.append(finding.detail)
    return line


def _block_line(label: str, block: Block) -> Text:
    line = Text(f"      {label:<6}{span_text(block)}  ", style="dim")
    line.append(block.label)
    if block.seconds:
        line.append(f"  ({duration_text(block.seconds)})", style="dim")
    return line


def _questions(console: Console, report: RepReport) -> None:
    top = top_findings(report)
    if not top:
        return
    _section(console, "Questions for the 1:1")
    for finding in top:
        about = f" ({finding.commitment})" if finding.commitment else ""
        console.print(Text(f"{kind_title(finding.kind)}{about}", style="bold"))
        for question in finding.questions:
            console.print(Text(f"  - {question}"))


def _health(console: Console, report: RepReport) -> None:
    h = report.health
    _section(console, "Calendar health")
    reactive = (
        f"{h.reactive_meetings} of {h.meetings_with_created} meetings booked at short notice "
        f"({percent_text(h.reactive_share)})"
        if h.meetings_with_created
        else "unknown (no meeting says when it was booked)"
    )
    rows = [
        ("working time", duration_text(h.working_seconds)),
        ("booked", duration_text(h.booked_seconds)),
        (
            "unclassified",
            f"{percent_text(h.unclassified_share)} of working time "
            f"({duration_text(h.other_seconds)})",
        ),
        ("reactive", reactive),
        ("fragmented days", str(h.fragmented_days)),
    ]
    for name, value in rows:
        console.print(Text(f"  {name + ':':<17}{value}"))


def _notes(console: Console, report: RepReport) -> None:
    if report.notes:
        _section(console, "Notes")
        _bullets(console, report.notes)


def _data_quality(console: Console, report: RepReport) -> None:
    _section(console, "Data quality")
    if report.incomplete:
        console.print(
            Text(
                "This report is INCOMPLETE: some events could not be read, "
                "so scheduled time may be too low.",
                style="bold red",
            )
        )
    if report.data_quality:
        _bullets(console, report.data_quality)
    else:
        console.print(Text("All calendar data was read."))


def _bullets(console: Console, lines: Iterable[str]) -> None:
    for line in lines:
        console.print(Text(f"  - {line}"))
