"""The proposals as an iCalendar file to import (``<rep>-proposals.ics``): one VEVENT per
proposed block (RFC 5545). Nothing is written to any calendar: the rep imports the file,
or not.

Each UID is made from (rep, week, commitment, slot), the slot being the committed day
and the block's number among that commitment's blocks on it (``2026-11-11#1``): a
re-run for the same week gives the same UIDs, and a newer proposal for the same slot,
imported again, updates the block (SEQUENCE grows with DTSTAMP) instead of adding one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .proposals import Proposals, ProposedBlock

PRODID = "-//routine-audit//proposals//EN"
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def proposals_file_name(rep: str) -> str:
    """``<rep>-proposals.ics``, the rep named as their pages are (``team/pages.py``)."""
    import re

    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", rep.replace("@", "-at-")).lstrip(".") or "rep"
    return f"{stem}-proposals.ics"


def proposal_uid(rep: str, week: str, commitment: str, slot: str) -> str:
    """The block's UID: a digest of (rep, week, commitment, slot), so the address is not
    in it, and the same for every run of the same week."""
    key = "\x1f".join((rep.lower(), week, commitment, slot))
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@proposals.routine-audit"


def render_ics(proposals: Proposals, *, now: datetime | None = None) -> str:
    """The file's text (CRLF lines, folded at 75 octets). ``now``: its DTSTAMP (default:
    the clock); SEQUENCE is the minutes since 2020, so a later proposal wins."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    sequence = max(0, int((stamp - _EPOCH).total_seconds() // 60))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for block in proposals.blocks:
        lines += _event(proposals, block, stamp, sequence)
    lines.append("END:VCALENDAR")
    return "".join(f"{_fold(line)}\r\n" for line in lines)


def _event(proposals: Proposals, block: ProposedBlock, stamp: datetime, sequence: int) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{proposal_uid(proposals.rep, proposals.week, block.commitment, block.slot)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{_utc(block.start)}",
        f"DTEND:{_utc(block.end)}",
        f"SUMMARY:{_text(block.title)}",
        f"DESCRIPTION:{_text(block.description)}",
        f"CATEGORIES:{_text(block.commitment)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (CRLF and a space), never inside a character."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # the leading space takes one octet
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)
