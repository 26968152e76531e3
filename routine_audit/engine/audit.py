"""The audit engine: normalized events + routine + rules + period -> AuditResult."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..config.schema import Direction, Routine, RuleSet
from ..coverage import (
    Coverage,
    Extent,
    Status,
    coverage_of,
    looks_free_busy,
    stale_line,
)
from ..errors import ConfigError
from ..finding_kinds import finding_kind
from ..inputs import inputs_of
from ..model import CalendarData
from ..period import Period
from ..result import AuditResult, RepInfo
from ..unit_kinds import unit_kind
from ..wording import count_text, day_text
from .classify import NO_RULE, OTHER, attendee_counts, classify
from .context import AuditContext, routine_activities
from .counting import HELD, counting_reasons, rep_responses
from .finding_columns import FindingParts, FindingSequence
from .findings import (
    achievability_findings,
    block_findings,
    conflict_findings,
    limit_findings,
    target_findings,
)
from .frame import events_columns, occurrence_table
from .health import health
from .measure import Measured, measure
from .timeline import (
    Columns,
    local_midnights,
    merge_blocks,
    resolve_overlaps,
    run_starts,
    sorted_codes,
    split_at_midnight,
)

HOUR = 3600
_AWAY = re.compile(
    r"\b(?:out of (?:the )?office|ooo|vacation|pto|annual leave|parental leave|sick leave|"
    r"sick day|off sick|day off|bank holiday|public holiday|on holiday)\b|^\s*holidays?\s*$",
    re.IGNORECASE,
)


def audit(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period, tense: str = "past"
) -> AuditResult:
    """Audit one rep's calendar data for ``period`` against their routine; ``tense``
    ``ahead`` reads it as the week ahead (docs/audit.md, "The week ahead")."""
    if tense != "past":
        from .ahead import in_tense

        return in_tense(audit(data, routine, rules, period), routine, tense)
    occurrences, attendees = events_columns(data.events)
    return audit_tables(
        occurrences,
        attendees,
        routine,
        rules,
        period,
        data.problems,
        extent=data.extent,
        free_busy=data.free_busy,
    )


def audit_frame(
    occurrences: pd.DataFrame,
    routine: Routine,
    rules: RuleSet,
    period: Period,
    *,
    attendees: pd.DataFrame | None = None,
) -> AuditResult:
    """Audit one rep's calendar given as a table, one row per occurrence.

    ``start`` and ``end`` (time-zone aware) are required; the other columns
    of ``frame.OCCURRENCE_COLUMNS`` are optional (``summary``, ``calendar``,
    ``all_day``, ``status``...). ``attendees`` has one row per attendee,
    ``occ`` being the occurrence's row number (see the README, "Use it from Python").
    """
    table, people = occurrence_table(occurrences, attendees)
    return audit_tables(
        table, people, routine, rules, period, (), extent=table_extent(table, period)
    )


def audit_tables(
    occurrences: Columns,
    attendees: Columns,
    routine: Routine,
    rules: RuleSet,
    period: Period,
    problems: tuple,
    *,
    extent: Extent | None = None,
    free_busy: bool | None = None,
) -> AuditResult:
    """Audit columnar occurrences and attendees: the body shared by ``audit``,
    ``audit_frame`` and the team frame."""
    if routine.rep is None:
        raise ConfigError(
            "this routine has no rep: (a team default?); an audit needs rep.email",
            hint="audit with a rep's routine that extends: this file",
        )
    occurrences, attendees = _occurrences_in_period(occurrences, attendees, period, routine)
    n = len(occurrences["occ"])
    response = rep_responses(attendees, n, routine.addresses)
    occurrences["counted"], occurrences["reason"] = counting_reasons(occurrences, response)
    attendee_count, external_count = attendee_counts(
        attendees, n, routine.addresses, routine.domains, occurrences
    )
    occurrences["activity"], occurrences["rule"] = classify(
        occurrences, rules, attendee_count=attendee_count, external_count=external_count
    )
    if free_busy:  # a busy/free block has no content a rule could rightly hold for
        occurrences["activity"] = np.full(n, OTHER, dtype=object)
        occurrences["rule"] = np.full(n, NO_RULE, dtype=object)
    occurrences["attendees"] = attendee_count
    occurrences["external_attendees"] = external_count

    context = _timeline(occurrences, routine, period)
    measured = [measure(context, c) for c in routine.commitments]
    figures, health_findings = health(context)
    covered = _coverage(occurrences, period, extent, free_busy)
    if covered.status is Status.OK:
        findings = FindingParts(
            [
                achievability_findings(context),
                [f for m in measured for f in target_findings(m)],
                *(part for c in routine.commitments for part in conflict_findings(context, c)),
                [f for m in measured for f in block_findings(context, m)],
                *(limit_findings(context, limit) for limit in routine.limits),
                health_findings,
            ]
        )
    elif covered.status is Status.FREE_BUSY:  # what needs no classification
        parts = [achievability_findings(context), health_findings]
        findings = FindingParts([[f for f in p if finding_kind(f.kind).free_busy] for p in parts])
    else:  # no calendar data: nothing is judged
        findings = FindingParts([])
    return AuditResult(
        rep=_rep_info(routine),
        period=period,
        occurrences=_public_occurrences(context),
        daily=_daily(context, measured),
        commitments=_commitment_table(measured),
        commitment_days=_commitment_days(measured),
        finding_objects=FindingSequence(findings),  # made when first read
        health=figures,
        problems=problems,
        notes=_notes(context),
        coverage=covered,
        inputs=inputs_of(routine, rules),
        displacements=_displacements(context),
    )


def _displacements(context: AuditContext) -> tuple[tuple[int, int, int], ...]:
    """Per pair of occurrences, the seconds the first lost to the second (summed over the
    days a block spans): what the ``events`` listing says an occurrence was displaced by."""
    conflicts = context.conflicts
    if not len(conflicts["seg"]):
        return ()
    seg_occ = context.segments["occ"]
    occ, by = seg_occ[conflicts["seg"]], seg_occ[conflicts["by_seg"]]
    order = np.lexsort((by, occ))
    occ, by, seconds = occ[order], by[order], conflicts["seconds"][order]
    pairs = run_starts(occ, by)
    totals = np.add.reduceat(seconds, pairs)
    return tuple(zip(occ[pairs].tolist(), by[pairs].tolist(), totals.tolist(), strict=True))


def table_extent(occurrences: Columns, period: Period) -> Extent | None:
    """A table is its own whole calendar: what lies beyond the period (coverage)."""
    starts, ends = occurrences["start_ts"], occurrences["end_ts"]
    if not len(starts):
        return Extent(None, searched="the table")
    line = datetime.combine(stale_line(period.first), datetime.min.time(), period.tz)
    begin, finish = int(period.start.timestamp()), int(period.end.timestamp())
    if ((ends > begin) & (starts < finish)).any():
        return None  # the period has events: nothing beyond it is needed
    before, after = ends[ends <= begin], starts[starts >= finish]

    def moment(ts: np.ndarray, pick) -> datetime | None:
        return datetime.fromtimestamp(int(pick(ts)), period.tz) if len(ts) else None

    return Extent(
        bool((ends > int(line.timestamp())).any()),
        first_start=moment(starts, np.min),
        last_end=moment(before, np.max),
        next_start=moment(after, np.min),
        searched="the table",
    )


def _coverage(
    occurrences: Columns, period: Period, extent: Extent | None, free_busy: bool | None
) -> Coverage:
    """The period's coverage from the occurrences that meet it (of any kind)."""
    count = len(occurrences["occ"])
    span = None
    if count:
        span = tuple(
            datetime.fromtimestamp(int(ts), period.tz)
            for ts in (occurrences["start_ts"].min(), occurrences["end_ts"].max())
        )
    if free_busy is None:  # all-day events are markers: only timed blocks can look busy/free
        free_busy = bool(np.any(~occurrences["all_day"])) and looks_free_busy(
            occurrences["summary"], occurrences["description"]
        )
    return coverage_of(count, span, period.first, free_busy=free_busy, extent=extent)


def _occurrences_in_period(
    occurrences: Columns, attendees: Columns, period: Period, routine: Routine
) -> tuple[Columns, Columns]:
    """The columns of the occurrences that meet the period, renumbered 0..n-1."""
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    all_day = occurrences["all_day"]
    keep = (occurrences["end_ts"] > start) & (occurrences["start_ts"] < end)
    # all-day events belong to dates, not instants: keep those whose dates meet the period
    rows = np.flatnonzero(all_day)
    first = np.array(
        [_local_date(occurrences["start"][r], routine) for r in rows.tolist()],
        dtype="datetime64[D]",
    )
    last = np.array(
        [_local_date(occurrences["end"][r], routine) for r in rows.tolist()],
        dtype="datetime64[D]",
    )
    keep[rows] = (first <= np.datetime64(period.last)) & (last > np.datetime64(period.first))
    columns = {name: values[keep] for name, values in occurrences.items()}
    columns["occ"] = np.arange(int(keep.sum()), dtype=np.int64)
    renumber = np.full(len(keep), -1, dtype=np.int64)  # rows are numbered 0.. as given
    renumber[keep] = columns["occ"]
    new_occ = renumber[attendees["occ"]]
    mine = new_occ >= 0
    people = {name: values[mine] for name, values in attendees.items()}
    people["occ"] = new_occ[mine]
    return columns, people


def _local_date(moment: datetime, routine: Routine) -> date:
    return moment.astimezone(routine.zone).date()


def _days_off(occurrences: Columns, routine: Routine, period: Period) -> frozenset[date]:
    """Holidays, and dates covered by all-day (or whole-working-day) out-of-office events."""
    off = {d for d in routine.holidays if period.first <= d <= period.last}
    # only all-day events and out-of-office ones can be absences: look at those alone
    out_of_office = occurrences["event_type"] == "outOfOffice"
    all_day = occurrences["all_day"].astype(bool)
    columns = ("summary", "organizer", "organized_by_self", "reason", "start", "end")
    for row in np.flatnonzero(all_day | out_of_office).tolist():
        summary, organizer, by_self, reason, start, end = (occurrences[c][row] for c in columns)
        if not (out_of_office[row] or (isinstance(summary, str) and _AWAY.search(summary))):
            continue
        # the rep's own absence: not cancelled, not declined, not organized by someone else
        own = organizer == "" or organizer in routine.addresses or bool(by_self)
        if not own or reason in ("cancelled", "declined"):
            continue
        first, last = _local_date(start, routine), _local_date(end, routine)
        if not all_day[row]:
            first, last = _whole_working_days(start, end, routine)
        day = first
        while day < last:
            off.add(day)
            day += timedelta(days=1)
    return frozenset(d for d in off if period.first <= d <= period.last)


def _whole_working_days(start: datetime, end: datetime, routine: Routine) -> tuple[date, date]:
    """The dates whose working hours a timed absence covers completely, as [first, last)."""
    day = _local_date(start, routine)
    covered: list[date] = []
    while datetime.combine(day, datetime.min.time(), routine.zone) < end:
        spans = routine.working_spans(day.weekday())
        if spans:
            opens = datetime.combine(day, spans[0][0], routine.zone)
            closes = datetime.combine(day, spans[-1][1], routine.zone)
            if start <= opens and end >= closes:
                covered.append(day)
        day += timedelta(days=1)
    if not covered:
        return day, day
    return covered[0], covered[-1] + timedelta(days=1)


def _timeline(occurrences: Columns, routine: Routine, period: Period) -> AuditContext:
    counted = occurrences["counted"]
    midnights = local_midnights(period)
    segments = split_at_midnight(
        occurrences["occ"][counted],
        occurrences["start_ts"][counted],
        occurrences["end_ts"][counted],
        midnights,
    )
    occ = segments["occ"]
    activity = occurrences["activity"][occ]
    start_ts = occurrences["start_ts"][occ]
    duration = occurrences["end_ts"][occ] - start_ts
    is_routine = np.isin(activity, list(routine_activities(routine)))
    # priority: non-routine first, then earlier start, then longer, then file order
    order = np.lexsort((occ, -duration, start_ts, is_routine))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    ownership = resolve_overlaps(segments["seg_start"], segments["seg_end"], rank)
    segments["activity"] = activity
    segments["counted_seconds"] = ownership.counted_seconds
    pieces = ownership.pieces
    piece_seg = pieces["seg"]
    pieces["activity"] = activity[piece_seg]
    pieces["day"] = segments["day"][piece_seg]
    blocks = merge_blocks(pieces, pieces["activity"], pieces["day"])
    # occurrences are numbered 0..n-1 in row order (see _occurrences_in_period)
    n = len(occurrences["occ"])
    occurrences["seconds"] = _inside_seconds(occurrences, period)
    occurrences["counted_seconds"] = np.bincount(
        occ, weights=ownership.counted_seconds, minlength=n
    ).astype(np.int64)
    return AuditContext(
        period=period,
        routine=routine,
        occurrences=occurrences,
        segments=segments,
        pieces=pieces,
        blocks=blocks,
        conflicts=ownership.conflicts,
        days_off=_days_off(occurrences, routine, period),
    )


def _inside_seconds(occurrences: Columns, period: Period) -> np.ndarray:
    """Seconds of each occurrence inside the period, counted or not."""
    start = np.maximum(occurrences["start_ts"], int(period.start.timestamp()))
    end = np.minimum(occurrences["end_ts"], int(period.end.timestamp()))
    return np.maximum(end - start, 0)


def _public_occurrences(context: AuditContext) -> pd.DataFrame:
    occ = context.occurrences
    tz = context.period.tz
    all_day = occ["all_day"].astype(bool)
    start = _shown(occ["start_ts"], all_day, tz, context.routine.zone)
    end = _shown(occ["end_ts"], all_day, tz, context.routine.zone)
    order = np.lexsort((end.asi8, start.asi8))  # stable: equal times keep file order
    columns = {
        "start": start,
        "end": end,
        "hours": occ["seconds"] / HOUR,
        "counted_hours": occ["counted_seconds"] / HOUR,
        **{name: occ[name] for name in _PUBLIC_AS_IS[:2]},
        "counted": occ["counted"].astype(bool),
        "reason": occ["reason"],
        "all_day": all_day,
        **{name: occ[name] for name in _PUBLIC_AS_IS[2:]},
        "created": _moments(occ["created_ts"], tz),
        "source": occ["source"],
        "identity": occ["identity"],  # matches a plan's blocks (survival.py); never shown
    }
    return pd.DataFrame(
        {name: values[order] for name, values in columns.items()},
        index=pd.Index(occ["occ"][order], name="occ"),
    )


_PUBLIC_AS_IS = (
    "activity", "rule", "summary", "private", "attendees", "external_attendees", "calendar", "uid"
)  # fmt: skip


def _shown(
    timestamps: np.ndarray, all_day: np.ndarray, tz: ZoneInfo, zone: ZoneInfo
) -> pd.DatetimeIndex:
    """Moments in the audit zone; an all-day event keeps its dates in any audit zone."""
    seconds = timestamps.astype(np.int64, copy=True)
    for row in np.flatnonzero(all_day).tolist():
        day = datetime.fromtimestamp(int(seconds[row]), zone).date()
        seconds[row] = int(datetime.combine(day, datetime.min.time(), tz).timestamp())
    return _from_epoch(seconds, tz)


def _from_epoch(seconds: np.ndarray, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Epoch seconds (int64; its minimum is NaT) as moments in ``tz``: a view, no parsing.
    Whole seconds, as the engine counts, so year 9999 fits (nanoseconds end in 2262)."""
    return pd.DatetimeIndex(seconds.view("M8[s]")).tz_localize("UTC").tz_convert(tz)


def _moments(timestamps: np.ndarray, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Epoch seconds (or NaN) as moments in ``tz`` (or NaT)."""
    known = ~np.isnan(timestamps)
    seconds = np.full(len(timestamps), np.iinfo(np.int64).min)  # the int64 of NaT
    seconds[known] = timestamps[known].astype(np.int64)
    return _from_epoch(seconds, tz)


def _daily(context: AuditContext, measured: list[Measured]) -> pd.DataFrame:
    """Counted hours per (date, activity) with a segment (even one that owns nothing) or
    a daily hours target, sorted by date then activity."""
    segments = context.segments
    days = len(context.dates)
    targets = [
        (m.commitment.activity, m.per_day["target"])
        for m in measured
        if unit_kind(m.commitment.unit).is_time and m.commitment.direction is Direction.MIN
    ]
    names, codes = sorted_codes(
        np.concatenate([segments["activity"], np.array([a for a, _ in targets], dtype=object)])
    )
    # one key per (day, activity): keys in order are dates, then activity names, in order
    key = segments["day"] * len(names) + codes[: len(segments["day"])]
    size = days * len(names)
    seconds = np.bincount(key, weights=segments["counted_seconds"], minlength=size)
    present = np.bincount(key, minlength=size) > 0
    target = np.zeros(size)
    has_target = np.zeros(size, dtype=bool)
    for activity, per_day in targets:
        due = np.flatnonzero(per_day > 0)
        at = due * len(names) + int(np.searchsorted(names, activity))
        target[at] += per_day[due]
        has_target[at] = True
    keys = np.flatnonzero(present | has_target)
    if has_target[keys].any() or not len(keys):
        target_hours = np.where(has_target[keys], target[keys], np.nan)  # empty: float too
    else:
        target_hours = np.full(len(keys), None, dtype=object)  # as a column of None reads
    return pd.DataFrame(
        {
            "date": np.array(context.dates, dtype=object)[keys // len(names)],
            "activity": names[keys % len(names)],
            "hours": seconds[keys] / HOUR,
            "target_hours": target_hours,
        }
    )


def _commitment_table(measured: list[Measured]) -> pd.DataFrame:
    columns = {
        "id": [m.commitment.id for m in measured],
        "activity": [m.commitment.activity for m in measured],
        "unit": [m.commitment.unit.value for m in measured],
        "per": [m.commitment.per for m in measured],
        "direction": [m.commitment.direction.value for m in measured],
        "protected": [m.commitment.protected for m in measured],
        "target": [m.target for m in measured],
        "scheduled": [m.scheduled for m in measured],
        "gap": [m.gap for m in measured],
        "adherence": [m.adherence for m in measured],
        "blocks": [m.blocks for m in measured],
        "short_blocks": [m.short_blocks for m in measured],
        "outside_window_hours": [m.outside_seconds / HOUR for m in measured],
        "committed_days": [m.committed_days for m in measured],
        "description": [m.commitment.description for m in measured],
    }
    return pd.DataFrame(columns)  # each column's type inferred, as from records


def _commitment_days(measured: list[Measured]) -> pd.DataFrame:
    days = [len(m.per_day["date"]) for m in measured]
    return pd.DataFrame(
        {
            "commitment": np.repeat(np.array([m.commitment.id for m in measured], object), days),
            "unit": np.repeat(np.array([m.commitment.unit.value for m in measured], object), days),
            **{
                name: np.concatenate(
                    [m.per_day[name] for m in measured] or [np.zeros(0, dtype=dtype)]
                )
                for name, dtype in (("date", object), ("scheduled", float), ("target", float))
            },
        }
    )


def _notes(context: AuditContext) -> list[str]:
    reasons = context.occurrences["reason"]
    notes = []
    for reason, label in HELD.items():
        count = int((reasons == reason).sum())
        if count:
            verb = "was" if count == 1 else "were"
            notes.append(f"{count_text(count, f'{label} event')} {verb} counted as booked time")
    if context.days_off:
        days = ", ".join(day_text(d) for d in sorted(context.days_off))
        notes.append(f"days off (no targets): {days}")
    return notes


def _rep_info(routine: Routine) -> RepInfo:
    rep = routine.rep
    return RepInfo(
        email=rep.email if rep else "",
        name=rep.name if rep else "",
        timezone=routine.timezone,
        share_titles=routine.share_titles,
    )
