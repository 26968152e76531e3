"""All-day events and all-day series occurrences from Graph, in zones far from UTC.

Graph gives an all-day event's ``start``/``end`` as midnight of the date with
``timeZone: UTC`` (no Prefer header): the date is the text's first ten characters,
whatever the rep's zone. An all-day occurrence's ``originalStart`` is an instant: seen
both as midnight UTC of the date (as ``start``) and as midnight in the event's zone;
either must give the occurrence's own date, the RECURRENCE-ID;VALUE=DATE of an export.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from routine_audit.sources.microsoft.mapping import to_event

LA = ZoneInfo("America/Los_Angeles")
AKL = ZoneInfo("Pacific/Auckland")


def occurrence(original: str) -> dict:
    """An all-day occurrence on Thu 5 Nov 2026 of series ``m``."""
    return {
        "id": "AAMk-occ",
        "iCalUId": "occ",
        "subject": "Holiday",
        "start": {"dateTime": "2026-11-05T00:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-06T00:00:00.0000000", "timeZone": "UTC"},
        "isAllDay": True,
        "showAs": "free",
        "type": "occurrence",
        "seriesMasterId": "m",
        "originalStart": original,
    }


@pytest.mark.parametrize(
    ("zone", "original"),
    [
        # midnight UTC of 5 Nov: 16:00 on 4 Nov in Los Angeles (UTC-8), yet the 5th
        (LA, "2026-11-05T00:00:00Z"),
        # midnight UTC of 5 Nov: 13:00 on 5 Nov in Auckland (UTC+13)
        (AKL, "2026-11-05T00:00:00Z"),
        # midnight of 5 Nov in Los Angeles: 08:00 UTC
        (LA, "2026-11-05T08:00:00Z"),
        # midnight of 5 Nov in Auckland (NZDT, UTC+13): 11:00 UTC on 4 Nov
        (AKL, "2026-11-04T11:00:00Z"),
    ],
)
def test_all_day_occurrence_keeps_its_date(zone, original):
    event = to_event(
        occurrence(original),
        zone=zone,
        calendar="Calendar",
        source="microsoft:rep",
        series_uids={"m": "series@t"},
    )
    assert event.recurrence_id == date(2026, 11, 5)
    # the date is the text's, at midnight in the rep's zone
    assert event.start == datetime(2026, 11, 5, tzinfo=zone)
    assert event.end == datetime(2026, 11, 6, tzinfo=zone)
