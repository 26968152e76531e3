"""Resolve time-zone names as calendars write them to IANA zones (zoneinfo).

Calendars put these kinds of names into TZID parameters:

- IANA names (``Europe/Berlin``) and their legacy aliases (``US/Eastern``);
- Windows zone IDs (``W. Europe Standard Time``), as Exchange writes them;
- Windows display names (``(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm,
  Vienna``), as Outlook writes them, also in older spellings (``(GMT+10:00) ...``,
  ``Pacific Time (US & Canada), Tijuana``);
- globally unique paths that end in an IANA name
  (``/mozilla.org/20050126_1/Europe/Berlin``).

Names of custom zones (``Customized Time Zone``, ``tzone://Microsoft/Custom``)
have no resolution here: only their VTIMEZONE says what they mean.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .windows_zone_names import WINDOWS_DISPLAY_NAMES

# "(UTC+05:30) ", "(GMT-08:00) ", "(UTC) ", also with a Unicode minus sign.
_OFFSET_PREFIX = re.compile(
    r"^\(\s*(?:UTC|GMT)\s*(?:[+\-\u2212]\s*\d{1,2}(?:\s*:?\s*\d{2})?)?\s*\)\s*", re.IGNORECASE
)
# Everything but letters and digits, except a sign before a digit ("Time-11", "UTC+12").
_NOISE = re.compile(r"(?:[^\w+\-]|_|[+\-](?!\d))+")


def _strip_offset_prefix(name: str) -> str:
    return _OFFSET_PREFIX.sub("", name, count=1)


def _match_key(name: str) -> str:
    """``name`` folded for matching: case, accents, "&"/"and", spaces, punctuation."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("&", " and ").replace("\u2212", "-")
    return _NOISE.sub("", text)


@cache
def _windows_to_olson() -> dict[str, str]:
    """icalendar's Windows ID -> IANA table, imported only when a name needs it (start-up)."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    return WINDOWS_TO_OLSON


@cache
def _windows_index() -> dict[str, str]:
    """Match key of every Windows display name (without prefix) and zone ID -> IANA name."""
    WINDOWS_TO_OLSON = _windows_to_olson()  # noqa: N806  (the table's own name)
    index: dict[str, str] = {}
    for display, target in WINDOWS_DISPLAY_NAMES.items():
        index.setdefault(
            _match_key(_strip_offset_prefix(display)), WINDOWS_TO_OLSON.get(target, target)
        )
    for windows_id, iana in WINDOWS_TO_OLSON.items():
        index.setdefault(_match_key(windows_id), iana)
    return index


@cache
def _iana_by_folded_name() -> dict[str, str]:
    return {key.casefold(): key for key in zoneinfo.available_timezones()}


def _load(key: str) -> ZoneInfo | None:
    """The zone for an IANA key, matched exactly or else case-insensitively."""
    for candidate in (key, _iana_by_folded_name().get(key.casefold())):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        # OSError: a key naming a tzdata folder ("America") raises IsADirectoryError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


def _from_path(name: str) -> ZoneInfo | None:
    """The IANA zone a path-style TZID ends with, trying the longest tail first."""
    parts = [part for part in name.split("/") if part]
    for start in range(len(parts)):
        zone = _load("/".join(parts[start:]))
        if zone is not None:
            return zone
    return None


def _from_windows_name(name: str) -> ZoneInfo | None:
    """The zone for a Windows display name or zone ID, in any of their spellings.

    Only the name after the "(UTC+hh:mm)" prefix is matched. A prefix whose name is
    unknown gives None, not a zone guessed from the offset: an offset alone does not
    say whether or when the zone observes daylight-saving time, so any guess would
    put events an hour off for part of the year. Callers decide what to do instead
    (use the file's VTIMEZONE, or report the name).
    """
    key = _match_key(_strip_offset_prefix(name))
    iana = _windows_index().get(key)
    if iana is None and key.endswith("daylighttime"):
        # Some writers use the zone's daylight name ("W. Europe Daylight Time").
        iana = _windows_index().get(key.removesuffix("daylighttime") + "standardtime")
    return _load(iana) if iana else None


@cache
def resolve_zone(name: str) -> ZoneInfo | None:
    """An IANA zone for ``name`` (IANA, Windows ID or display name, path), or None if unknown."""
    # A trailing ":" or ";" is a typo ("TZID:Pacific Standard Time:"); no zone name has one.
    cleaned = name.strip().strip('"').strip().rstrip(":;").strip()
    if not cleaned:
        return None
    # an IANA name needs no table (start-up); the one Windows ID that is also one, UTC,
    # is Etc/UTC in the table: same rules, but the table's name is what users see elsewhere
    zone = _load("Etc/UTC" if cleaned == "UTC" else cleaned)
    if zone is None:
        zone = _load(_windows_to_olson().get(cleaned, cleaned))
    if zone is None and cleaned.startswith("/"):
        zone = _from_path(cleaned)
    if zone is None:
        zone = _from_windows_name(cleaned)
    return zone
