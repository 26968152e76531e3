"""Coverage of an .ics source whose period holds no occurrence: read it whole.

The fast path (``ics_prefilter``) drops VEVENTs far from the period before parsing,
so it cannot know the newest event. Only a period that turns out empty pays for
this second, whole read: is the calendar stale (nothing ends after the stale
line) or just quiet this week?
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..coverage import Extent, stale_line
from ..period import Period


def whole_extent(texts: Iterable[tuple[str, str]], period: Period, zone: ZoneInfo) -> Extent:
    """The extent of every occurrence in the documents ``(name, unfolded text)``.

    A calendar the recurrence library cannot expand is left out, and so is what a
    series finds after it has examined ``MAX_CANDIDATES`` candidate times (the normal
    read reports both)."""
    found = Found()
    line = datetime.combine(stale_line(period.first), datetime.min.time(), period.tz)
    for query in _queries(texts):
        try:
            _look(query, found, line, period, zone)
        except Exception:  # noqa: BLE001  (coverage must never fail a read)
            continue
    if not found.starts:
        return Extent(None)
    return Extent(
        found.recent,
        first_start=min(found.starts),
        last_end=max(found.before) if found.before else None,
        next_start=min(found.after) if found.after else None,
    )


@dataclass
class Found:
    starts: list[datetime] = field(default_factory=list)  # each calendar's oldest start
    recent: bool = False  # an occurrence ends after the stale line
    before: list[datetime] = field(default_factory=list)  # ends before the period
    after: list[datetime] = field(default_factory=list)  # first starts after it


def _look(query, found: Found, line: datetime, period: Period, zone: ZoneInfo) -> None:
    oldest = _first(query.all(), zone)
    if oldest is None:
        return
    found.starts.append(oldest[0])
    if _first(query.after(line), zone, ending_after=line) is not None:
        found.recent = True
        later = _first(query.after(period.end), zone, ending_after=period.end)
        if later is not None:
            found.after.append(later[0])
    # every occurrence before the period (a history: only an empty week reads it)
    floor = oldest[0] - timedelta(days=1)
    ends = (_times(c, zone)[1] for c in query.between(floor, period.start))
    found.before.extend(end for end in ends if end <= period.start)


def _queries(texts: Iterable[tuple[str, str]]):
    """A recurrence query per readable calendar (unreadable files were reported already)."""
    import icalendar
    import recurring_ical_events

    from .ics_rules import bound

    for _name, text in texts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                components = icalendar.Calendar.from_ical(text, multiple=True)
        except Exception:  # noqa: BLE001  (the normal read has reported it)
            continue
        for calendar in components:
            if calendar.name != "VCALENDAR":
                continue
            try:
                yield bound(recurring_ical_events.of(calendar, skip_bad_series=True))
            except Exception:  # noqa: BLE001  (a series the library cannot read)
                continue


def _first(
    occurrences, zone: ZoneInfo, *, ending_after: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """The first occurrence (that ends after ``ending_after``), or None."""
    for component in occurrences:
        times = _times(component, zone)
        if ending_after is None or times[1] > ending_after:
            return times
    return None


def _times(component, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """An occurrence's start and end as aware instants (dates at midnight in ``zone``)."""
    start = component.get("DTSTART").dt
    end_property = component.get("DTEND")
    end = end_property.dt if end_property is not None else start
    return _aware(start, zone), _aware(end, zone)


def _aware(value, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
