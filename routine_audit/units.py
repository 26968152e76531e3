"""Display formatting of amounts, shared by findings and every renderer."""

from __future__ import annotations

HOUR = 3600


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
