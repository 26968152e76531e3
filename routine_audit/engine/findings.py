"""Findings: the gaps and conflicts behind the figures, each with its evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

import numpy as np

from ..config.schema import WEEKDAYS, Commitment, Direction, Limit, LimitKind
from ..finding_kinds import (
    DISPLACED,
    MISSING_BLOCK,
    NOT_ACHIEVABLE,
    OUTSIDE_WINDOW,
    OVER_LIMIT,
    PROTECTED_OVERLAP,
    SHORT_BLOCKS,
    UNDER_TARGET,
)
from ..result import Evidence, Finding
from ..unit_kinds import unit_kind
from ..wording import amount_text, clock_text, day_text, duration_text, weekdays_text
from .context import AuditContext
from .day_spans import Intervals
from .finding_columns import BrokenLimits, DisplacedBlocks, EvidenceGroups
from .measure import Measured
from .timeline import run_starts

PERSONAL = "personal"


def target_findings(measured: Measured) -> list[Finding]:
    """under_target / over_limit for the period, and missing_block per committed day."""
    c = measured.commitment
    tolerance = unit_kind(c.unit).tolerance
    findings: list[Finding] = []
    if measured.gap > tolerance:
        scheduled = amount_text(measured.scheduled, c.unit.value)
        target = amount_text(measured.target, c.unit.value)
        if c.direction is Direction.MIN:
            per_day = measured.per_day
            days = ", ".join(
                day_text(day)
                for day, target, scheduled in zip(
                    per_day["date"].tolist(),
                    per_day["target"].tolist(),
                    per_day["scheduled"].tolist(),
                    strict=True,
                )
                if target > 0 and target - scheduled > tolerance
            )
            detail = f"{scheduled} scheduled of {target} committed"
            if c.per == "day" and days:
                detail += f"; short on {days}"
            findings.append(Finding(UNDER_TARGET, c.id, None, detail))
        elif c.per == "day":
            per_day = measured.per_day
            over = [
                f"{day_text(day)} (+{amount_text(scheduled - target, c.unit.value)})"
                for day, target, scheduled in zip(
                    per_day["date"].tolist(),
                    per_day["target"].tolist(),
                    per_day["scheduled"].tolist(),
                    strict=True,
                )
                if target > 0 and scheduled - target > 1e-9  # each day over: they add up
            ]
            limit = amount_text(float(per_day["target"].max()), c.unit.value)
            detail = f"over the limit of {limit} a day on {', '.join(over)}"
            findings.append(Finding(OVER_LIMIT, c.id, None, detail))
        else:
            findings.append(
                Finding(OVER_LIMIT, c.id, None, f"{scheduled} scheduled, limit {target}")
            )
    if c.per == "day" and c.direction is Direction.MIN:
        per_day = measured.per_day
        for day, target, scheduled in zip(
            per_day["date"].tolist(),
            per_day["target"].tolist(),
            per_day["scheduled"].tolist(),
            strict=True,
        ):
            if target > 0 and scheduled == 0:
                findings.append(Finding(MISSING_BLOCK, c.id, day, _missing_text(c)))
    return findings


def _missing_text(c: Commitment) -> str:
    """What a committed day lacks, in its unit's words (routine_audit/unit_kinds.py)."""
    return unit_kind(c.unit).missing_text(c.activity, c.min_block)


def conflict_findings(
    context: AuditContext, commitment: Commitment
) -> list[list[Finding] | DisplacedBlocks]:
    """displaced for each block of the commitment that lost time; for a protected one,
    protected_overlap for each block that anything overlaps, whoever kept the seconds."""
    if not unit_kind(commitment.unit).routine_blocks:
        return []  # its events yield to nothing, and nothing displaces them
    # whether or not anything overlaps anything else this week
    protected = commitment.protected
    empty_windows = _protected_window_intrusions(context, commitment) if protected else []
    occ, by_occ, seconds = _overlaps(context, commitment.activity, kept_too=protected)
    if not len(occ):
        return [empty_windows]
    # seconds per (block, other event), in block then other-event order: a year holds hundreds
    order = np.lexsort((by_occ, occ))
    occ, by_occ, seconds = occ[order], by_occ[order], seconds[order]
    pair_starts = run_starts(occ, by_occ)
    occ, by_occ = occ[pair_starts], by_occ[pair_starts]
    seconds = np.add.reduceat(seconds, pair_starts)
    block_starts = run_starts(occ)
    blocks = DisplacedBlocks(
        kind=PROTECTED_OVERLAP if protected else DISPLACED,
        commitment=commitment.id,
        what="protected time" if protected else f"{commitment.activity} block",
        victims=occ[block_starts],
        lost=np.add.reduceat(seconds, block_starts),
        obstacles=EvidenceGroups.from_runs(by_occ, seconds, block_starts),
        moments=context.moments,
    )
    # the blocks that lost time first, then (protected) the days with none at all
    return [blocks, empty_windows]


def _overlaps(
    context: AuditContext, activity: str, *, kept_too: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(block, other event, seconds) where a block of ``activity`` lost seconds to another
    event; with ``kept_too``, also where another activity's event lost seconds to it."""
    conflicts = context.conflicts
    if not len(conflicts["seg"]):
        none = np.zeros(0, dtype=np.int64)
        return none, none, none
    seg_activity = context.segments["activity"]
    seg_occ = context.segments["occ"]
    lost, took = conflicts["seg"], conflicts["by_seg"]
    lost_mine = seg_activity[lost] == activity
    occ, by_occ, seconds = (
        seg_occ[lost[lost_mine]],
        seg_occ[took[lost_mine]],
        conflicts["seconds"][lost_mine],
    )
    if kept_too:
        kept = (seg_activity[took] == activity) & ~lost_mine
        occ = np.concatenate([occ, seg_occ[took[kept]]])
        by_occ = np.concatenate([by_occ, seg_occ[lost[kept]]])
        seconds = np.concatenate([seconds, conflicts["seconds"][kept]])
    return occ, by_occ, seconds


def _protected_window_intrusions(context: AuditContext, commitment: Commitment) -> list[Finding]:
    """On committed days with no block at all, events booked into the protected window."""
    blocks = context.blocks
    days_with_block = set(blocks["day"][blocks["activity"] == commitment.activity].tolist())
    window = context.window_intervals(commitment)
    pieces = context.pieces
    others = pieces["activity"] != commitment.activity
    committed = set(context.committed_days(commitment))
    findings = []
    days, groups = _inside_by_day(context, others, window)
    for day, (obstacles, _) in zip(days.tolist(), groups.each(context.moments), strict=True):
        date_ = context.day_of(day)
        if day in days_with_block or date_ not in committed:
            continue
        detail = f"no {commitment.activity} block, and other events fill its window"
        findings.append(
            Finding(PROTECTED_OVERLAP, commitment.id, date_, detail, obstacles=obstacles)
        )
    return findings


def block_findings(context: AuditContext, measured: Measured) -> list[Finding]:
    """short_blocks and outside_window for a time-block commitment."""
    c = measured.commitment
    findings = []
    if c.min_block and unit_kind(c.unit).routine_blocks:
        blocks = context.blocks
        short = (blocks["activity"] == c.activity) & (blocks["seconds"] < c.min_block * 60)
        if short.any():
            occs = context.segments["occ"][blocks["seg"][short]]
            evidence = tuple(
                Evidence(o, _local(context, s), _local(context, e), c.activity, e - s)
                for o, s, e in zip(
                    occs.tolist(),
                    blocks["start"][short].tolist(),
                    blocks["end"][short].tolist(),
                    strict=True,
                )
            )
            count = int(short.sum())
            plural = "s" if count > 1 else ""
            detail = f"{count} block{plural} shorter than {c.min_block} min"
            findings.append(Finding(SHORT_BLOCKS, c.id, None, detail, evidence))
    total = measured.outside_seconds
    if total > 0:
        window = c.window
        detail = (
            f"{duration_text(total)} outside the committed window "
            f"({weekdays_text(window.days)} {_clock(window.start)}–{_clock(window.end)})"
        )
        findings.append(Finding(OUTSIDE_WINDOW, c.id, None, detail))
    return findings


def limit_findings(context: AuditContext, limit: Limit) -> BrokenLimits | list[Finding]:
    """Non-personal counted events that break an agreed working limit."""
    work = context.pieces["activity"] != PERSONAL
    if not work.any():
        return []
    span = {
        LimitKind.NO_MEETINGS_AFTER: (limit.time, time.max),
        LimitKind.NO_MEETINGS_BEFORE: (time(0), limit.time),
    }.get(limit.kind, (time(0), time.max))
    week = tuple((span,) if day in limit.days else () for day in WEEKDAYS)

    what = {
        LimitKind.NO_MEETINGS_AFTER: f"after {_clock(limit.time)}",
        LimitKind.NO_MEETINGS_BEFORE: f"before {_clock(limit.time)}",
        LimitKind.DAY_OFF: "on an agreed day off",
    }[limit.kind]
    days, events = _inside_by_day(context, work, context.weekly_intervals(week))
    dates = tuple(context.day_of(day) for day in days.tolist())
    return BrokenLimits(limit.id, what, dates, events, context.moments)


def _inside_by_day(
    context: AuditContext, chosen: np.ndarray, intervals: Intervals
) -> tuple[np.ndarray, EvidenceGroups]:
    """Per day (index), the occurrences whose ``chosen`` owned pieces fall inside
    ``intervals``, and the seconds inside: days in order, occurrences in order."""
    pieces = context.pieces
    inside = intervals.covered(pieces["start"][chosen], pieces["end"][chosen])
    hit = inside > 0
    day = pieces["day"][chosen][hit]
    occ = context.segments["occ"][pieces["seg"][chosen][hit]]
    inside = inside[hit]
    order = np.lexsort((occ, day))
    day, occ, inside = day[order], occ[order], inside[order]
    pairs = run_starts(day, occ)
    day, occ, inside = day[pairs], occ[pairs], np.add.reduceat(inside, pairs)
    day_starts = run_starts(day)
    return day[day_starts], EvidenceGroups.from_runs(occ, inside, day_starts)


def achievability_findings(context: AuditContext) -> list[Finding]:
    """Commitments that cannot fit: in their window, or in a weekday's working hours."""
    findings = []
    work_commitments = [
        c for c in context.routine.commitments if c.direction is Direction.MIN and not c.protected
    ]
    for c in context.routine.commitments:
        # work commitments must fit the part of their window inside working hours
        window_seconds = _window_seconds(c) if c.protected else _window_in_work(context, c)
        where = "window" if c.protected else "window inside working hours"
        unit = unit_kind(c.unit)
        need = c.target * 3600 if (unit.is_time and c.per == "day") else 0
        if window_seconds == 0 and context.committed_weekdays(c):
            findings.append(
                Finding(NOT_ACHIEVABLE, c.id, None, "its window lies outside working hours")
            )
        elif unit.routine_blocks and c.min_block * 60 > window_seconds:
            findings.append(
                Finding(
                    NOT_ACHIEVABLE, c.id, None, f"the {where} is shorter than {c.min_block} min"
                )
            )
        elif need > window_seconds:
            findings.append(
                Finding(
                    NOT_ACHIEVABLE,
                    c.id,
                    None,
                    f"{amount_text(c.target, 'hours')} a day does not fit its "
                    f"{duration_text(window_seconds)} {where}",
                )
            )
        if context.committed_weekdays(c) == 0:
            findings.append(
                Finding(NOT_ACHIEVABLE, c.id, None, "no working day falls in its window")
            )
    for weekday in range(7):
        working = sum(_seconds(s, e) for s, e in context.routine.working_spans(weekday))
        if not working:
            continue
        needed = 0.0
        for c in work_commitments:
            if not unit_kind(c.unit).is_time or WEEKDAYS[weekday] not in c.window.days:
                continue
            per_week = context.committed_weekdays(c)
            needed += c.target * 3600 if c.per == "day" else c.target * 3600 / max(per_week, 1)
        if needed > working + 60:
            findings.append(
                Finding(
                    NOT_ACHIEVABLE,
                    None,
                    None,
                    f"{WEEKDAYS[weekday].title()}: {duration_text(needed)} of committed time "
                    f"in {duration_text(working)} of working hours",
                )
            )
    return findings


def _window_seconds(c: Commitment) -> int:
    return _seconds(c.window.start, c.window.end)


def _window_in_work(context: AuditContext, c: Commitment) -> int:
    """The shortest overlap of the window with working hours over its committed weekdays."""
    overlaps = []
    start, end = _seconds(time(0), c.window.start), _seconds(time(0), c.window.end)
    for weekday in range(7):
        spans = context.routine.working_spans(weekday)
        if WEEKDAYS[weekday] not in c.window.days or not spans:
            continue
        overlaps.append(
            sum(
                max(0, min(end, _seconds(time(0), e)) - max(start, _seconds(time(0), s)))
                for s, e in spans
            )
        )
    return min(overlaps, default=0)


def _seconds(start: time, end: time) -> int:
    def at(t: time) -> int:
        return 86400 if t == time.max else t.hour * 3600 + t.minute * 60

    return at(end) - at(start)


def evidence_of(
    context: AuditContext, occs: Iterable[int], *, seconds: Iterable[int] | int = 0
) -> tuple[Evidence, ...]:
    """The occurrences ``occs`` as evidence, with ``seconds`` (one for all, or one each)."""
    occs = [int(o) for o in occs]
    amounts = [int(seconds)] * len(occs) if isinstance(seconds, int | np.integer) else list(seconds)
    return tuple(
        context.evidence(occ, int(amount)) for occ, amount in zip(occs, amounts, strict=True)
    )


def _local(context: AuditContext, timestamp: int) -> datetime:
    return datetime.fromtimestamp(int(timestamp), context.period.tz)


def _clock(value: time | None) -> str:
    if value is None:
        return ""
    return "24:00" if value == time.max else clock_text(value)
