"""The terminal report: one page per rep, drawn with rich, readable without colour.

The helpers here (``span_text``, ``percent_text``, ``KIND_TITLES``, ``ranked``,
``make_console``, ``plain_table``...) are shared by the Markdown and events renderers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..result import HealthFigures
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


def span_text(start: datetime, end: datetime) -> str:
    """``Mon 02 Nov 09:00–11:00``; the end's date too when the span crosses midnight."""
    if end.date() == start.date():
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"
    if end.time() == time() and end.date() == start.date() + timedelta(days=1):
        return f"{start:%a %d %b %H:%M}–24:00"
    return f"{start:%a %d %b %H:%M}–{end:%a %d %b %H:%M}"


def block_seconds(block: Block) -> int:
    """The part of the block the finding is about; all of it when the finding does not say."""
    return block.seconds or int((block.end - block.start).total_seconds())


def day_text(day: date) -> str:
    """``Mon 02 Nov``."""
    return f"{day:%a %d %b}"


def percent_text(share: float | None) -> str:
    """``85%``, or ``n/a`` when there is nothing to divide by."""
    return "n/a" if share is None else f"{share:.0%}"


def reactive_text(health: HealthFigures) -> str:
    """``2 of 5 meetings booked at short notice (40%)``."""
    if not health.meetings_with_created:
        return "unknown (no meeting says when it was booked)"
    return (
        f"{health.reactive_meetings} of {health.meetings_with_created} meetings booked "
        f"at short notice ({percent_text(health.reactive_share)})"
    )


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
    """The ``count`` most pressing findings with questions, no question set asked twice."""
    seen: set[tuple[str, ...]] = set()
    top: list[FindingView] = []
    for finding in ranked(report.findings, report):
        if finding.questions and finding.questions not in seen:
            seen.add(finding.questions)
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


def plain_table(*columns: str, right: Sequence[str] = (), title: str | None = None) -> Table:
    """A light table that reads well without colour; ``right`` columns are right-aligned."""
    table = Table(
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
        show_edge=False,
        title=Text(title, style="bold") if title else None,
        title_justify="left",
    )
    for index, name in enumerate(columns):
        # the first column names the row: keep it on one line; never cut any text short
        justify = "right" if name in right else "left"
        table.add_column(name, justify=justify, no_wrap=index == 0, overflow="fold")
    return table


def export(console: Console, options: RenderOptions) -> str:
    """The recorded text, without the padding rich leaves at the end of lines."""
    text = console.export_text(styles=options.color)
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


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


def _commitments_table(commitments: Sequence[CommitmentView]) -> Table:
    table = plain_table(
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
            Text(c.activity),
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
    headers = [f"{d:%a %d}" for d in days]
    table = plain_table("activity", *headers, "total", right=[*headers, "total"])
    cells = {(d.activity, d.date): d for d in report.daily}
    limits = {c.activity for c in report.commitments if c.direction == "max"}
    for activity in _activities(report):
        cell = partial(_daily_cell, limit=activity in limits)
        records = [cells.get((activity, d)) for d in days]
        present = [r for r in records if r is not None]
        total = sum(r.hours for r in present)
        targets = [r.target_hours for r in present if r.target_hours is not None]
        total_target = sum(targets) if targets else None
        table.add_row(
            Text(activity),
            *(cell(r.hours, r.target_hours) if r else Text("") for r in records),
            cell(total, total_target),
        )
    return table


def _activities(report: RepReport) -> list[str]:
    """Committed activities in routine order, then the rest alphabetically."""
    committed = list(dict.fromkeys(c.activity for c in report.commitments))
    rest = sorted({d.activity for d in report.daily} - set(committed))
    return committed + rest


def _daily_cell(hours: float, target: float | None, *, limit: bool) -> Text:
    """``1.5/2``: hours of a target (a maximum when ``limit``), red when it is a gap."""
    text = f"{round(hours, 2):g}"
    if target is None:
        return Text(text, style="dim" if hours == 0 else "")
    gap = hours - target if limit else target - hours
    return Text(f"{text}/{round(target, 2):g}", style="red" if gap > 1 / 60 else "green")


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
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right")
        grid.add_column()
        for finding in findings:
            grid.add_row(Text("-"), _finding_text(finding))
            for label, blocks in (("evidence", finding.evidence), ("obstacle", finding.obstacles)):
                for block in blocks:
                    grid.add_row(Text(""), _block_text(label, block))
        console.print(grid)


def _finding_text(finding: FindingView) -> Text:
    where = [finding.commitment or "", day_text(finding.day) if finding.day else ""]
    prefix = ", ".join(w for w in where if w)
    text = Text()
    if prefix:
        text.append(prefix, style="cyan")
        text.append(": ")
    text.append(finding.detail)
    return text


def _block_text(label: str, block: Block) -> Text:
    amount = duration_text(block_seconds(block))
    return Text.assemble(
        (f"  {label:<9}{span_text(block.start, block.end)} ({amount})  ", "dim"), block.label
    )


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
    rows = [
        ("working time", duration_text(h.working_seconds)),
        ("booked", duration_text(h.booked_seconds)),
        (
            "unclassified",
            f"{percent_text(h.unclassified_share)} of working time "
            f"({duration_text(h.other_seconds)})",
        ),
        ("reactive", reactive_text(h)),
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
