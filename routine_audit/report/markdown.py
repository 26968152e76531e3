"""The Markdown report: 1:1 notes per rep, with the evidence and the questions to ask.

Calendar-derived text (titles, data-quality messages) is escaped, so a title
such as ``<script>`` or ``a | b`` cannot inject HTML or break a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..inputs import input_text
from ..wording import amount_text, count_text, days_text, duration_text, status_text, target_text
from . import RenderOptions
from .stories import Story
from .text import (
    block_seconds,
    health_rows,
    kind_title,
    percent_text,
    span_text,
)
from .view import Block, CommitmentView, RepReport

# inline Markdown (CommonMark, GitHub tables and strikethrough) anywhere in a text
_INLINE = re.compile(r"([\\`*_\[\]|~!])")
# what starts a heading, list, quote or rule when it opens a line or list item
_BLOCK_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape(text: str) -> str:
    """``text`` as literal Markdown: no HTML, no emphasis or links, one line, table-safe."""
    text = _INLINE.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    text = _BLOCK_START.sub(r"\1\\\2", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """One section per rep, separated by rules."""
    return "\n---\n\n".join(_rep(report) for report in reports)


def _rep(report: RepReport) -> str:
    lines = [*_header(report), *_commitments(report.commitments), *_plan(report)]
    asked: set[tuple[str, ...]] = {()}  # question sets already in the notes
    for commitment in report.commitments:
        lines += _commitment_gaps(report, commitment, asked)
    lines += _other_findings(report, asked)
    lines += _health(report)
    lines += _list_section("Notes", report.notes)
    lines += _data_quality(report)
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """``text`` as a code span (a path keeps its underscores); escaped if it has a backtick."""
    return escape(text) if "`" in text else f"`{' '.join(text.split())}`"


def _header(report: RepReport) -> list[str]:
    rep, period = report.rep, report.period
    view = {
        "owner": "the rep's own report, event titles shown",
        "manager": "manager, event titles "
        + ("shared (private events never)" if report.titles_shown else "hidden"),
    }[report.audience]
    lines = [
        f"# {escape(rep.name or rep.email)}: routine audit {period.name}",
        "",
        f"- **Rep:** {escape(rep.name)} ({escape(rep.email)})"
        if rep.name
        else f"- **Rep:** {escape(rep.email)}",
        f"- **Period:** {days_text(period.first, period.last)} ({escape(period.tz.key)})",
        f"- **View:** {view}",
        f"- **Calendar coverage:** {escape(report.coverage.line().partition(': ')[2])}",
        f"- **Routine:** {input_text(report.inputs.routine, _code)}",
        f"- **Rules:** {input_text(report.inputs.rules, _code)}",
        "",
    ]
    if report.incomplete:
        lines += [
            "> **Incomplete:** some calendar data could not be read, so scheduled time "
            "may be too low. See *Data quality*.",
            "",
        ]
    return lines


def _commitments(commitments: Sequence[CommitmentView]) -> list[str]:
    lines = [
        "## Commitments",
        "",
        "| Commitment | Target | Scheduled | Gap | Adherence | Status |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for c in commitments:
        lines.append(
            f"| {escape(c.id)} | {target_text(c.target, c.unit, c.direction)} "
            f"| {amount_text(c.scheduled, c.unit)} | {_gap(c)} "
            f"| {percent_text(c.adherence)} | {_status(c)} |"
        )
    return [*lines, ""]


def _gap(c: CommitmentView) -> str:
    return amount_text(c.shortfall, c.unit) if c.judged else "n/a"


def _status(c: CommitmentView) -> str:
    words = status_text(c.status)
    return words if c.status in ("met", "not_judged") else f"**{words}**"


def _commitment_gaps(
    report: RepReport, c: CommitmentView, asked: set[tuple[str, ...]]
) -> list[str]:
    stories = [s for s in report.stories if s.commitment == c.id]
    if not stories:
        return []
    lines = [f"## {escape(c.id)} ({status_text(c.status)})", ""]
    if c.description:
        lines += [f"*{escape(c.description)}*", ""]
    lines += [
        f"- **Target:** {target_text(c.target, c.unit, c.direction)} "
        f"over {count_text(c.committed_days, 'committed day')}",
        f"- **Scheduled:** {amount_text(c.scheduled, c.unit)}"
        f" (adherence {percent_text(c.adherence)})",
        f"- **Gap:** {_gap(c)}",
        "",
        *_story_list(stories),
        *_evidence_table(stories),
        *_questions(stories, asked),
    ]
    return lines


def _story_list(stories: Iterable[Story]) -> list[str]:
    """One line per gap: the findings of one commitment and day told once."""
    return [*(f"- **{escape(s.head)}:** {escape(s.body)}" for s in stories), ""]


def _evidence_table(stories: Sequence[Story]) -> list[str]:
    """The blocks behind the stories, each once per story and role."""
    rows = [_evidence_row(kind, role, block) for s in stories for kind, role, block in s.evidence]
    if not rows:
        return []
    return [
        "| Finding | Role | When | Time | Activity | Event |",
        "|---|---|---|--:|---|---|",
        *rows,
        "",
    ]


def _evidence_row(kind: str, role: str, block: Block) -> str:
    cells = (
        kind_title(kind),
        role,
        span_text(block.start, block.end),
        duration_text(block_seconds(block)),
        escape(block.activity),
        escape(block.label),
    )
    return f"| {' | '.join(cells)} |"


def _questions(stories: Sequence[Story], asked: set[tuple[str, ...]]) -> list[str]:
    """The questions of the most pressing gap that has some not ``asked`` yet."""
    questions = next((s.questions for s in stories if s.questions not in asked), ())
    if not questions:
        return []
    asked.add(questions)
    return ["**Questions for the 1:1**", "", *(f"- {q}" for q in questions), ""]


def _other_findings(report: RepReport, asked: set[tuple[str, ...]]) -> list[str]:
    """Gaps about limits, calendar health or the whole week, grouped by subject."""
    ids = {c.id for c in report.commitments}
    groups: dict[str, list[Story]] = {}
    for story in report.stories:
        if story.commitment not in ids:
            groups.setdefault(story.subject, []).append(story)
    if not groups:
        return []
    lines = ["## Limits and calendar habits", ""]
    for stories in groups.values():
        lines += [f"### {escape(_other_title(stories[0]))}", ""]
        lines += _story_list(stories)
        lines += _evidence_table(stories)
        lines += _questions(stories, asked)
    return lines


def _other_title(story: Story) -> str:
    """``Agreed limit broken (no-late-meetings)``; a calendar-wide kind by its title."""
    about = f" ({story.commitment})" if story.commitment else ""
    return f"{kind_title(story.kind)}{about}"


def _health(report: RepReport) -> list[str]:
    h = report.health
    return [
        "## Calendar health",
        "",
        *(f"- **{name}:** {value}" for name, value in health_rows(h)),
        "",
    ]


def _list_section(title: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    return [f"## {title}", "", *(f"- {escape(item)}" for item in items), ""]


def _data_quality(report: RepReport) -> list[str]:
    lines = ["## Data quality", ""]
    if report.incomplete:
        lines += ["**This report is incomplete:** some events could not be read.", ""]
    if not report.data_quality:
        return [*lines, "All calendar data was read.", ""]
    return [*lines, *(f"- {escape(item)}" for item in report.data_quality), ""]


def _plan(report: RepReport) -> list[str]:
    """Plan vs what survived (issue 20): per commitment planned → survived → added, then
    the planned blocks that lost time and what took it. Nothing without a history."""
    from .plan_view import PLAN_TITLE, commitment_cells, lost_text, outcome_counts, plan_intro

    plan = report.plan
    if plan is None:
        return []
    lines = [f"## {PLAN_TITLE}", "", escape(plan_intro(plan)), ""]
    if plan.snapshot_at is None:
        lines += ["| Commitment | Planned ahead |", "|---|--:|"]
        lines += [f"| {escape(c.id)} | {commitment_cells(c)[4]} |" for c in plan.commitments]
        return [*lines, ""]
    lines += [
        "| Commitment | Planned | Survived | Added | Survival | Planned ahead |",
        "|---|--:|--:|--:|--:|--:|",
        *(f"| {escape(c.id)} | {' | '.join(commitment_cells(c))} |" for c in plan.commitments),
        "",
    ]
    if plan.blocks:
        lines += [f"Planned blocks: {outcome_counts(plan)}.", ""]
    if plan.lost:
        lines += ["**Lost blocks:**", "", *(f"- {escape(lost_text(b))}" for b in plan.lost), ""]
    return lines
