"""Measure each commitment: scheduled amount in its unit against its target, per day and period."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..config.schema import Commitment, Direction
from ..unit_kinds import Measure, unit_kind
from .context import AuditContext
from .timeline import Columns

HOUR = 3600


@dataclass(frozen=True)
class Measured:
    """One commitment's figures, period-level and per date."""

    commitment: Commitment
    target: float
    scheduled: float
    blocks: int
    short_blocks: int
    outside_seconds: int
    committed_days: int
    per_day: Columns  # date, scheduled, target

    @cached_property
    def gap(self) -> float:
        """Positive: short of a min target, or over a max limit; negative: room to spare.

        For ``per: day`` each judged day (a date with a daily target) counts alone: the gap
        adds up the days short of a min (or over a max), so a surplus on Tuesday does not
        hide a missed Monday; when no day is, it is minus the spare time of those days
        (time on days that are not judged never counts).
        """
        sign = 1.0 if self.commitment.direction is Direction.MIN else -1.0
        if self.commitment.per != "day":
            return sign * (self.target - self.scheduled)
        target = self.per_day["target"]
        due = target > 0
        daily = sign * (target[due] - self.per_day["scheduled"][due])
        problems = daily[daily > 0].sum()
        return float(problems) if problems > 0 else float(daily.sum())

    @property
    def adherence(self) -> float | None:
        """``min``: 1 - gap / target, between 0 and 1 (None without a target); ``max``: 1
        within the limit, else limit / (limit + overrun) (limit / scheduled for a week)."""
        if self.commitment.direction is Direction.MIN:
            if self.target <= 0:
                return None
            return min(max(1.0 - self.gap / self.target, 0.0), 1.0)
        if self.gap <= 0:
            return 1.0
        return self.target / (self.target + self.gap)


def measure(context: AuditContext, commitment: Commitment) -> Measured:
    days = context.committed_days(commitment)
    per_week = context.committed_weekdays(commitment)
    limit = commitment.direction is Direction.MAX
    # a day off lowers what must be done, not what may be done: a limit judges every
    # committed weekday, days off included
    judged = context.committed_days(commitment, with_days_off=True) if limit else days
    whole = unit_kind(commitment.unit).whole
    if commitment.per == "day":
        daily = whole_target(commitment.target, bool(judged)) if whole else commitment.target
        daily_target = dict.fromkeys(judged, daily)
        target = daily * len(judged)
    else:
        if limit:
            # a limit is prorated by the period's length only
            target = commitment.target * len(context.dates) / 7
            basis = judged or context.dates
        else:
            target = commitment.target * len(days) / per_week if per_week else 0.0
            basis = days
        if whole:
            target = whole_target(target, bool(judged))
        daily_target = {d: target / len(basis) for d in basis} if basis else {}

    scheduled = _scheduled_by_day(context, commitment)
    blocks = context.blocks
    block_seconds = blocks["seconds"][blocks["activity"] == commitment.activity]
    minimum = commitment.min_block * 60
    short = int((block_seconds < minimum).sum()) if minimum else 0
    per_day = {
        "date": np.array(context.dates, dtype=object),
        "scheduled": scheduled,
        "target": np.array([daily_target.get(d, 0.0) for d in context.dates], dtype=np.float64),
    }
    return Measured(
        commitment=commitment,
        target=target,
        scheduled=float(scheduled.sum()),
        blocks=int((block_seconds >= minimum).sum()),
        short_blocks=short,
        outside_seconds=int(outside_window_seconds(context, commitment).sum()),
        committed_days=len(days),
        per_day=per_day,
    )


def whole_target(amount: float, available: bool) -> float:
    """A target in meetings or blocks as a whole number: half up (4.8 -> 5, 2.4 -> 2,
    2.5 -> 3), and at least 1 when a committed day is ``available``."""
    whole = math.floor(round(amount, 9) + 0.5)  # round(): 2.4999999999 from prorating is 2.5
    return float(max(whole, 1) if available else whole)


def _scheduled_by_day(context: AuditContext, commitment: Commitment) -> np.ndarray:
    """Scheduled amount in the commitment's unit, per day index of the period."""
    return SCHEDULED[unit_kind(commitment.unit).measure](context, commitment)


def _time_by_day(context: AuditContext, commitment: Commitment) -> np.ndarray:
    segments = context.segments
    mine = segments["activity"] == commitment.activity
    seconds = segments["counted_seconds"][mine]
    days = len(context.dates)
    return np.bincount(segments["day"][mine], weights=seconds, minlength=days) / HOUR


def _blocks_by_day(context: AuditContext, commitment: Commitment) -> np.ndarray:
    blocks = context.blocks
    long_enough = (blocks["activity"] == commitment.activity) & (
        blocks["seconds"] >= commitment.min_block * 60
    )
    days = len(context.dates)
    return np.bincount(blocks["day"][long_enough], minlength=days).astype(np.float64)


def _meetings_by_day(context: AuditContext, commitment: Commitment) -> np.ndarray:
    segments = context.segments
    held = (segments["activity"] == commitment.activity) & (segments["counted_seconds"] > 0)
    # a meeting counts once, on the day it starts (its first segment)
    _, first = np.unique(segments["occ"][held], return_index=True)
    days = len(context.dates)
    return np.bincount(segments["day"][held][first], minlength=days).astype(np.float64)


# how each measure of the table of units (routine_audit/unit_kinds.py) is counted
SCHEDULED: dict[Measure, Callable[[AuditContext, Commitment], np.ndarray]] = {
    Measure.TIME: _time_by_day,
    Measure.BLOCKS: _blocks_by_day,
    Measure.MEETINGS: _meetings_by_day,
}


def outside_window_seconds(context: AuditContext, commitment: Commitment) -> np.ndarray:
    """Owned seconds of the activity outside the commitment's window, per owned piece (a
    unit whose events are not routine blocks has no window to keep to)."""
    if not unit_kind(commitment.unit).routine_blocks:
        return np.zeros(0, dtype=np.int64)
    pieces = context.pieces
    mine = pieces["activity"] == commitment.activity
    if not mine.any():
        return np.zeros(0, dtype=np.int64)
    start, end = pieces["start"][mine], pieces["end"][mine]
    return (end - start) - context.window_intervals(commitment).covered(start, end)
