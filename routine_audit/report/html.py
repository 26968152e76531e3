"""The HTML report: one self-contained page per run, the team roll-up on its own page.

The page makes no request to any network: styles are inline, charts are inline
SVG (``svg.py``), there is no script, and a Content-Security-Policy forbids
loading anything. Templates (``templates/``) are rendered by jinja2 with
autoescaping, so calendar text (titles, data-quality messages) is always
escaped. Like every renderer this one reads only the audience-filtered
``RepReport`` records: a hidden title is ``None`` and never reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .._version import __version__
from ..finding_kinds import KindField, finding_kind
from ..inputs import input_text
from ..period import Period
from ..wording import (
    MINUS,
    amount_text,
    change_text,
    day_text,
    days_text,
    duration_text,
    status_text,
    target_text,
)
from . import RenderOptions, svg
from .heatmap import TeamHeatmap
from .stories import Story
from .team_view import RankedGap, TeamReport
from .text import (
    block_seconds,
    health_rows,
    kind_title,
    percent_text,
    span_text,
)
from .view import Block, CommitmentView, OccurrenceView, RepReport

TOP_GAPS = 10  # the roll-up lists this many of the biggest gaps
# findings whose evidence and obstacles are marked on the calendar: kind -> (evidence,
# obstacles), read from each kind's marks (routine_audit/finding_kinds.py)
MARKED_FINDINGS: KindField[tuple[str | None, str | None]] = KindField(
    lambda kind: (kind.marks.evidence, kind.marks.obstacles),
    only=lambda kind: bool(kind.marks.evidence or kind.marks.obstacles),
)
ROLE_TEXT = {"evidence": "evidence", "obstacle": "obstacle", "limit": "broke the limit"}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("routine_audit", "report/templates"),
        # the templates are named *.html.j2: escape in every template, whatever its name
        autoescape=select_autoescape(
            enabled_extensions=("html", "j2"), default=True, default_for_string=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _page(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(version=__version__, **context)


# -- one page of rep reports ---------------------------------------------------


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """One self-contained HTML page with a section per rep."""
    return reps_page("rep.html.j2", "Routine audit", "rep", reports, _rep)


def reps_page(
    template: str,
    heading: str,
    prefix: str,
    reports: Sequence[Any],
    section: Callable[[Any, str], dict[str, Any]],
) -> str:
    """A page with a section per rep's report (``section(report, anchor)``, anchors
    ``prefix-1``, ``prefix-2``...), titled ``heading``, the periods and the reps."""
    names = ", ".join(r.rep.name or r.rep.email for r in reports)
    labels = sorted({r.period.name for r in reports})
    title = f"{heading} {', '.join(labels)}: {names}" if reports else heading
    return _page(
        template,
        title=title,
        reps=[section(report, f"{prefix}-{index + 1}") for index, report in enumerate(reports)],
    )


def _rep(report: RepReport, anchor: str) -> dict[str, Any]:
    rep, period = report.rep, report.period
    return {
        "anchor": anchor,
        "name": rep.name or rep.email,
        "email": rep.email,
        "period_label": period.name,
        "period_text": _period_text(period),
        "tz": period.tz.key,
        "routine_tz": "" if rep.timezone == period.tz.key else rep.timezone,
        "audience_text": _audience_text(report),
        "routine_text": input_text(report.inputs.routine),
        "rules_text": input_text(report.inputs.rules),
        "titles_shown": report.titles_shown,
        "incomplete": report.incomplete,
        "coverage": report.coverage.line().partition(": ")[2],
        "judged": report.coverage.judged,
        "commitments": _commitments(report.commitments),
        "plan": _plan(report),
        "calendar": _calendar(report, anchor),
        "legend": _legend(report),
        "trends": [_trend(report, c) for c in report.commitments],
        "groups": _finding_groups(report),
        "health": health_rows(report.health),
        "notes": report.notes,
        "data_quality": report.data_quality,
    }


def _period_text(period: Period) -> str:
    return days_text(period.first, period.last)


def _audience_text(report: RepReport) -> str:
    if report.audience == "owner":
        return "the rep's own report, event titles shown"
    if report.titles_shown:
        return "manager, event titles shared (private events never)"
    return "manager, event titles hidden"


def _commitments(commitments: Sequence[CommitmentView]) -> list[dict[str, Any]]:
    ratios = [_ratio(c) for c in commitments]
    scale = svg.bar_scale(ratios)
    rows = []
    for c, ratio in zip(commitments, ratios, strict=True):
        target = target_text(c.target, c.unit, c.direction)
        scheduled = amount_text(c.scheduled, c.unit)
        rows.append(
            {
                "id": c.id,
                "description": c.description,
                "protected": c.protected,
                "swatch": svg.swatch(svg.activity_colour(c.activity)),
                "target": target,
                "scheduled": scheduled,
                "gap": amount_text(c.shortfall, c.unit) if c.judged else "n/a",
                "adherence": percent_text(c.adherence),
                "status": c.status,
                "status_text": status_text(c.status),
                "bar": svg.target_bar(
                    ratio,
                    c.status,
                    scale=scale,
                    tooltip=f"{c.id}: {scheduled} scheduled, target {target}",
                ),
            }
        )
    return rows


def _ratio(c: CommitmentView) -> float:
    if c.target > 0:
        return c.scheduled / c.target
    return 0.0 if c.scheduled <= 0 else 2.0


# -- plan vs what survived -------------------------------------------------------


def _plan(report: RepReport) -> dict[str, Any] | None:
    """The plan section's context (templates/_plan.html.j2); None without a history."""
    from .plan_view import (
        PLAN_TITLE,
        commitment_cells,
        kept_text,
        obstacle_text,
        outcome_counts,
        plan_intro,
    )

    plan = report.plan
    if plan is None:
        return None
    scale = max(
        [(c.planned_seconds or 0) + (c.added_seconds or 0) for c in plan.commitments] or [0]
    )
    commitments = []
    for c in plan.commitments:
        planned, survived, added, survival, ahead = commitment_cells(c)
        tooltip = f"{c.id}: planned {planned}, survived {survived}, added {added}"
        colour = svg.activity_colour(c.activity)
        commitments.append(
            {
                "id": c.id,
                "swatch": svg.swatch(colour),
                "planned": planned,
                "survived": survived,
                "added": added,
                "survival": survival,
                "planned_ahead": ahead,
                "bar": svg.plan_bar(
                    c.planned_seconds or 0,
                    c.survived_seconds or 0,
                    c.added_seconds or 0,
                    colour,
                    scale=scale,
                    tooltip=tooltip,
                ),
            }
        )
    return {
        "title": PLAN_TITLE,
        "intro": plan_intro(plan),
        "recorded": plan.snapshot_at is not None,
        "commitments": commitments,
        "counts": outcome_counts(plan),
        "lost": [
            {
                "when": span_text(b.start, b.end),
                "commitment": b.commitment,
                "outcome": b.outcome,
                "kept": kept_text(b),
                "obstacles": [obstacle_text(o) for o in b.obstacles],
            }
            for b in plan.lost
        ],
    }


# -- the calendar --------------------------------------------------------------


@dataclass
class _Marks:
    """Calendar marks from the findings, keyed by (start, end, activity) of a block."""

    by_block: dict[tuple[int, int, str], dict[str, list[str]]] = field(default_factory=dict)
    blocks: dict[tuple[int, int, str], Block] = field(default_factory=dict)

    def add(self, block: Block, mark: str, why: str) -> None:
        key = _key(block.start, block.end, block.activity)
        self.blocks.setdefault(key, block)
        reasons = self.by_block.setdefault(key, {}).setdefault(mark, [])
        if why not in reasons:  # a story explains a block once
            reasons.append(why)


def _key(start: datetime, end: datetime, activity: str) -> tuple[int, int, str]:
    return int(start.timestamp()), int(end.timestamp()), activity


def _marks(report: RepReport) -> _Marks:
    """The marked blocks of each story, each explained by the story's sentence once."""
    marks = _Marks()
    for story in report.stories:
        for index in story.findings:
            f = report.findings[index]
            kind = finding_kind(f.kind).marks
            for mark, blocks in ((kind.evidence, f.evidence), (kind.obstacles, f.obstacles)):
                if mark:
                    for block in blocks:
                        marks.add(block, mark, story.text)
    return marks


def _calendar(report: RepReport, anchor: str, extra: Sequence[svg.CalendarItem] = ()) -> Markup:
    period, tz = report.period, report.period.tz
    days = period.days
    marks = _marks(report)
    drawn: set[tuple[int, int, str]] = set()
    items: list[svg.CalendarItem] = []
    all_day: list[svg.AllDayItem] = []
    for occ in report.occurrences:
        if occ.all_day:
            all_day.extend(_all_day_items(occ, period))
            continue
        key = _key(occ.start, occ.end, occ.activity)
        found = marks.by_block.get(key, {}) if occ.counted else {}
        if found:
            drawn.add(key)
        items.extend(_pieces(occ.start, occ.end, period, _occurrence_item(occ, found)))
    # a marked block that matches no occurrence (should not happen): drawn on its own
    for key, found in marks.by_block.items():
        if key not in drawn:
            block = marks.blocks[key]
            items.extend(_pieces(block.start, block.end, period, _block_item(block, found)))
    items.extend(extra)
    return svg.week_calendar(
        [_day_heading(d, len(days)) for d in days],
        items,
        id_prefix=anchor,
        all_day=all_day,
        shaded_days=[i for i, d in enumerate(days) if d.weekday() >= 5],
        title=f"{report.rep.name or report.rep.email}: the week on the calendar "
        f"({period.name}, {tz.key})",
    )


def _day_heading(day: date, days: int) -> str:
    """Shorter headings as the columns get narrower."""
    if days <= 7:
        return day_text(day)
    return day_text(day)[:6] if days <= 14 else f"{day.day:02d}"


def _occurrence_label(occ: OccurrenceView) -> str:
    if occ.title is None:
        return "(title hidden)"
    return occ.title or "(no title)"


def _occurrence_item(occ: OccurrenceView, found: dict[str, list[str]]) -> svg.CalendarItem:
    label = _occurrence_label(occ)
    lines = [f"{span_text(occ.start, occ.end)} · {occ.activity}", label]
    if not occ.counted:
        lines.append(f"not counted: {occ.reason or 'does not block time'}")
    elif occ.counted_hours + 1e-9 < occ.hours:
        lines.append(
            f"counted {duration_text(occ.counted_hours * 3600)} of "
            f"{duration_text(occ.hours * 3600)} (the rest went to an overlapping event)"
        )
    if occ.counted and occ.rule:
        lines.append(f"classified by rule {occ.rule}")
    lines += [why for reasons in found.values() for why in reasons]
    text = label if occ.title else occ.activity
    return svg.CalendarItem(
        day=0,
        start=0,
        end=0,
        colour=svg.activity_colour(occ.activity),
        text=text if occ.counted else f"{text} (not counted)",
        tooltip="\n".join(lines),
        faint=not occ.counted,
        marks=frozenset(found),
        activity=occ.activity,
    )


def _block_item(block: Block, found: dict[str, list[str]]) -> svg.CalendarItem:
    lines = [f"{span_text(block.start, block.end)} · {block.activity}", block.label]
    lines += [why for reasons in found.values() for why in reasons]
    return svg.CalendarItem(
        day=0,
        start=0,
        end=0,
        colour=svg.activity_colour(block.activity),
        text=block.label if block.title else block.activity,
        tooltip="\n".join(lines),
        marks=frozenset(found),
        activity=block.activity,
    )


def _pieces(
    start: datetime, end: datetime, period: Period, item: svg.CalendarItem
) -> list[svg.CalendarItem]:
    """``item`` placed on the calendar: split at every local midnight, clipped to the period."""
    tz = period.tz
    start, end = max(start.astimezone(tz), period.start), min(end.astimezone(tz), period.end)
    pieces = []
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), time(), tz)
        piece_end = min(end, midnight)
        first = start.hour * 60 + start.minute
        last = 24 * 60 if piece_end == midnight else piece_end.hour * 60 + piece_end.minute
        if last > first:
            column = (start.date() - period.first).days
            pieces.append(_placed(item, column, first, last))
        start = piece_end
    return pieces


def _placed(item: svg.CalendarItem, day: int, start: int, end: int) -> svg.CalendarItem:
    return svg.CalendarItem(
        day=day,
        start=start,
        end=end,
        colour=item.colour,
        text=item.text,
        tooltip=item.tooltip,
        faint=item.faint,
        marks=item.marks,
        activity=item.activity,
        proposed=item.proposed,
    )


def _all_day_items(occ: OccurrenceView, period: Period) -> list[svg.AllDayItem]:
    first = max(occ.start.date(), period.first)
    last = min((occ.end - timedelta(seconds=1)).date(), period.last)
    if last < first:
        return []
    label = _occurrence_label(occ)
    when = day_text(first) if first == last else f"{day_text(first)} – {day_text(last)}"
    return [
        svg.AllDayItem(
            day=(first - period.first).days,
            last_day=(last - period.first).days,
            text=label if occ.title else "all-day event",
            tooltip=f"{when} · all day · {label}"
            + ("" if occ.counted else f"\nnot counted: {occ.reason or 'all-day marker'}"),
            colour=svg.activity_colour(occ.activity),
            faint=not occ.counted,
        )
    ]


def _legend(report: RepReport) -> list[dict[str, Any]]:
    committed = list(dict.fromkeys(c.activity for c in report.commitments))
    seen = {o.activity for o in report.occurrences if o.counted and not o.all_day}
    activities = committed + sorted(seen - set(committed))
    entries = [{"swatch": svg.swatch(svg.activity_colour(a)), "text": a} for a in activities]
    entries += [
        {
            "swatch": svg.swatch("#FFFFFF", hatched=True, outline=svg.MARK_COLOUR),
            "text": "displaced routine block",
        },
        {
            "swatch": svg.swatch("#FFFFFF", outline=svg.MARK_COLOUR),
            "text": "what displaced it, or broke an agreed limit",
        },
        {
            "swatch": svg.swatch("#F2F2F2", outline="#9AA0A6"),
            "text": "not counted (declined, free or cancelled)",
        },
    ]
    return entries


# -- trend, findings, health ---------------------------------------------------


def _trend(report: RepReport, c: CommitmentView) -> dict[str, Any]:
    """The commitment's adherence per calendar week as dots, with the rolling line and
    the gaps (trends.py, ``chart_weeks``); none with fewer than two weekly figures."""
    from ..trends import CHART_WEEKS, WINDOWS, chart_weeks

    last = max((p.week for p in report.trend), default=None)
    if report.period.label.count("-W") == 1:
        last = report.period.label
    weeks = [] if last is None else chart_weeks(report.trend, c.id, last, shown=CHART_WEEKS)
    points = [(w, a) for w, a, _, _ in weeks if a is not None]
    if len(points) < 2:
        return {"id": c.id, "chart": None}
    label = f"{c.id}: adherence " + ", ".join(
        f"{w} {percent_text(a)}" if not gap else f"{w} no data" for w, a, _, gap in weeks
    )
    return {
        "id": c.id,
        "chart": svg.trend_chart(
            [svg.TrendWeek(*week) for week in weeks], label=label, rolling_weeks=WINDOWS[0]
        ),
        "first_week": points[0][0],
        "first": percent_text(points[0][1]),
        "last_week": points[-1][0],
        "last": percent_text(points[-1][1]),
        "rolling": percent_text(weeks[-1][2]) if weeks[-1][2] is not None else None,
        "gaps": sum(1 for week in weeks if week[3]),
    }


def _finding_groups(report: RepReport) -> list[dict[str, Any]]:
    """One group per commitment with gaps, then limits and habits by subject; each gap
    told once (one story per commitment and day)."""
    asked: set[tuple[str, ...]] = {()}
    groups = []
    for c in report.commitments:
        stories = [s for s in report.stories if s.commitment == c.id]
        if stories:
            summary = (
                f"{amount_text(c.scheduled, c.unit)} scheduled of "
                f"{target_text(c.target, c.unit, c.direction)} "
                f"over {c.committed_days} committed day{'s' if c.committed_days != 1 else ''}"
                f" (adherence {percent_text(c.adherence)})."
            )
            if c.description:
                summary = f"{c.description}. {summary}"
            groups.append(_group(c.id, stories, asked, summary=summary, status=c.status))
    ids = {c.id for c in report.commitments}
    others: dict[str, list[Story]] = {}
    for story in report.stories:
        if story.commitment not in ids:
            others.setdefault(story.subject, []).append(story)
    for stories in others.values():
        first = stories[0]
        title = f"{kind_title(first.kind)}{f' ({first.commitment})' if first.commitment else ''}"
        groups.append(_group(title, stories, asked))
    return groups


def _group(
    title: str,
    stories: Sequence[Story],
    asked: set[tuple[str, ...]],
    *,
    summary: str = "",
    status: str = "",
) -> dict[str, Any]:
    questions = next((s.questions for s in stories if s.questions not in asked), ())
    asked.add(questions)
    return {
        "title": title,
        "summary": summary,
        "status": status,
        "status_text": status_text(status) if status else "",
        "findings": [{"kind": kind_title(s.kind), "head": s.head, "body": s.body} for s in stories],
        "evidence": [
            _evidence_row(kind, role, block) for s in stories for kind, role, block in s.evidence
        ],
        "questions": questions,
    }


def _evidence_row(kind: str, role: str, block: Block) -> dict[str, Any]:
    if role == "evidence":
        role = finding_kind(kind).marks.evidence_role
    return {
        "kind": kind_title(kind),
        "role": ROLE_TEXT[role],
        "role_class": role,
        "when": span_text(block.start, block.end),
        "time": duration_text(block_seconds(block)),
        "activity": block.activity,
        "swatch": svg.swatch(svg.activity_colour(block.activity), size=10),
        "label": block.label,
    }


# -- the team roll-up ----------------------------------------------------------


def render_team(
    team: TeamReport,
    links: dict[str, str],
    options: RenderOptions | None = None,
    heatmap: TeamHeatmap | None = None,
) -> str:
    """The roll-up page: adherence matrix, biggest gaps, failed reps.

    ``links`` maps a rep's email to the relative address of their page; an
    address with a scheme, a host or an absolute path is refused, so the page
    never points outside its folder.
    """
    for href in links.values():
        _check_relative(href)
    ids = team.commitment_ids
    changes = {(g.rep_email, g.commitment): g for g in team.ranking}
    rows = []
    for report in team.judged:
        email = report.rep.email
        cells = []
        for commitment in ids:
            own = next((c for c in report.commitments if c.id == commitment), None)
            if own is None:
                cells.append(
                    {"band": "none", "text": "", "title": "", "change": "", "change_class": ""}
                )
                continue
            gap = changes.get((email, commitment))
            change, change_class = _change(gap) if gap else ("", "")
            cells.append(
                {
                    "band": svg.adherence_band(own.adherence),
                    "text": percent_text(own.adherence),
                    "title": f"{amount_text(own.scheduled, own.unit)} of "
                    f"{target_text(own.target, own.unit, own.direction)}",
                    "change": "" if change_class == "new" else change,
                    "change_class": change_class,
                }
            )
        rows.append(
            {
                "email": email,
                "name": report.rep.name or email,
                "href": links.get(email, ""),
                "incomplete": report.incomplete,
                "cells": cells,
            }
        )
    from .team_text import not_ranked_text

    ranking = [_ranked_row(g, links) for g in team.ranking if g.gap > 0][:TOP_GAPS]
    return _page(
        "team.html.j2",
        heatmap=_heatmap(heatmap),
        survival=_survival_rows(team, links),
        not_ranked=not_ranked_text(team) if team.not_ranked else "",
        title=f"{team.team}: team roll-up {team.period.name}",
        team=team.team,
        period_label=team.period.name,
        period_text=_period_text(team.period),
        tz=team.period.tz.key,
        audited=len(team.reps),
        failures=[
            {"email": f.email, "name": f.name or f.email, "message": f.message}
            for f in team.failures
        ],
        commitment_ids=ids,
        rows=rows,
        nobody_judged=team.nobody_judged,
        ranking=ranking,
        apart=[
            {
                "name": r.rep.name or r.rep.email,
                "href": links.get(r.rep.email, ""),
                "why": why,
            }
            for r, why in team.apart
        ],
    )


def _heatmap(heatmap: TeamHeatmap | None) -> dict[str, Any] | None:
    """The reps × weeks heatmap (report/heatmap.py) as the template reads it: a gap week
    reads as why it is one, never as 0%."""
    from .trends_text import gap_text

    if heatmap is None:
        return None
    for panel in heatmap.panels:
        for row in panel.rows:
            for cell in row.cells:
                if cell.href:
                    _check_relative(cell.href)
    return {
        "weeks": heatmap.weeks,
        "panels": [
            {
                "id": panel.commitment or "overall",
                "label": panel.commitment or "overall",
                "rows": [
                    {
                        "email": row.rep,
                        "name": row.name or row.rep,
                        "cells": [
                            {
                                "band": svg.adherence_band(c.adherence) if c.judged else "gap",
                                # a week never recorded is a dash; its title says why
                                "text": percent_text(c.adherence)
                                if c.judged
                                else ("–" if c.coverage is None else gap_text(c.coverage)),
                                "title": f"{row.name or row.rep}, {c.week}"
                                + ("" if c.judged else f": {gap_text(c.coverage)}"),
                                "href": c.href,
                            }
                            for c in row.cells
                        ],
                    }
                    for row in panel.rows
                ],
            }
            for panel in heatmap.panels
        ],
    }


def _survival_rows(team: TeamReport, links: dict[str, str]) -> list[dict[str, Any]]:
    """The roll-up's "Plan survival": reps by the share of their plan that survived."""
    from .team_text import survival_cells

    return [
        {
            "name": report.rep.name or report.rep.email,
            "href": links.get(report.rep.email, ""),
            "band": svg.adherence_band(share),
            "cells": survival_cells(report),
        }
        for report, share in team.survival_ranking
    ]


def _check_relative(href: str) -> None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("/", "\\")):
        raise ValueError(f"a rep page link must be a relative address, not {href!r}")


def _ranked_row(gap: RankedGap, links: dict[str, str]) -> dict[str, Any]:
    change, change_class = _change(gap)
    return {
        "rep": gap.rep_name,
        "href": links.get(gap.rep_email, ""),
        "commitment": gap.commitment,
        "swatch": svg.swatch(svg.activity_colour(gap.activity), size=10),
        "scheduled": amount_text(gap.scheduled, gap.unit),
        "target": target_text(gap.target, gap.unit, gap.direction),
        "adherence": percent_text(gap.adherence),
        "band": svg.adherence_band(gap.adherence),
        "change": change,
        "change_class": change_class,
    }


def _change(gap: RankedGap) -> tuple[str, str]:
    """Week-over-week change in percentage points, as every report writes it, and its
    CSS class (the colour says up or down)."""
    text = change_text(gap.change, gap.previous_judged)
    if gap.change is None:
        return text, "new"
    return text, {"+": "up", MINUS: "down"}.get(text[:1], "flat")


__all__ = ["render", "render_team"]


# -- for other pages drawn like a rep's (the week ahead: report/ahead_html.py) ----------


def page(template: str, **context: Any) -> str:
    """A page from ``templates/``, with the shared layout and styles."""
    return _page(template, **context)


def week_drawn(report: RepReport, anchor: str, proposed: Sequence = ()) -> Markup:
    """The report's period drawn as a calendar (``svg.week_calendar``), marks and all;
    ``proposed``: slots proposed for it (``ProposedBlock``), drawn as dashed blocks."""
    extra = [
        piece
        for block in proposed
        for piece in _pieces(
            block.start,
            block.end,
            report.period,
            svg.CalendarItem(
                day=0,
                start=0,
                end=0,
                colour=svg.activity_colour(block.activity),
                text=f"proposed: {block.commitment}",
                tooltip=f"{span_text(block.start, block.end)} · proposed {block.commitment}: "
                f"{block.reason}",
                faint=True,
                activity=block.activity,
                proposed=True,
            ),
        )
    ]
    return _calendar(report, anchor, extra)


def legend(report: RepReport) -> list[dict[str, Any]]:
    return _legend(report)


def audience_text(report: RepReport) -> str:
    return _audience_text(report)
