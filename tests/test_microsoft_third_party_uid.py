"""An invitation from another calendar system (a Google invite, say) keeps its own UID
inside Exchange's global object id, after the "vCal-Uid" marker; an Outlook export
writes that UID, so the Graph source must give it too (MS-OXCICAL, UID)."""

from __future__ import annotations

from test_issue23_microsoft_mapping import item, mapped

from routine_audit.sources.microsoft.global_id import series_uid

# Written out by hand: class id | date (0: the series) | creation time | padding |
# data size 0x12 = 18 bytes, little-endian | "vCal-Uid" | 01000000 | "abc@x" | NUL
SERIES = (
    "040000008200E00074C5B7101A82E008" "00000000" "0000000000000000" "0000000000000000"
    "12000000" "7643616C2D556964" "01000000" "6162634078" "00"
)  # fmt: skip
# the occurrence of 3 Nov 2026: year 0x07EA, month 0x0B, day 0x03
OCCURRENCE = SERIES.replace("E00800000000", "E00807EA0B03", 1)
# an id created in Exchange: the data is Exchange's own, no marker; exported as the hex
NATIVE = (
    "040000008200E00074C5B7101A82E008" "00000000" "A0C4F3D2E1B0DC01" "0000000000000000"
    "10000000" "A1A2A3A4A5A6A7A8A9AAABACADAEAF10"
)  # fmt: skip


def test_a_single_event_from_another_system_has_its_own_uid():
    assert mapped(item(iCalUId=SERIES)).uid == "abc@x"


def test_an_occurrence_from_another_system_has_the_series_uid():
    assert OCCURRENCE != SERIES
    assert series_uid(OCCURRENCE) == SERIES
    occurrence = item(
        iCalUId=OCCURRENCE,
        type="occurrence",
        seriesMasterId="m",
        originalStart="2026-11-03T14:00:00Z",
    )
    assert mapped(occurrence, series_uids={"m": series_uid(OCCURRENCE)}).uid == "abc@x"


def test_an_exchange_id_stays_hex():
    assert mapped(item(iCalUId=NATIVE)).uid == NATIVE


def test_a_broken_embedded_uid_keeps_the_hex():
    broken = SERIES.replace("6162634078", "61FF634078")  # not UTF-8
    assert mapped(item(iCalUId=broken)).uid == broken
    control = SERIES.replace("6162634078", "61621B4078")  # an escape character
    assert mapped(item(iCalUId=control)).uid == control
