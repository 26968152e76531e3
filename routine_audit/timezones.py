"""Resolve time-zone names as calendars write them to IANA zones (zoneinfo)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON


@cache
def resolve_zone(name: str) -> ZoneInfo | None:
    """An IANA zone for ``name`` (IANA or Windows name), or None if unknown."""
    cleaned = name.strip().strip('"')
    if not cleaned:
        return None
    iana = WINDOWS_TO_OLSON.get(cleaned, cleaned)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        return None
