"""The text stage of reading an .ics file: decode bytes and repair time-zone names.

icalendar reads a TZID it cannot resolve as a floating time, silently. Outlook
writes Windows display names such as ``(UTC-05:00) Eastern Time (US & Canada)``,
so before parsing we rewrite every TZID we can resolve to its IANA name.

A name only the file's own VTIMEZONE defines ("Office Time", "Customized Time
Zone") is renamed after that definition's content: icalendar keeps every custom
definition for the whole process by TZID, the first one read winning, so two
calendars defining one name differently would otherwise share the first's rules.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..timezones import resolve_zone

TZID_PARAM = re.compile(r';TZID=(?:"([^"]*)"|([^;:"]*))', re.IGNORECASE)
# a VTIMEZONE's own name: the value after the first colon outside a quoted parameter
_VTIMEZONE_TZID = re.compile(r'^TZID(?:;(?:"[^"\r\n]*"|[^:"\r\n])*)?:(.*)$', re.I | re.M)


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
    """Decoded, unfolded text with every resolvable TZID parameter set to an IANA name.

    A name with surrounding whitespace is the name without it: Exchange writes
    ``TZID:Mitteleuropäische Zeit `` in a VTIMEZONE and refers to it with or
    without the space; both are trimmed, so the file's own definition applies.
    """
    text = unfold(decode(data))
    # a year-long file names a handful of zones thousands of times: judge each name once
    names = {quoted or plain for quoted, plain in TZID_PARAM.findall(text)}
    if not names:
        return PreparedText(text, ())
    unknown: set[str] = set()
    renamed: dict[str, str] = {}
    for name in names:
        clean = name.strip()
        if _is_iana(clean):
            if clean != name:
                renamed[name] = clean
            continue
        zone = resolve_zone(clean)
        if zone is not None:
            renamed[name] = zone.key
            continue
        unknown.add(clean)
        if clean != name:
            renamed[name] = clean
    if unknown:  # unless the file defines them itself (trimmed, as the references are)
        text, defined = _trimmed_definitions(text)
        own = {name for name in unknown & defined if name}  # "TZID=" stays broken
        unknown -= defined
        if own:
            text, scoped = _scoped_definitions(text, own)
            for name in names:
                if name.strip() in scoped:
                    renamed[name] = scoped[name.strip()]

    def repair(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        return f";TZID={_param(renamed[name])}" if name in renamed else match.group(0)

    if renamed:
        text = TZID_PARAM.sub(repair, text)
    return PreparedText(text, tuple(sorted(unknown)))


def _trimmed_definitions(text: str) -> tuple[str, set[str]]:
    """``text`` with its VTIMEZONEs' TZIDs trimmed of surrounding whitespace, and the
    names they define."""
    defined: set[str] = set()
    spaced = False

    def trim(match: re.Match[str]) -> str:
        nonlocal spaced
        value = match.group(1).rstrip("\r")
        name = value.strip()
        defined.add(name.strip('"'))
        if name == value:
            return match.group(0)
        spaced = True
        head = match.group(0)[: match.start(1) - match.start(0)]
        return head + name + match.group(1)[len(value) :]

    trimmed = _VTIMEZONE_TZID.sub(trim, text)
    return (trimmed if spaced else text), defined


_VTIMEZONE = re.compile(
    r"^BEGIN:VTIMEZONE[ \t]*\r?$.*?^END:VTIMEZONE[ \t]*\r?$", re.I | re.M | re.S
)
# "Office Time" -> "Office Time (own 1a2b...)": no IANA or Windows name looks like it
_SCOPED = "{name} (own {digest})"


def _scoped_definitions(text: str, own: set[str]) -> tuple[str, dict[str, str]]:
    """``text`` with each VTIMEZONE that defines a name in ``own`` renamed after its
    content, and each such name -> its new name (the file's first definition of it).

    One definition gives one name in every file and process (icalendar builds it once);
    two definitions of one name never share one."""
    scoped: dict[str, str] = {}

    def rename(block: re.Match[str]) -> str:
        found = _VTIMEZONE_TZID.search(block.group(0))
        if found is None:
            return block.group(0)
        name = found.group(1).rstrip("\r").strip('"')
        if name not in own:
            return block.group(0)
        content = block.group(0).replace("\r", "").encode("utf-8", "surrogatepass")
        digest = hashlib.sha256(content).hexdigest()[:16]
        new = _SCOPED.format(name=name, digest=digest)
        scoped.setdefault(name, new)
        head, tail = found.span(1)
        value = found.group(1)
        end = len(value.rstrip("\r"))  # keep a CR that ends the line
        return block.group(0)[:head] + new + value[end:] + block.group(0)[tail:]

    return _VTIMEZONE.sub(rename, text), scoped


def _param(name: str) -> str:
    """A TZID parameter value, quoted when the name holds a character that needs it."""
    return f'"{name}"' if any(c in name for c in ":;,") else name


def unfold(text: str) -> str:
    """Undo RFC 5545 line folding (CRLF or LF, then a space or tab)."""
    for fold in ("\r\n ", "\r\n\t", "\n ", "\n\t"):
        if fold in text:
            text = text.replace(fold, "")
    return text


def _is_iana(name: str) -> bool:
    if "/" not in name or name.startswith("/"):
        return name.upper() == "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as America/Argentina
        return False
    return True
