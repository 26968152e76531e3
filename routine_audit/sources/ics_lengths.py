"""Real elapsed lengths for .ics occurrences across daylight-saving changes (docs/audit.md).

recurring-ical-events adds an event's length on the local clock: ``DTSTART;TZID`` with
``DURATION:PT2H`` over a spring-forward night ends one real hour later, and a DTEND in
another zone is moved onto the start's clock. RFC 5545 says otherwise: the days and weeks
of a DURATION are nominal (a day is a calendar day, 23 to 25 hours), its hours, minutes
and seconds exact; a DTEND is an instant; and the members of a series last the exact
length of its first instance. So before expansion each VEVENT's length is noted on it as
(nominal days, exact seconds), the library copies the note to every occurrence, and
``correct_end`` sets each occurrence's end from its own start.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icalendar

_NOTE = "X-ROUTINE-AUDIT-LENGTH"  # on parsed components only, never in a file; popped again
_RAW = "X-ROUTINE-AUDIT-RAW"  # a DURATION parameter: the value as written (see below)
# a DURATION with a time part: icalendar reads PT24H and P1D as the same timedelta, so a
# time part of a day or more is kept as written beside it, for ``_length``
_VALUE = r"\+?P(?:(\d+)W)?(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?"
_DURATION_LINE = re.compile(
    rf"^(DURATION)((?:;[^:\r\n]*)?):({_VALUE})(?=\r?$)", re.IGNORECASE | re.MULTILINE
)
_RAW_VALUE = re.compile(_VALUE)
_DAY = 86400
_REPEATS = ("RRULE", "RDATE")


def keep_long_durations(text: str) -> str:
    """``text`` with each DURATION whose exact (time) part is a day or more marked with its
    value as written (an X- parameter, which parsers ignore)."""
    if "URATION" not in text and "uration" not in text:  # a quick look first: most have none
        return text
    return _DURATION_LINE.sub(_marked, text)


def _marked(match: re.Match[str]) -> str:
    hours, minutes, seconds = (int(g or 0) for g in match.groups()[5:8])
    if hours * 3600 + minutes * 60 + seconds < _DAY:
        return match.group(0)
    name, params, value = match.group(1), match.group(2), match.group(3)
    return f"{name}{params};{_RAW}={value}:{value}"


def note_lengths(calendar: icalendar.Calendar, zone: tzinfo) -> None:
    """Note each timed VEVENT's length as (nominal days, exact seconds), before expansion.

    ``zone`` is where floating times are read (the routine's zone, as ``to_event`` does).
    """
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            try:
                length = _length(component, zone)
            except (OverflowError, ValueError, OSError):  # times at the ends of the calendar
                continue  # the library's end stands
            if length is not None:
                component[_NOTE] = length


def correct_end(occurrence: icalendar.Event, zone: tzinfo) -> None:
    """Set an expanded occurrence's DTEND to its start plus the noted length."""
    from icalendar import vDDDTypes

    length = occurrence.pop(_NOTE, None)
    if length is None or "DTSTART" not in occurrence:
        return
    start = occurrence["DTSTART"].dt
    if not isinstance(start, datetime):
        return
    days, exact = length
    if start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    try:
        # nominal days on the start's own clock (datetime arithmetic is wall-clock), then
        # exact seconds on the real time line
        end = (start + timedelta(days=days) if days else start).timestamp() + exact
        given = occurrence["DTEND"].dt if "DTEND" in occurrence else None
        if isinstance(given, datetime) and _instant(given, zone) == end:
            return  # the library's end was right (no clock change in between): most are
        occurrence["DTEND"] = vDDDTypes(datetime.fromtimestamp(end, start.tzinfo))
    except (OverflowError, ValueError, OSError):  # past year 9999: the library's end stands
        return


def _length(component: icalendar.Event, zone: tzinfo) -> tuple[int, int] | None:
    """(nominal days, exact seconds) of a timed VEVENT; None when the library's end is
    right (all-day events, no end) or the end is of another type (reported elsewhere)."""
    start = component["DTSTART"].dt if "DTSTART" in component else None
    if not isinstance(start, datetime):
        return None
    if "DTEND" in component:
        end = component["DTEND"].dt
        if not isinstance(end, datetime) or (
            end.tzinfo is start.tzinfo and not any(k in component for k in _REPEATS)
        ):
            return None  # a single event's end on its start's clock is kept as it is
        return 0, int(_instant(end, zone) - _instant(start, zone))
    if "DURATION" not in component:
        return None
    duration = component["DURATION"]
    parts = _RAW_VALUE.fullmatch(str(duration.params.get(_RAW, "")))
    if parts is None:  # the time part is under a day: timedelta keeps days and time apart
        value = duration.dt
        return value.days, value.seconds
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in parts.groups())
    return weeks * 7 + days, hours * 3600 + minutes * 60 + seconds


def _instant(value: datetime, zone: tzinfo) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=zone)).timestamp()
