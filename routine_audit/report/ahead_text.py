"""The week ahead in words: the terminal report, the Markdown notes and the short
"next week" section of the weekly mails. Everything is in the future tense: what the
coming week's calendar already holds, what is still to book, and the questions to
settle before it starts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..inputs import input_text
from ..unit_kinds import unit_kind
from ..wording import amount_text, count_text, days_text
from . import RenderOptions
from .ahead_view import (
    AheadReport,
    commitment_line,
    days_cell,
    lost_cell,
    overlapped_cell,
    planned_cell,
    proposal_lines,
    proposals_quiet,
)
from .console import export, make_console, plain_table
from .markdown import escape
from .text import QUESTION_FINDINGS, more_questions_text

NEXT_WEEK_LINES = 3  # the mail's "next week" section tells this many lines


def status_text(c) -> str:
    """``blocked out``, ``1 h still to book``, ``within the limit``, ``1 h over``."""
    if c.busy_free:
        return "not judged"
    if c.direction == "max":
        return "within the limit" if c.blocked_out else f"{amount_text(c.gap, c.unit)} over"
    done = "blocked out" if unit_kind(c.unit).routine_blocks else "booked"
    return done if c.blocked_out else f"{amount_text(c.gap, c.unit)} still to book"


def _view_text(report: AheadReport) -> str:
    inner = report.report
    if inner.audience == "owner":
        return "the rep's own view, event titles shown"
    return "manager, event titles " + (
        "shared (private events never)" if inner.titles_shown else "hidden"
    )


def quiet_text(report: AheadReport) -> str:
    """What a week ahead with no lines says."""
    coverage = report.report.coverage
    if not coverage.judged:
        return "No events on the calendar for that week yet: nothing is blocked out."
    if not coverage.commitments_judged:
        return (
            "The calendar shows only busy/free blocks for that week: what is blocked out "
            "cannot be told."
        )
    return "Every commitment is blocked out, and nothing is booked on top."


def _title(report: AheadReport) -> str:
    rep = report.rep
    return f"{rep.name or rep.email}: the week ahead {report.period.name}"


def _coverage_line(report: AheadReport) -> str:
    coverage = report.report.coverage
    if coverage.judged:
        return coverage.line().partition(": ")[2]
    return (
        f"no events on the calendar for that week yet ({coverage.status.value}): "
        "nothing is blocked out"
    )


# -- Markdown ---------------------------------------------------------------------


def render_markdown(reports: list[AheadReport], options: RenderOptions | None = None) -> str:
    """One section per rep, separated by rules."""
    return "\n---\n\n".join(_markdown(report) for report in reports)


def _markdown(report: AheadReport) -> str:
    rep, period = report.rep, report.period
    lines = [
        f"# {escape(_title(report))}",
        "",
        f"- **Rep:** {escape(rep.name)} ({escape(rep.email)})"
        if rep.name
        else f"- **Rep:** {escape(rep.email)}",
        f"- **Week:** {days_text(period.first, period.last)} ({escape(period.tz.key)})",
        f"- **View:** {_view_text(report)}",
        f"- **Calendar coverage:** {escape(_coverage_line(report))}",
        f"- **Routine:** {escape(input_text(report.report.inputs.routine))}",
        "",
        "## Commitments",
        "",
        "| Commitment | Blocked out | Target | Status | Days with no block | Short blocks "
        "| Lost to meetings | Protected time overlapped | Invitations not answered |",
        "|---|--:|--:|---|---|--:|--:|--:|--:|",
    ]
    for c in report.commitments:
        lines.append(
            f"| {escape(c.id)} | {planned_cell(c)} "
            f"| {amount_text(c.target, c.unit)} | {status_text(c)} | {days_cell(c)} "
            f"| {c.short_blocks} | {lost_cell(c)} "
            f"| {overlapped_cell(c)} | {c.unanswered_invitations} |"
        )
    lines += ["", "## What the week holds", ""]
    if not report.lines:
        lines.append(quiet_text(report))
    for line in report.lines:
        lines.append(f"- **{escape(line.head)}:** {escape(line.body)}")
        lines += [f"  - {escape(q)}" for q in line.questions[:1]]
    if report.proposals is not None:
        lines += ["", "## Proposed slots (a file to import)", ""]
        lines += [f"- {escape(line)}" for line in proposal_lines(report)] or [
            proposals_quiet(report)
        ]
    if report.report.data_quality:
        lines += ["", "## Data quality", ""]
        lines += [f"- {escape(q)}" for q in report.report.data_quality]
    return "\n".join(lines) + "\n"


def next_week_markdown(report: AheadReport) -> str:
    """The mail's short "next week" section: each commitment's line, then the most
    pressing lines with their first question."""
    lines = [f"## Next week ({report.period.name})", ""]
    lines += [f"- {escape(commitment_line(c))}" for c in report.commitments]
    shown = report.lines[:NEXT_WEEK_LINES]
    if shown:
        lines += ["", "Before the week starts:", ""]
        for line in shown:
            lines.append(f"- **{escape(line.head)}:** {escape(line.body)}")
            lines += [f"  - {escape(q)}" for q in line.questions[:1]]
    more = len(report.lines) - len(shown)
    if more > 0:
        lines += ["", f"{count_text(more, 'more line')} in the week-ahead page."]
    proposed = proposal_lines(report)
    if proposed:
        lines += ["", "Proposed slots (the attached file imports them):", ""]
        lines += [f"- {escape(line)}" for line in proposed]
    return "\n".join(lines) + "\n"


# -- the terminal -------------------------------------------------------------------


def render_terminal(reports: list[AheadReport], options: RenderOptions) -> str:
    console = make_console(options)
    for index, report in enumerate(reports):
        if index:
            console.rule(style="dim")
        _terminal(console, report)
    return export(console, options)


def _terminal(console: Console, report: AheadReport) -> None:
    rep, period = report.rep, report.period
    console.print(Text.assemble((rep.name or rep.email, "bold"), f" <{rep.email}>"))
    console.print(
        Text(
            f"The week ahead {period.name}: {days_text(period.first, period.last)}, {period.tz.key}"
        )
    )
    console.print(Text(f"View: {_view_text(report)}", style="dim"))
    coverage = report.report.coverage
    console.print(
        Text(
            f"Calendar coverage: {_coverage_line(report)}",
            style="dim" if coverage.judged else "bold yellow",
        )
    )
    _section(console, "Commitments")
    console.print(_table(report))
    _section(console, "What the week holds")
    if not report.lines:
        console.print(Text(quiet_text(report)))
    for line in report.lines:
        console.print(Text.assemble("  - ", (line.head, "cyan"), f": {line.body}"))
    asked = [line for line in report.lines if line.questions]
    if asked:
        _section(console, "Questions before the week")
        for line in asked[:QUESTION_FINDINGS]:
            console.print(Text(line.head, style="bold"))
            for question in line.questions:
                console.print(Text(f"  - {question}"))
        more = len(asked) - QUESTION_FINDINGS
        if more > 0:
            console.print(Text(more_questions_text(more), style="dim"))
    if report.proposals is not None:
        _section(console, "Proposed slots (a file to import)")
        for line in proposal_lines(report) or [proposals_quiet(report)]:
            console.print(Text(f"  - {line}"))
    if report.report.data_quality:
        _section(console, "Data quality")
        for line in report.report.data_quality:
            console.print(Text(f"  - {line}"))


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _table(report: AheadReport) -> Table:
    table = plain_table(*(name for name, _ in _COLUMNS), right=_RIGHT)
    for c in report.commitments:
        table.add_row(
            c.id,
            planned_cell(c),
            amount_text(c.target, c.unit),
            status_text(c),
            days_cell(c),
            lost_cell(c),
        )
    return table


_COLUMNS: Sequence[tuple[str, str]] = (
    ("Commitment", "left"),
    ("Blocked out", "right"),
    ("Target", "right"),
    ("Status", "left"),
    ("No block yet", "left"),
    ("Lost to meetings", "right"),
)
_RIGHT = tuple(name for name, justify in _COLUMNS if justify == "right")
