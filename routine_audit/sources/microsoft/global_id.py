"""Exchange's global object ids (MS-OXOCAL PidLidGlobalObjectId), which Graph gives as an
event's ``iCalUId`` in hex, read so that an event's UID is the one an Outlook .ics export
writes (MS-OXCICAL, UID): plans and history then carry across the two sources.

The id is a 16-byte class id, the occurrence's original date (4 bytes; zero for the
series), a creation time (8), padding (8), a data size (4), then the data. An event that
came from another calendar system keeps its own UID in the data, after the "vCal-Uid"
marker; an export writes that UID, not the hex.
"""

from __future__ import annotations

import re

CLASS_ID = "040000008200E00074C5B7101A82E008"
GLOBAL_ID = re.compile(rf"({CLASS_ID})[0-9A-F]{{8}}((?:[0-9A-F]{{2}}){{20,}})", re.I)
HEADER_BYTES = 40  # class id, date, creation time, padding, data size
THIRD_PARTY = b"vCal-Uid\x01\x00\x00\x00"
MAX_UID = 1024  # characters: a longer embedded UID is not trusted


def series_uid(occurrence: object) -> str | None:
    """The series' iCalUId read off an occurrence's, where it is a global object id: the
    same bytes with the occurrence's date zeroed (PidLidCleanGlobalObjectId, the series
    master's). None: not a global object id, so the master must be asked."""
    found = GLOBAL_ID.fullmatch(occurrence) if isinstance(occurrence, str) else None
    return f"{found[1]}00000000{found[2]}".upper() if found else None


def export_uid(ical_uid: str) -> str:
    """The UID an Outlook export writes for ``ical_uid``: the embedded UID of an event
    from another system, else ``ical_uid`` itself."""
    if not GLOBAL_ID.fullmatch(ical_uid):
        return ical_uid
    data = bytes.fromhex(ical_uid)[HEADER_BYTES:]
    if not data.startswith(THIRD_PARTY):
        return ical_uid
    embedded = data[len(THIRD_PARTY) :].split(b"\x00", 1)[0]
    try:
        text = embedded.decode("utf-8")
    except UnicodeDecodeError:
        return ical_uid
    usable = 0 < len(text) <= MAX_UID and text.isprintable()
    return text if usable else ical_uid
