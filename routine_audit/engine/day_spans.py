"""Recurring daily spans in the routine's zone (working hours, commitment windows) as
absolute intervals, and how much of any [start, end) they cover, vectorized."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import numpy as np

# per weekday (Monday first), the day's spans as (start, end) clock times
WeekSpans = tuple[tuple[tuple[time, time], ...], ...]


@dataclass(frozen=True)
class Intervals:
    """Sorted, non-overlapping absolute intervals with their local dates."""

    start: np.ndarray
    end: np.ndarray
    day: np.ndarray  # the local date (in the spans' zone) of each interval, as datetime64[D]

    @classmethod
    def weekly(cls, first: date, last: date, zone: ZoneInfo, week: WeekSpans) -> Intervals:
        """The spans of each weekday (``week[0]`` Monday) on every date from first to last."""
        return _weekly(first, last, zone, week)

    @property
    def seconds(self) -> np.ndarray:
        return self.end - self.start

    def covered(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Seconds of each [start, end) that fall inside these intervals."""
        return np.maximum(self.cumulative(end) - self.cumulative(start), 0)

    def cumulative(self, instant: np.ndarray) -> np.ndarray:
        """Seconds of all intervals before ``instant`` (a piecewise-linear function)."""
        if len(self.start) == 0:
            return np.zeros(np.shape(instant), dtype=np.int64)
        xp, fp = self._breakpoints
        # interpolation is exact here: integer breakpoints, slopes of 0 and 1, below 2**53
        values = np.interp(np.asarray(instant, dtype=np.float64), xp, fp)
        return np.rint(values).astype(np.int64)

    @cached_property
    def _breakpoints(self) -> tuple[np.ndarray, np.ndarray]:
        xp = np.column_stack([self.start, self.end]).ravel()
        done = np.concatenate([[0], np.cumsum(self.end - self.start)])
        fp = np.column_stack([done[:-1], done[1:]]).ravel()
        return xp, fp


def _instant(day: date, clock: time, zone: ZoneInfo) -> int:
    if clock == time.max:  # 24:00, the end of the day
        return int(datetime.combine(day + timedelta(days=1), time(), zone).timestamp())
    return int(datetime.combine(day, clock, zone).timestamp())


@lru_cache(maxsize=256)
def _weekly(first: date, last: date, zone: ZoneInfo, week: WeekSpans) -> Intervals:
    # a team's reps share zones and hours: the same intervals serve every audit of the period
    starts: list[int] = []
    ends: list[int] = []
    days: list[date] = []
    day = first
    while day <= last:
        for span_start, span_end in week[day.weekday()]:
            starts.append(_instant(day, span_start, zone))
            ends.append(_instant(day, span_end, zone))
            days.append(day)
        day += timedelta(days=1)
    columns = (
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(days, dtype="datetime64[D]"),
    )
    for column in columns:
        column.flags.writeable = False  # shared between audits
    return Intervals(*columns)
