"""Audit periods: whole days in an explicit time zone, never the machine's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from .errors import UsageError
from .wording import days_text

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Inclusive whole days ``first``..``last`` in zone ``tz``."""

    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if not (date(1900, 1, 1) <= self.first and self.last <= date(2199, 12, 31)):
            raise UsageError(
                f"the period {self.first}..{self.last} is outside the years 1900-2199",
                hint="check the dates",
            )
        if self.last < self.first:
            raise UsageError(
                f"the period ends ({self.last}) before it starts ({self.first})",
                hint="give `end` on or after `start`",
                names=("end", "start"),
            )

    @property
    def start(self) -> datetime:
        """The first instant of the period (local midnight of ``first``)."""
        return datetime.combine(self.first, time(), self.tz)

    @property
    def end(self) -> datetime:
        """The instant just after the period (local midnight after ``last``)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.tz)

    @property
    def days(self) -> list[date]:
        return list(self._days)

    @cached_property
    def _days(self) -> tuple[date, ...]:  # a year-long audit asks for them thousands of times
        return tuple(
            self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)
        )

    @property
    def label(self) -> str:
        """``2026-W47`` for an ISO week, else ``FIRST..LAST``."""
        if self.first.weekday() == 0 and self.last == self.first + timedelta(days=6):
            return week_label_of(self.first)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def name(self) -> str:
        """The period as a person reads it: ``2026-W47`` for an ISO week (the label says
        the year), else its days, ``Sun 15 Mar – Sat 21 Mar 2026`` (never ISO dates)."""
        if self.first.weekday() == 0 and self.last == self.first + timedelta(days=6):
            return week_label_of(self.first)
        return days_text(self.first, self.last)

    def with_tz(self, tz: ZoneInfo) -> Period:
        return Period(self.first, self.last, tz)


def spanning(periods: Sequence[Period]) -> Period:
    """The days from the first of ``periods`` to the last, in the first one's zone."""
    return Period(min(p.first for p in periods), max(p.last for p in periods), periods[0].tz)


def week_label_of(day: date) -> str:
    """The ISO week ``day`` falls in, as ``2026-W05`` (zero-padded: labels sort by date)."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def week_monday(label: str) -> date | None:
    """The Monday of ``2026-W5``, ``2026w05``...; None if not an ISO week label or no such week."""
    match = _ISO_WEEK.match(str(label).strip())
    if not match:
        return None
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def iso_week(year: int, week: int, tz: ZoneInfo) -> Period:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UsageError(f"{year:04d}-W{week:02d} is not an ISO week") from None
    return Period(monday, monday + timedelta(days=6), tz)


def resolve_week(spec: str, tz: ZoneInfo, *, today: date | None = None) -> Period:
    """``2026-W47``, ``last``, ``this`` or ``next``, worked out in ``tz``."""
    if today is None:
        today = datetime.now(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    relative = {"last": -7, "this": 0, "next": 7}
    key = spec.strip().lower()
    if key in relative:
        monday = this_monday + timedelta(days=relative[key])
        return Period(monday, monday + timedelta(days=6), tz)
    match = _ISO_WEEK.match(spec.strip())
    if not match:
        raise UsageError(
            f"`week` {spec!r} is not a week",
            hint="use an ISO week such as 2026-W47, or last, this or next",
            names=("week",),
        )
    return iso_week(int(match[1]), int(match[2]), tz)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"`{option}` {value!r} is not a date", hint="use YYYY-MM-DD", names=(option,)
        ) from None


def choose_period(
    tz: ZoneInfo,
    *,
    week: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> Period:
    """The period the options name; ``last`` (the last complete ISO week) by default."""
    if week and (start or end):
        raise UsageError(
            "give either `week` or `start`/`end`, not both", names=("week", "start", "end")
        )
    if start or end:
        if not (start and end):
            raise UsageError(
                "`start` and `end` go together", hint="give both dates", names=("start", "end")
            )
        return Period(parse_day(start, "start"), parse_day(end, "end"), tz)
    return resolve_week(week or "last", tz, today=today)
