"""Measure each commitment: scheduled amount in its unit against its target, per day and period."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..config.schema import Commitment, Direction, Unit
from .context import AuditContext

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
    per_day: pd.DataFrame  # date, scheduled, target

    @cached_property
    def gap(self) -> float:
        """Positive: short of a min target, or over a max limit; negative: room to spare.

        For ``per: day`` the per-day shortfalls (or overruns) are added up, so a
        surplus on Tuesday does not hide a missed Monday.
        """
        sign = 1.0 if self.commitment.direction is Direction.MIN else -1.0
        overall = sign * (self.target - self.scheduled)
        if self.commitment.per != "day":
            return overall
        days = self.per_day[self.per_day["target"] > 0]
        daily = (sign * (days["target"] - days["scheduled"])).clip(lower=0).sum()
        return float(daily) if daily > 0 else overall

    @property
    def adherence(self) -> float | None:
        if self.commitment.direction is Direction.MIN:
            if self.target <= 0:
                return None
            return min(max(1.0 - self.gap / self.target, 0.0), 1.0)
        if self.scheduled <= self.target:
            return 1.0
        return self.target / self.scheduled


def measure(context: AuditContext, commitment: Commitment) -> Measured:
    days = context.committed_days(commitment)
    per_week = context.committed_weekdays(commitment)
    if commitment.per == "day":
        daily_target = dict.fromkeys(days, commitment.target)
        target = commitment.target * len(days)
    else:
        if commitment.direction is Direction.MAX:
            # a day off lowers what must be done, not what may be done: a limit is
            # prorated by the period's length only
            target = commitment.target * len(context.dates) / 7
            basis = context.committed_days(commitment, with_days_off=True) or context.dates
        else:
            target = commitment.target * len(days) / per_week if per_week else 0.0
            basis = days
        daily_target = {d: target / len(basis) for d in basis} if basis else {}

    amount_by_day = _scheduled_by_day(context, commitment)
    blocks = context.blocks[context.blocks["activity"] == commitment.activity]
    minimum = commitment.min_block * 60
    short = int((blocks["seconds"] < minimum).sum()) if minimum else 0
    per_day = pd.DataFrame(
        {
            "date": context.dates,
            "scheduled": [amount_by_day.get(i, 0.0) for i in range(len(context.dates))],
            "target": [daily_target.get(d, 0.0) for d in context.dates],
        }
    )
    return Measured(
        commitment=commitment,
        target=target,
        scheduled=float(per_day["scheduled"].sum()),
        blocks=int((blocks["seconds"] >= minimum).sum()),
        short_blocks=short,
        outside_seconds=int(outside_window_seconds(context, commitment).sum()),
        committed_days=len(days),
        per_day=per_day,
    )


def _scheduled_by_day(context: AuditContext, commitment: Commitment) -> dict[int, float]:
    """Scheduled amount in the commitment's unit, keyed by day index."""
    if commitment.unit is Unit.HOURS:
        segments = context.segments[context.segments["activity"] == commitment.activity]
        seconds = segments.groupby("day")["counted_seconds"].sum()
        return {int(day): value / HOUR for day, value in seconds.items()}
    if commitment.unit is Unit.BLOCKS:
        blocks = context.blocks[
            (context.blocks["activity"] == commitment.activity)
            & (context.blocks["seconds"] >= commitment.min_block * 60)
        ]
        return {int(day): float(n) for day, n in blocks.groupby("day").size().items()}
    held = context.segments[
        (context.segments["activity"] == commitment.activity)
        & (context.segments["counted_seconds"] > 0)
    ].drop_duplicates("occ")  # a meeting counts once, on the day it starts
    return {int(day): float(n) for day, n in held.groupby("day").size().items()}


def outside_window_seconds(context: AuditContext, commitment: Commitment) -> pd.Series:
    """Owned seconds of the activity outside the commitment's window, per day index."""
    if commitment.unit is Unit.MEETINGS:
        return pd.Series(dtype=np.int64)
    pieces = context.pieces[context.pieces["activity"] == commitment.activity]
    if pieces.empty:
        return pd.Series(dtype=np.int64)
    start = pieces["start"].to_numpy()
    end = pieces["end"].to_numpy()
    inside = context.window_intervals(commitment).covered(start, end)
    outside = pd.Series((end - start) - inside, index=pieces.index)
    return outside.groupby(pieces["day"]).sum()
