"""The normalized event record that every calendar source produces.

Time is normalized once, here at the source boundary: ``start`` and ``end``
are always time-zone-aware; all-day events start and end at local midnight of
their dates (in the zone the source was given) and carry ``all_day=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .coverage import Extent
from .wording import clock_text, day_text


class Status(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class Response(StrEnum):
    """An attendee's answer to an invitation (iCalendar PARTSTAT, Google responseStatus)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    NEEDS_ACTION = "needs_action"
    DELEGATED = "delegated"


class Visibility(StrEnum):
    DEFAULT = "default"
    PUBLIC = "public"
    PRIVATE = "private"
    CONFIDENTIAL = "confidential"


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    response: Response | None = None
    is_self: bool = False  # the source says this attendee is the calendar's owner
    is_resource: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    """One occurrence of a calendar event (recurring series are already expanded)."""

    uid: str
    start: datetime
    end: datetime
    all_day: bool = False
    summary: str = ""
    description: str = ""
    location: str = ""
    calendar: str = ""
    color: str = ""
    # how the owner tagged the event (Outlook categories, iCalendar CATEGORIES), in the
    # source's order; content like the title: never shown for a private event
    categories: tuple[str, ...] = ()
    status: Status = Status.CONFIRMED
    transparent: bool = False
    visibility: Visibility = Visibility.DEFAULT
    details_hidden: bool = False  # the reader may see only free/busy for this event
    event_type: str = "default"
    organizer: str = ""
    organized_by_self: bool = False  # the source says the calendar's owner organized it
    attendees: tuple[Attendee, ...] = ()
    recurrence_id: datetime | date | None = None
    created: datetime | None = None  # None: the source does not know
    source: str = ""  # file, URL or calendar id the event came from
    # the source's own ids, where it has them (Google: the event id, and the series'
    # recurringEventId); identity across sources and reads is ``key``
    source_id: str = ""
    series_id: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"event {self.uid!r}: start and end must be time-zone-aware")

    @property
    def is_private(self) -> bool:
        """Content must never reach anyone but the calendar's owner."""
        return self.details_hidden or self.visibility in (
            Visibility.PRIVATE,
            Visibility.CONFIDENTIAL,
        )

    @property
    def key(self) -> tuple[str, str]:
        """The event's stable identity, across files, reads and sources: UID plus
        RECURRENCE-ID (a single event: its UID; Google: iCalUID and originalStartTime).

        Only used between files: inside one file a RANGE=THISANDFUTURE override
        gives many occurrences the same RECURRENCE-ID.
        """
        instance = "" if self.recurrence_id is None else _instant_key(self.recurrence_id)
        return (self.uid, instance)


def _instant_key(value: datetime | date) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return str(int(value.timestamp()))
    return value.isoformat()


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a source could not read; it goes to the report's data-quality section.

    An event's problem names the event as its owner knows it: its title and when
    it starts (in the rep's zone). Its UID is kept for identity, never shown.
    """

    source: str
    message: str
    uid: str | None = None
    line: int | None = None
    skipped: bool = True  # False: read, but with an assumption the report states
    detail: str = ""  # the parser's words; may quote calendar content, so owner-only
    title: str = ""  # the event's title: owner-only unless shared, never for a private event
    start: datetime | date | None = None  # the event's start, local to the rep; a date: all day
    private: bool = False  # the event is private: its title is the owner's alone
    event: bool = False  # about one event (named by title and date), not a whole file

    def __str__(self) -> str:
        return f"{self.brief()}: {self.detail}" if self.detail else self.brief()

    def brief(self, *, title: bool = True) -> str:
        """Where and what, without the parser's detail; ``title=False`` names the event
        by its date and time only (a manager's view: titles are the rep's)."""
        place = f"{self.source}:{self.line}" if self.line else self.source
        event = f" ({self.event_name(title=title)})" if self.event else ""
        return f"{place}{event}: {self.message}"

    def event_name(self, *, title: bool = True) -> str:
        """``"Client call", Mon 02 Mar 2026 10:00``, or ``event on Mon 02 Mar 2026 10:00``."""
        when = _when_text(self.start)
        name = " ".join(self.title.split())
        if title and name:
            return f'"{name}", {when}' if when else f'"{name}"'
        return f"event on {when}" if when else "an event whose date could not be read"


def _when_text(start: datetime | date | None) -> str:
    if start is None:
        return ""
    day = f"{day_text(start)} {start.year}"
    return f"{day} {clock_text(start)}" if isinstance(start, datetime) else day


@dataclass(frozen=True)
class CalendarData:
    """What a source returns for a period: events plus what it had to skip."""

    events: tuple[Event, ...]
    problems: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)
    # when no occurrence meets the period: what the source found beyond it (coverage)
    extent: Extent | None = None
    # the source says it shows only busy/free blocks (True) or full events (False);
    # None: it cannot say, and the events' text decides (see coverage.looks_free_busy)
    free_busy: bool | None = None
