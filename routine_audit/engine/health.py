"""Calendar health: unclassified working time, fragmentation, reactive booking."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ..result import Finding, HealthFigures
from ..units import duration_text
from .classify import OTHER
from .context import AuditContext
from .findings import _evidence
from .windows import Intervals

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
                "unclassified_time",
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


def _reactive(context: AuditContext) -> tuple[int, int, list[Finding]]:
    occ = context.occurrences
    created = occ["created_ts"]
    meetings = np.flatnonzero(
        occ["counted"]
        & (occ["counted_seconds"] > 0)
        & ~np.isin(occ["activity"], list(context.routine_activities))
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
        evidence = _evidence(context, meetings[is_reactive])
        findings.append(
            Finding(
                "reactive_booking",
                None,
                None,
                f"{count} of {known} meetings were booked with less than "
                f"{routine.health.reactive_lead_hours:g} working hours' notice",
                evidence,
            )
        )
    return count, known, findings


def _fragmentation(context: AuditContext, working: Intervals) -> list[Finding]:
    """Working days with enough free time for a deep-work block, but no gap that long."""
    need = max(
        (c.min_block * 60 for c in context.routine.commitments if not c.protected), default=0
    )
    if not need or len(working.start) == 0:
        return []
    order = np.argsort(context.pieces["start"], kind="stable")
    busy_start = context.pieces["start"][order]
    busy_end = context.pieces["end"][order]
    findings = []
    for day in np.unique(working.day):
        spans = working.day == day
        gaps: list[int] = []
        for s, e in zip(working.start[spans], working.end[spans], strict=True):
            inside = (busy_end > s) & (busy_start < e)
            cursor = s
            for bs, be in zip(busy_start[inside], busy_end[inside], strict=True):
                if bs > cursor:
                    gaps.append(int(bs - cursor))
                cursor = max(cursor, be)
            if e > cursor:
                gaps.append(int(e - cursor))
        free = sum(gaps)
        if free >= need and max(gaps, default=0) < need:
            findings.append(
                Finding(
                    "fragmentation",
                    None,
                    day.astype(object),
                    f"{duration_text(free)} free, but no gap of {duration_text(need)} "
                    f"for a focused block ({len(gaps)} pieces)",
                )
            )
    return findings
