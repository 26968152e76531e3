"""Coverage: what the calendar data can tell about a period, before anything is judged.

A week without calendar data is a gap in the record, never a failure; a calendar
seen only as busy/free blocks cannot show which commitment a block served. The
rules are in docs/audit.md ("Evidence: coverage").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .wording import count_text, date_text, day_text

STALE_DAYS = 14  # a source whose newest occurrence ends this long before the period is stale
# an .ics seen through free/busy only: no descriptions, and titles only from this set
BUSY_TITLES = frozenset({"", "busy", "free", "tentative", "away", "out of office"})


class Status(StrEnum):
    OK = "ok"
    STALE = "stale"
    EMPTY = "empty"
    FREE_BUSY = "free_busy"


@dataclass(frozen=True)
class Extent:
    """What a source found beyond the period when no occurrence meets it.

    ``recent``: some occurrence ends after the stale line (``STALE_DAYS`` before the
    period's first day), or None when the source cannot tell; ``first_start`` and
    ``last_end``: the oldest occurrence's start and the end of the newest one before
    the period (None: none, or not known); ``next_start``: the first occurrence after
    the period; ``searched``: what was looked at, for the note.
    """

    recent: bool | None
    first_start: datetime | None = None
    last_end: datetime | None = None
    next_start: datetime | None = None
    searched: str = "the whole calendar"


@dataclass(frozen=True)
class Coverage:
    """How much of the period the calendar data covers (see docs/audit.md)."""

    status: Status = Status.OK
    events_in_period: int = 0
    first_event: date | None = None
    last_event: date | None = None
    note: str = ""

    @property
    def judged(self) -> bool:
        """False for an empty or stale period: no findings, no ranking, no trend."""
        return self.status in (Status.OK, Status.FREE_BUSY)

    @property
    def commitments_judged(self) -> bool:
        """Only with classified events (``ok``) are commitments met, short or over."""
        return self.status is Status.OK

    def line(self) -> str:
        """One line for every report: the status and what it rests on."""
        verdict = "" if self.judged else "; no calendar data this week, so nothing is judged"
        return f"Calendar coverage: {self.status.value}: {self.note}{verdict}"

    def newest_text(self) -> str:
        """``newest event Fri 19 Mar 2021`` (or ``not known``)."""
        return f"newest event {date_text(self.last_event) if self.last_event else 'not known'}"

    def apart_text(self) -> str:
        """How a roll-up lists a rep whose commitments are not judged: ``no calendar data
        this week; newest event Fri 19 Mar 2021``."""
        if self.status is Status.FREE_BUSY:
            return "busy/free blocks only this week; commitments not judged"
        return f"no calendar data this week; {self.newest_text()} ({self.status.value})"


def stale_line(first: date) -> date:
    """The day whose midnight an occurrence must end after for the source not to be stale."""
    return first - timedelta(days=STALE_DAYS)


def coverage_of(
    count: int,
    span: tuple[datetime, datetime] | None,
    first_day: date,
    *,
    free_busy: bool,
    extent: Extent | None,
) -> Coverage:
    """The coverage of a period: ``count`` occurrences meet it, ``span`` is their earliest
    start and latest end, ``first_day`` the period's first day (all in the audit zone)."""
    if count:
        first, last = span or (None, None)
        if free_busy:
            note = (
                f"{count_text(count, 'event')} in the period, seen only as busy/free blocks: "
                "nothing but "
                "`other` can be classified, so commitments are not judged (only the routine's "
                "fit and fragmented days are)"
            )
            return Coverage(Status.FREE_BUSY, count, _day(first), _last_day(last), note)
        first_day_seen, last_day_seen = _day(first), _last_day(last)
        note = (
            f"{count_text(count, 'event')} in the period, "
            f"{_day_text(first_day_seen)} to {_day_text(last_day_seen)}"
        )
        return Coverage(Status.OK, count, first_day_seen, last_day_seen, note)
    line = date_text(stale_line(first_day))
    if extent is None:
        note = "no events in the period (the calendar was not searched beyond it)"
        return Coverage(Status.EMPTY, 0, None, None, note)
    newest = _last_day(extent.last_end)
    parts = ["no events in the period"]
    if extent.last_end is not None:
        parts.append(f"newest event before it ends {date_text(newest)}")
    if extent.next_start is not None:
        parts.append(f"next event after it starts {date_text(_day(extent.next_start))}")
    if extent.recent is False:
        status = Status.STALE
        parts.append(f"nothing ends after {line}: the calendar looks stale")
    else:
        status = Status.EMPTY
        if extent.first_start is None and extent.last_end is None and extent.next_start is None:
            parts.append("the calendar holds no events" if extent.recent is None else "")
    note = "; ".join(p for p in parts if p) + f" (searched: {extent.searched})"
    return Coverage(status, 0, _day(extent.first_start), newest, note)


def looks_free_busy(summaries: Iterable[object], descriptions: Iterable[object]) -> bool:
    """True when no occurrence has a description and every title is missing or a
    busy/free word (how free/busy-only .ics exports and shared calendars look)."""
    if any(descriptions):
        return False
    return all(str(title).strip().lower() in BUSY_TITLES for title in summaries)


def _day_text(day: date | None) -> str:
    """A day of (or next to) the period: the report's period gives its year."""
    return "not known" if day is None else day_text(day)


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


def _last_day(moment: datetime | None) -> date | None:
    """The day of an end instant's last second (an event ending at midnight ends the day
    before)."""
    return None if moment is None else (moment - timedelta(seconds=1)).date()
