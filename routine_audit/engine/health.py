"""Calendar health: unclassified working time, fragmentation, reactive booking."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ..finding_kinds import FRAGMENTATION, REACTIVE_BOOKING, UNCLASSIFIED_TIME
from ..result import Finding, HealthFigures
from ..unit_kinds import unit_kind
from ..wording import count_text, duration_text, meetings_text
from .classify import OTHER
from .context import AuditContext
from .day_spans import Intervals
from .findings import evidence_of

# look this far back for the working time between an event's creation and its start
_LOOKBACK = timedelta(days=21)


def health(context: AuditContext) -> tuple[HealthFigures, list[Finding]]:
    routine = context.routine
    working = _working_in_period(context)
    pieces = context.pieces
    in_work = working.covered(pieces["start"], pieces["end"])
    other_in_work = int(in_work[pieces["activity"] == OTHER].sum())
    working_seconds = int(working.seconds.sum())
    share = other_in_work / working_seconds if working_seconds else 0.0
    findings: list[Finding] = []
    if working_seconds and share > routine.health.unclassified_share_max:
        findings.append(
            Finding(
                UNCLASSIFIED_TIME,
                None,
                None,
                f"{share:.0%} of working time ({duration_text(other_in_work)}) is booked "
                f"with events no rule recognizes",
            )
        )
    reactive, known, reactive_finding = _reactive(context)
    findings.extend(reactive_finding)
    fragmented = _fragmentation(context, working)
    findings.extend(fragmented)
    figures = HealthFigures(
        working_seconds=working_seconds,
        booked_seconds=int(in_work.sum()),
        other_seconds=other_in_work,
        unclassified_share=share,
        reactive_meetings=reactive,
        meetings_with_created=known,
        reactive_share=reactive / known if known else None,
        fragmented_days=len(fragmented),
        reactive_activities=meeting_activities(context),
    )
    return figures, findings


def _working_in_period(context: AuditContext) -> Intervals:
    """Working intervals inside the period, without days off."""
    w = context.working
    start = np.maximum(w.start, int(context.period.start.timestamp()))
    end = np.minimum(w.end, int(context.period.end.timestamp()))
    off = np.array(sorted(context.days_off), dtype="datetime64[D]")
    keep = (end > start) & ~np.isin(w.day, off)
    return Intervals(start[keep], end[keep], w.day[keep])


def meeting_activities(context: AuditContext) -> tuple[str, ...]:
    """The activities the routine measures in meetings, in routine order: the meetings
    reactive booking counts (an internal sync is not one unless the routine says so)."""
    return tuple(
        dict.fromkeys(c.activity for c in context.routine.commitments if unit_kind(c.unit).reactive)
    )


def _reactive(context: AuditContext) -> tuple[int, int, list[Finding]]:
    occ = context.occurrences
    created = occ["created_ts"]
    meetings = np.flatnonzero(
        occ["counted"]
        & (occ["counted_seconds"] > 0)
        & np.isin(occ["activity"], list(meeting_activities(context)))
        & ~np.isnan(created)
    )
    if not len(meetings):
        return 0, 0, []
    routine = context.routine
    working = Intervals.weekly(
        context.period.first - _LOOKBACK,
        context.period.last + timedelta(days=1),
        routine.zone,
        context.working_week,
    )
    start = occ["start_ts"][meetings]
    created = created[meetings].astype(np.int64)
    lead = working.cumulative(start) - working.cumulative(np.minimum(created, start))
    is_reactive = lead < routine.health.reactive_lead_hours * 3600
    count, known = int(is_reactive.sum()), len(meetings)
    findings = []
    if count and count / known > routine.health.reactive_share_max:
        evidence = evidence_of(context, meetings[is_reactive])
        findings.append(
            Finding(
                REACTIVE_BOOKING,
                None,
                None,
                f"{count} of {_counted_text(known, context)} were booked with less than "
                f"{routine.health.reactive_lead_hours:g} working hours' notice",
                evidence,
            )
        )
    return count, known, findings


def _counted_text(count: int, context: AuditContext) -> str:
    """``3 client meetings``, or ``3 meetings`` when the routine measures several kinds."""
    activities = meeting_activities(context)
    if len(activities) == 1:
        return meetings_text(count, activities[0])
    return count_text(count, "meeting")


def _fragmentation(context: AuditContext, working: Intervals) -> list[Finding]:
    """Working days with enough free time for a deep-work block, but no gap that long."""
    need = max(
        (c.min_block * 60 for c in context.routine.commitments if not c.protected), default=0
    )
    if not need or len(working.start) == 0:
        return []
    free, long_gaps, gaps = free_gaps(
        context.pieces["start"], context.pieces["end"], working.start, working.end, need
    )
    days, span_day = np.unique(working.day, return_inverse=True)
    free, long_gaps, gaps = (np.bincount(span_day, v, len(days)) for v in (free, long_gaps, gaps))
    fragmented = np.flatnonzero((free >= need) & (long_gaps == 0))
    return [
        Finding(
            FRAGMENTATION,
            None,
            days[i].astype(object),
            f"{duration_text(free[i])} free, but no gap of {duration_text(need)} "
            f"for a focused block ({int(gaps[i])} pieces)",
        )
        for i in fragmented.tolist()
    ]


def free_gaps(
    busy_start: np.ndarray,
    busy_end: np.ndarray,
    span_start: np.ndarray,
    span_end: np.ndarray,
    long: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per span (sorted, apart): free seconds, free gaps of ``long`` seconds or more, and
    free gaps, around the busy intervals (in any order, possibly overlapping)."""
    if not len(busy_start):
        free = span_end - span_start
        return free, (free >= long).astype(np.int64), (free > 0).astype(np.int64)
    order = np.argsort(busy_start, kind="stable")
    starts, ends = busy_start[order], busy_end[order]
    # busy time as sorted runs with free time between them (touching intervals merge)
    reach = np.maximum.accumulate(ends)
    opens = np.concatenate(([True], starts[1:] > reach[:-1]))
    run_start = starts[opens]
    run_end = reach[np.append(np.flatnonzero(opens)[1:] - 1, len(ends) - 1)]
    # the runs meeting span j are first[j]..last[j] when met[j]
    first = np.searchsorted(run_end, span_start, side="right")
    last = np.searchsorted(run_start, span_end, side="left") - 1
    met = last >= first
    first, last = np.minimum(first, len(run_start) - 1), np.maximum(last, 0)
    before = np.where(met, np.maximum(run_start[first] - span_start, 0), span_end - span_start)
    after = np.where(met, np.maximum(span_end - run_end[last], 0), 0)
    # free time between consecutive runs, summed over the runs inside each span
    between = run_start[1:] - run_end[:-1]
    free_between, long_between = (
        np.concatenate(([0], np.cumsum(values))) for values in (between, between >= long)
    )
    free = before + after + np.where(met, free_between[last] - free_between[first], 0)
    long_gaps = (
        (before >= long).astype(np.int64)
        + (after >= long)
        + np.where(met, long_between[last] - long_between[first], 0)
    )
    gaps = (before > 0).astype(np.int64) + (after > 0) + np.where(met, last - first, 0)
    return free, long_gaps, gaps
