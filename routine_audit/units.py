"""Display formatting of amounts, shared by findings and every renderer."""

from __future__ import annotations

from datetime import date, datetime, time

HOUR = 3600
# English names, as strftime gives them in the C locale, without its cost (reports name
# thousands of spans)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock_span_text(start: datetime, end: datetime) -> str:
    """``Mon 09:00–10:30``."""
    return f"{_WEEKDAYS[start.weekday()]} {clock_text(start)}–{clock_text(end)}"


def day_text(day: date) -> str:
    """``Mon 02 Nov``."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day:02d} {_MONTHS[day.month - 1]}"


def clock_text(moment: datetime | time) -> str:
    """``09:05``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def hours(seconds: float) -> float:
    """Seconds to hours, rounded once, for display (two decimals)."""
    return round(seconds / HOUR, 2)


def duration_text(seconds: float) -> str:
    """``2 h 15 min``, ``45 min``, ``0 min``."""
    minutes = round(seconds / 60)
    whole_hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if whole_hours and rest:
        return f"{sign}{whole_hours} h {rest} min"
    if whole_hours:
        return f"{sign}{whole_hours} h"
    return f"{sign}{rest} min"


def amount_text(value: float, unit: str) -> str:
    """An amount in a commitment's unit: ``2 h 30 min``, ``3 blocks``, ``6.4 meetings``."""
    if unit == "hours":
        return duration_text(value * HOUR)
    number = f"{value:g}" if value == int(value) else f"{value:.1f}"
    singular = unit[:-1] if unit.endswith("s") else unit
    return f"{number} {singular if value == 1 else unit}"
