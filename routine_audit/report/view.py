"""The report view: an audit result as plain records, filtered for one audience.

This is the only place that decides what an audience may see. A manager gets
activities and times; event titles only when the rep's routine sets
``share_titles: true``, and never those of private events. Renderers take a
``RepReport`` and cannot reach the raw calendar content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from ..coverage import Coverage
from ..inputs import NOT_FROM_FILES, Inputs
from ..period import Period
from ..result import (  # TrendPoint: its old home, kept as an alias
    AuditResult,
    Evidence,
    HealthFigures,
    RepInfo,
    TrendPoint,
    plain_records,
)
from ..visible import all_plain, for_manager, has_control, visible
from .coaching import questions_for
from .records import (  # their old home: still imported from here
    Block,
    CommitmentView,
    DailyView,
    FindingView,
    OccurrenceView,
)
from .stories import Story, build_stories

if TYPE_CHECKING:
    import pandas as pd

    from ..survival import PlanReview
    from .plan_view import PlanView


class Audience(StrEnum):
    OWNER = "owner"  # the rep: everything
    MANAGER = "manager"  # activity and time; titles only if shared, never private ones


@dataclass(frozen=True)
class RepReport:
    """Everything a renderer needs about one rep's audit, for one audience."""

    rep: RepInfo
    audience: Audience
    period: Period
    commitments: tuple[CommitmentView, ...]
    daily: tuple[DailyView, ...]
    findings: tuple[FindingView, ...]
    health: HealthFigures
    occurrences: tuple[OccurrenceView, ...]
    data_quality: tuple[str, ...]
    notes: tuple[str, ...]
    titles_shown: bool
    incomplete: bool
    trend: tuple[TrendPoint, ...] = ()  # oldest first; empty without history
    coverage: Coverage = field(default_factory=Coverage)
    # the routine and rules files it was judged against (paths are shown to managers too:
    # a file's name is setup, not calendar content)
    inputs: Inputs = NOT_FROM_FILES
    # the findings told once per commitment and day (report/stories.py), most pressing first
    stories: tuple[Story, ...] = field(default_factory=tuple)
    # the week against the plan made before it (issue 20); None: made without a history
    plan: PlanView | None = None

    @property
    def judged(self) -> bool:
        """False for an empty or stale week: no findings, no gaps, not in the ranking."""
        return self.coverage.judged


def build_report(
    result: AuditResult,
    audience: Audience | str = Audience.OWNER,
    *,
    trend: tuple[TrendPoint, ...] = (),
    plan: PlanReview | None = None,
) -> RepReport:
    """The plain, audience-filtered view of ``result`` (``trend`` from the history;
    ``plan``: the week against its plan, ``survival.plan_vs_survived``)."""
    audience = Audience(audience)
    show = _title_policy(result, audience)
    displaced = _displaced(result, show)
    occurrences = result.occurrences
    commitments = _commitment_views(result)
    # questions speak of the activity, or of the commitment itself for personal priorities
    subjects = {c.id: c.id if c.protected else c.activity for c in commitments}
    findings = tuple(
        FindingView(
            kind=f.kind,
            commitment=f.commitment,
            day=f.day,
            detail=f.detail,
            evidence=tuple(_block(e, show) for e in f.evidence),
            obstacles=tuple(_block(e, show) for e in f.obstacles),
            questions=questions_for(f.kind, subjects.get(f.commitment or ""), audience),
        )
        for f in result.finding_objects
    )
    occurrence_views = tuple(
        OccurrenceView(*fields, title=show(occ), private=private, displaced=displaced.get(occ, ()))
        for occ, private, *fields in zip(
            occurrences.index.tolist(),
            occurrences["private"].to_numpy(dtype=bool).tolist(),
            *_moment_lists(occurrences),
            occurrences["hours"].to_numpy(dtype=float).tolist(),
            occurrences["counted_hours"].to_numpy(dtype=float).tolist(),
            occurrences["activity"].tolist(),
            occurrences["rule"].tolist(),
            occurrences["counted"].to_numpy(dtype=bool).tolist(),
            occurrences["reason"].tolist(),
            occurrences["all_day"].to_numpy(dtype=bool).tolist(),
            strict=True,
        )
    )
    return RepReport(
        rep=result.rep,
        audience=audience,
        period=result.period,
        commitments=commitments,
        daily=tuple(
            DailyView(r["date"], r["activity"], float(r["hours"]), r["target_hours"])
            for r in plain_records(result.daily)
        ),
        findings=findings,
        health=result.health,
        occurrences=occurrence_views,
        data_quality=data_quality_lines(result, audience),
        notes=tuple(result.notes),
        titles_shown=audience is Audience.OWNER or result.rep.share_titles,
        incomplete=result.incomplete,
        trend=trend,
        coverage=result.coverage,
        inputs=result.inputs or NOT_FROM_FILES,
        stories=build_stories(findings, commitments, occurrence_views, result.period),
        plan=_plan(plan, show, result),
    )


def _plan(review: PlanReview | None, show, result: AuditResult) -> PlanView | None:
    """The plan section for this audience: obstacles named as displacements are."""
    if review is None:
        return None
    from .plan_view import plan_view

    return plan_view(review, show, result.period.tz)


def data_quality_lines(result: AuditResult, audience: Audience | str) -> tuple[str, ...]:
    """The data-quality section's lines: each event named by its title and date for its
    owner; for a manager by date and time only, or with its title when the rep shares
    titles, the event is not private and the title holds no control character. The
    parser's detail is the owner's alone. Control characters are made visible."""
    if Audience(audience) is Audience.OWNER:
        return tuple(visible(str(p)) for p in result.problems)
    shared = result.rep.share_titles
    return tuple(
        visible(p.brief(title=shared and not p.private and not has_control(p.title)))
        for p in result.problems
    )


def _commitment_views(result: AuditResult) -> tuple[CommitmentView, ...]:
    """The commitments; when the week cannot show them (coverage), not judged and
    without an adherence, so nothing reads as a failure."""
    if result.coverage.commitments_judged:
        return tuple(CommitmentView(**row) for row in result.commitment_records)
    return tuple(
        CommitmentView(**{**row, "adherence": None}, judged=False)
        for row in result.commitment_records
    )


def _title_policy(result: AuditResult, audience: Audience):
    """A function occ -> title or None for this audience; control characters made
    visible for the owner, a title holding one withheld from a manager."""
    table = result.occurrences
    titles = table["summary"].to_dict()
    private = table["private"].to_dict()
    if not all_plain(titles.values()):  # rare: pay for the loop only then
        shown = visible if audience is Audience.OWNER else _manager_title
        titles = {occ: shown(t) if isinstance(t, str) else t for occ, t in titles.items()}
    if audience is Audience.OWNER:
        return lambda occ: titles.get(occ, "")
    if not result.rep.share_titles:
        return lambda occ: None
    return lambda occ: None if private.get(occ, True) else titles.get(occ, "")


def _displaced(result: AuditResult, show) -> dict[int, tuple[Block, ...]]:
    """occ -> the blocks that took its time, each with the seconds it took."""
    if not result.displacements:
        return {}
    table = result.occurrences
    start, end, activity = (table[name].to_dict() for name in ("start", "end", "activity"))
    found: dict[int, list[Block]] = {}
    for occ, by, seconds in result.displacements:
        block = Block(_datetime(start[by]), _datetime(end[by]), activity[by], show(by), seconds)
        found.setdefault(occ, []).append(block)
    return {occ: tuple(sorted(blocks, key=lambda b: b.start)) for occ, blocks in found.items()}


def _manager_title(title: str) -> str:
    return for_manager(title, "title")


def _block(evidence: Evidence, show) -> Block:
    return Block(
        evidence.start, evidence.end, evidence.activity, show(evidence.occ), evidence.seconds
    )


def _moment_lists(occurrences: pd.DataFrame) -> tuple[list[datetime], list[datetime]]:
    """The start and end columns as plain datetimes."""
    return tuple(  # type: ignore[return-value]
        [_datetime(v) for v in occurrences[name].tolist()] for name in ("start", "end")
    )


def _datetime(value: object) -> datetime:
    """pandas Timestamps back to plain datetimes."""
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[return-value]
