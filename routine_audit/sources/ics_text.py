"""The text stage of reading an .ics file: decode bytes and repair time-zone names.

icalendar reads a TZID it cannot resolve as a floating time, silently. Outlook
writes Windows display names such as ``(UTC-05:00) Eastern Time (US & Canada)``,
so before parsing we rewrite every TZID we can resolve to its IANA name.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..timezones import resolve_zone

_FOLD = re.compile(r"\r?\n[ \t]")
_TZID_PARAM = re.compile(r';TZID=(?:"([^"]*)"|([^;:"]*))', re.IGNORECASE)
_VTIMEZONE_TZID = re.compile(r"^TZID[:;](?:.*:)?(.*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class PreparedText:
    text: str
    unresolved_tzids: tuple[str, ...]  # TZIDs that have neither a VTIMEZONE nor a known name


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def prepare(data: bytes) -> PreparedText:
    """Decoded, unfolded text with every resolvable TZID parameter set to an IANA name."""
    text = _FOLD.sub("", decode(data))
    defined = {m.strip().strip('"') for m in _VTIMEZONE_TZID.findall(text)}
    unresolved: set[str] = set()

    def repair(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if _is_iana(name):
            return match.group(0)
        zone = resolve_zone(name)
        if zone is not None:
            return f";TZID={zone.key}"
        if name not in defined:
            unresolved.add(name)
        return match.group(0)

    if ";TZID=" in text.upper():
        text = _TZID_PARAM.sub(repair, text)
    return PreparedText(text, tuple(sorted(unresolved)))


def _is_iana(name: str) -> bool:
    if "/" not in name or name.startswith("/"):
        return name.upper() == "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as America/Argentina
        return False
    return True
