"""The terminal report: one page per rep, drawn with rich, readable without colour."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..inputs import input_text
from ..period import Period
from ..wording import (
    amount_text,
    count_text,
    day_text,
    days_text,
    duration_text,
    hours_text,
    status_text,
    target_text,
)
from . import RenderOptions
from .console import export, make_console, plain_table
from .stories import Story, event_name, questions_to_ask
from .text import (
    QUESTION_FINDINGS,
    block_seconds,
    health_rows,
    kind_title,
    more_questions_text,
    percent_text,
    span_text,
)
from .view import Block, CommitmentView, DailyView, RepReport

STATUS_STYLES = {"met": "green", "short": "red", "over": "red"}


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
    _plan(console, report)
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
            _period_text(period)
            + ("" if rep.timezone == period.tz.key else f" (routine zone {rep.timezone})")
        )
    )
    console.print(Text(f"View: {_audience_text(report)}", style="dim"))
    console.print(
        Text(report.coverage.line(), style="dim" if report.coverage.judged else "bold yellow")
    )
    console.print(Text(f"Routine: {input_text(report.inputs.routine)}", style="dim"))
    console.print(Text(f"Rules: {input_text(report.inputs.rules)}", style="dim"))
    if report.incomplete:
        console.print(
            Text(
                "INCOMPLETE: some calendar data could not be read; see Data quality.",
                style="bold red",
            )
        )


def _period_text(period: Period) -> str:
    """``Period 2026-W45: Mon 02 Nov – Sun 08 Nov 2026, Europe/London``."""
    days = days_text(period.first, period.last)
    head = "Period" if period.name == days else f"Period {period.name}"
    return f"{head}: {days}, {period.tz.key}"


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
            Text(target_text(c.target, c.unit, c.direction)),
            Text(amount_text(c.scheduled, c.unit)),
            Text(amount_text(c.shortfall, c.unit) if c.judged else "n/a", style=style),
            Text(percent_text(c.adherence)),
            Text(blocks),
            Text(status_text(c.status), style=style),
        )
    return table


def _daily_table(report: RepReport) -> Table:
    """Time per activity and day; under a committed activity, its target (or limit) row."""
    days = report.period.days
    headers = [day_text(d) for d in days]
    table = plain_table("activity", *headers, "total", right=[*headers, "total"])
    cells = {(d.activity, d.date): d for d in report.daily}
    limits = {c.activity for c in report.commitments if c.direction == "max"}
    for activity in _activities(report):
        cell = partial(_daily_cell, limit=activity in limits)
        records = [cells.get((activity, d)) for d in days]
        present = [r for r in records if r is not None]
        targets = [r.target_hours for r in present if r.target_hours is not None]
        total_target = sum(targets) if targets else None
        table.add_row(
            Text(activity),
            *(cell(r.hours, r.target_hours) if r else Text("") for r in records),
            cell(sum(r.hours for r in present), total_target),
        )
        if total_target is not None:
            table.add_row(
                Text("  limit" if activity in limits else "  target", style="dim"),
                *(_target_cell(r) for r in records),
                Text(hours_text(total_target), style="dim"),
            )
    return table


def _target_cell(record: DailyView | None) -> Text:
    if record is None or record.target_hours is None:
        return Text("")
    return Text(hours_text(record.target_hours), style="dim")


def _activities(report: RepReport) -> list[str]:
    """Committed activities in routine order, then the rest alphabetically."""
    committed = list(dict.fromkeys(c.activity for c in report.commitments))
    rest = sorted({d.activity for d in report.daily} - set(committed))
    return committed + rest


def _daily_cell(hours: float, target: float | None, *, limit: bool) -> Text:
    """``1 h 30 min``: red when short of its target (over, for a ``limit``), else green."""
    text = hours_text(hours)
    if target is None:
        return Text(text, style="dim" if hours == 0 else "")
    gap = hours - target if limit else target - hours
    return Text(text, style="red" if gap > 1 / 60 else "green")


def _findings(console: Console, report: RepReport) -> None:
    """Each gap told once (one story per commitment and day), by its most pressing kind."""
    count = len(report.findings)
    stories = report.stories
    # a gap may gather several findings: say so where the counts differ
    told = f", from {count_text(count, 'finding')}" if count != len(stories) else ""
    _section(console, f"Gaps ({len(stories)}{told})" if count else "Gaps")
    if not stories:
        console.print(Text("No gaps found."))
        return
    by_kind: dict[str, list[Story]] = {}
    for story in stories:
        by_kind.setdefault(story.kind, []).append(story)
    for kind, group in by_kind.items():
        console.print(Text(f"{kind_title(kind)} ({len(group)})", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right")
        grid.add_column()
        for story in group:
            grid.add_row(Text("-"), Text.assemble((story.head, "cyan"), f": {story.body}"))
            for _, role, block in story.evidence:
                grid.add_row(Text(""), _block_text(role, block))
        console.print(grid)


def _block_text(label: str, block: Block) -> Text:
    amount = duration_text(block_seconds(block))
    return Text.assemble(
        (f"  {label:<9}{span_text(block.start, block.end)} ({amount})  ", "dim"),
        block.label if block.title is not None else event_name(block),
    )


def _questions(console: Console, report: RepReport) -> None:
    chosen = questions_to_ask(report.stories)
    if not chosen:
        return
    _section(console, "Questions for the 1:1")
    for story in chosen[:QUESTION_FINDINGS]:
        about = f" ({story.commitment})" if story.commitment else ""
        console.print(Text(f"{kind_title(story.kind)}{about}", style="bold"))
        for question in story.questions:
            console.print(Text(f"  - {question}"))
    more = len(chosen) - QUESTION_FINDINGS
    if more > 0:  # say so, never drop them silently
        console.print(Text(f"{more_questions_text(more)}", style="dim"))


def _health(console: Console, report: RepReport) -> None:
    h = report.health
    _section(console, "Calendar health")
    for name, value in health_rows(h):
        console.print(Text(f"  {name.lower() + ':':<19}{value}"))


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


def _plan(console: Console, report: RepReport) -> None:
    """Plan vs what survived (issue 20), as text lines; nothing without a history."""
    from .plan_view import PLAN_TITLE, plan_text_lines

    if report.plan is None:
        return
    _section(console, PLAN_TITLE)
    for line in plan_text_lines(report.plan):
        console.print(Text(line))
