"""The week ahead as an HTML page (``<rep>-week-ahead.html`` in a team run): the
commitments against what is already blocked out, the coming week drawn as the audit
report draws a week (``svg.py``), and the lines to settle before it starts. Like the
audit page it loads nothing and reads only the audience-filtered view."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ..inputs import input_text
from ..wording import amount_text, days_text
from . import RenderOptions, svg
from .ahead_text import NEXT_WEEK_LINES, quiet_text, status_text
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
from .html import audience_text, legend, reps_page, week_drawn


def render(reports: list[AheadReport], options: RenderOptions | None = None) -> str:
    """One self-contained page with a section per rep."""
    return reps_page("ahead.html.j2", "The week ahead", "ahead", reports, _rep)


def _rep(report: AheadReport, anchor: str) -> dict[str, Any]:
    inner, period = report.report, report.period
    coverage = inner.coverage
    return {
        "anchor": anchor,
        "name": report.rep.name or report.rep.email,
        "email": report.rep.email,
        "period_label": period.name,
        "period_text": days_text(period.first, period.last),
        "tz": period.tz.key,
        "audience_text": audience_text(inner),
        "coverage": coverage.line().partition(": ")[2]
        if coverage.judged
        else f"no events on the calendar for that week yet ({coverage.status.value})",
        "routine_text": input_text(inner.inputs.routine),
        "incomplete": inner.incomplete,
        "titles_shown": inner.titles_shown,
        "commitments": [
            {
                "id": c.id,
                "protected": c.protected,
                "swatch": svg.swatch(svg.activity_colour(c.activity)),
                "planned": planned_cell(c),
                "target": amount_text(c.target, c.unit),
                "status": "met" if c.blocked_out else ("over" if c.direction == "max" else "short"),
                "status_text": status_text(c),
                "days": days_cell(c),
                "short_blocks": c.short_blocks,
                "lost": lost_cell(c),
                "overlapped": overlapped_cell(c),
                "invitations": c.unanswered_invitations,
            }
            for c in report.commitments
        ],
        "calendar": week_drawn(
            inner, anchor, report.proposals.blocks if report.proposals is not None else ()
        ),
        "proposed": report.proposals is not None,
        "proposals": proposal_lines(report),
        "proposals_quiet": proposals_quiet(report),
        "legend": legend(inner),
        "lines": report.lines,
        "quiet": quiet_text(report),
        "judged": coverage.judged,
        "data_quality": inner.data_quality,
    }


def next_week_html(report: AheadReport) -> Markup:
    """The mail's short "next week" section, as an HTML fragment."""
    items = "".join(f"<li>{escape(commitment_line(c))}</li>" for c in report.commitments)
    parts = [
        f'<section class="next-week"><h2>Next week ({escape(report.period.name)})</h2>',
        f"<ul>{items}</ul>",
    ]
    shown = report.lines[:NEXT_WEEK_LINES]
    if shown:
        parts.append("<p>Before the week starts:</p><ul>")
        for line in shown:
            question = f"<br><em>{escape(line.questions[0])}</em>" if line.questions else ""
            parts.append(
                f"<li><strong>{escape(line.head)}</strong>: {escape(line.body)}{question}</li>"
            )
        parts.append("</ul>")
    proposed = proposal_lines(report)
    if proposed:
        parts.append("<p>Proposed slots (the attached file imports them):</p><ul>")
        parts += [f"<li>{escape(line)}</li>" for line in proposed]
        parts.append("</ul>")
    parts.append("</section>")
    return Markup("".join(parts))
