"""Issue 15, section 2: lengths are real elapsed time across daylight-saving changes.

RFC 5545: a DURATION's days and weeks are nominal (a calendar day: 23, 24 or 25 hours),
its hours, minutes and seconds exact; a DTEND is an instant in whatever zone it is
written; the members of a series last the exact length of its first instance. The
transitions used (tzdata):

- Europe/London: 29 Mar 2026 01:00 GMT -> 02:00 BST; 25 Oct 2026 02:00 BST -> 01:00 GMT.
- America/New_York: 8 Mar 2026 02:00 EST -> 03:00 EDT; 1 Nov 2026 02:00 EDT -> 01:00 EST.
- Australia/Lord_Howe (a 30-minute shift): 5 Apr 2026 02:00 (+11:00) -> 01:30
  (+10:30); 4 Oct 2026 02:00 (+10:30) -> 02:30 (+11:00).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

import routine_audit as ra
from routine_audit.config import package_data
from routine_audit.sources.ics import Document, read_document

HOUR = 3600


def _calendar(*lines: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e@test\r\n"
        "DTSTAMP:20260101T000000Z\r\nSUMMARY:Call block\r\n"
        + "".join(f"{line}\r\n" for line in lines)
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def _lengths(tmp_path, zone: str, day: str, *lines: str) -> list[tuple[str, int]]:
    """(start, real seconds) of each occurrence from ``day`` to three days later."""
    path = tmp_path / "cal.ics"
    path.write_bytes(_calendar(*lines))
    tz = ZoneInfo(zone)
    first = date.fromisoformat(day)
    period = ra.Period(first, date.fromordinal(first.toordinal() + 3), tz)
    events = ra.load_events(path, period, zone=tz).events
    return [
        (e.start.isoformat(), int(e.end.timestamp() - e.start.timestamp()))
        for e in sorted(events, key=lambda e: e.start)
    ]


# (zone, DTSTART local, DURATION, real seconds, why)
DURATIONS = [
    # 00:30 GMT = 00:30Z; + 2 exact hours = 02:30Z = 03:30 BST (the clock loses 01:00-02:00)
    ("Europe/London", "20260329T003000", "PT2H", 2 * HOUR, "spring forward"),
    # 00:00 BST = 23:00Z on the 24th; + 24 h = 23:00Z on the 25th = 23:00 GMT, not midnight
    ("Europe/London", "20261025T000000", "PT24H", 24 * HOUR, "the 25-hour day, exact"),
    # a nominal day: 00:00 BST on the 25th to 00:00 GMT on the 26th = 25 real hours
    ("Europe/London", "20261025T000000", "P1D", 25 * HOUR, "the 25-hour day, nominal"),
    # a nominal day plus 2 exact hours: 00:00 GMT on the 26th + 2 h = 27 h after the start
    ("Europe/London", "20261025T000000", "P1DT2H", 27 * HOUR, "nominal and exact"),
    # 01:30 EST = 06:30Z; + 2 h = 08:30Z = 04:30 EDT
    ("America/New_York", "20260308T013000", "PT2H", 2 * HOUR, "spring forward"),
    # 00:00 EDT = 04:00Z; + 24 h = 04:00Z on 2 Nov = 23:00 EST on the 1st
    ("America/New_York", "20261101T000000", "PT24H", 24 * HOUR, "the 25-hour day, exact"),
    ("America/New_York", "20261101T000000", "P1D", 25 * HOUR, "the 25-hour day, nominal"),
    # 01:30 (+10:30) = 15:00Z on the 3rd; + 2 h = 17:00Z = 04:00 (+11:00), not 03:30
    ("Australia/Lord_Howe", "20261004T013000", "PT2H", 2 * HOUR, "spring forward 30 min"),
    # 00:00 (+11) = 13:00Z on the 4th; + 24 h = 13:00Z on the 5th = 23:30 (+10:30)
    ("Australia/Lord_Howe", "20260405T000000", "PT24H", 24 * HOUR, "the 24.5-hour day, exact"),
    # to 00:00 (+10:30) on the 6th = 13:30Z: 24 h 30 min
    ("Australia/Lord_Howe", "20260405T000000", "P1D", 24 * HOUR + 1800, "24.5 h, nominal"),
]


@pytest.mark.parametrize(("zone", "start", "duration", "seconds", "why"), DURATIONS)
def test_a_duration_is_exact_in_its_time_part_and_nominal_in_its_days(
    tmp_path, zone, start, duration, seconds, why
):
    day = f"{start[:4]}-{start[4:6]}-{start[6:8]}"
    found = _lengths(tmp_path, zone, day, f"DTSTART;TZID={zone}:{start}", f"DURATION:{duration}")
    assert [length for _, length in found] == [seconds], why


# (zone, DTSTART, DTEND line, real seconds): the end keeps its instant, whatever its zone
ENDS = [
    # 00:30 CEST = 22:30Z on the 24th, to 01:30Z: 3 h (the "3-hour Berlin meeting ending in UTC")
    ("Europe/Berlin", "20261025T003000", "DTEND:20261025T013000Z", 3 * HOUR),
    # 01:00 CET = 00:00Z, to 03:00 BST = 02:00Z: 2 h
    ("Europe/Berlin", "20260329T010000", "DTEND;TZID=Europe/London:20260329T030000", 2 * HOUR),
    # 00:30 EDT = 04:30Z, to 06:30Z = 01:30 EST: 2 h (the clock shows 1 h)
    ("America/New_York", "20261101T003000", "DTEND:20261101T063000Z", 2 * HOUR),
    # 01:30 (+10:30) = 15:00Z on the 3rd, to 17:00Z: 2 h
    ("Australia/Lord_Howe", "20261004T013000", "DTEND:20261003T170000Z", 2 * HOUR),
    # 00:30 (+11) = 13:30Z on the 4th, to 15:30Z = 02:00 (+10:30): 2 h
    ("Australia/Lord_Howe", "20260405T003000", "DTEND;TZID=Etc/UTC:20260404T153000", 2 * HOUR),
]


@pytest.mark.parametrize(("zone", "start", "end", "seconds"), ENDS)
def test_a_dtend_in_utc_or_another_zone_keeps_its_instant(tmp_path, zone, start, end, seconds):
    day = f"{start[:4]}-{start[4:6]}-{start[6:8]}"
    found = _lengths(tmp_path, zone, day, f"DTSTART;TZID={zone}:{start}", end)
    assert [length for _, length in found] == [seconds]


# a daily series whose second member crosses the spring-forward change: every member lasts
# the exact 2 h of the first, whether the length is a DURATION or a DTEND
SERIES = [
    ("Europe/London", "20260328T003000", "20260328T023000"),
    ("America/New_York", "20260307T013000", "20260307T033000"),
    ("Australia/Lord_Howe", "20261003T013000", "20261003T033000"),
]


@pytest.mark.parametrize(("zone", "start", "end"), SERIES)
@pytest.mark.parametrize("length", ["duration", "dtend"])
def test_every_member_of_a_series_lasts_the_exact_length(tmp_path, zone, start, end, length):
    day = f"{start[:4]}-{start[4:6]}-{start[6:8]}"
    lines = [f"DTSTART;TZID={zone}:{start}", "RRULE:FREQ=DAILY;COUNT=3"]
    lines.append("DURATION:PT2H" if length == "duration" else f"DTEND;TZID={zone}:{end}")
    found = _lengths(tmp_path, zone, day, *lines)
    assert [length for _, length in found] == [2 * HOUR] * 3
    # the starts keep their local clock time (only the ends are corrected)
    assert {datetime.fromisoformat(s).strftime("%H:%M") for s, _ in found} == {
        f"{start[9:11]}:{start[11:13]}"
    }


def test_the_audit_counts_the_real_hours(tmp_path):
    """PT2H from 00:30 on London's spring-forward night: 2 h of prospecting on Sunday 29
    March (00:30-03:30 BST on the clock), not 1 h."""
    path = tmp_path / "cal.ics"
    path.write_bytes(
        _calendar("DTSTART;TZID=Europe/London:20260329T003000", "DURATION:PT2H").replace(
            b"Call block", b"Prospecting"
        )
    )
    routine = ra.load_routine(package_data("sample") / "dana.yaml")
    period = ra.period_for(routine, start="2026-03-29", end="2026-03-29")
    result = ra.audit_calendar(path, routine, ra.load_rules(), period)
    assert result.occurrences["hours"].tolist() == [2.0]  # 7200 s / 3600


FAR_EVENT = (
    "BEGIN:VEVENT\r\nUID:far@test\r\nDTSTAMP:20200101T000000Z\r\nSUMMARY:Long ago\r\n"
    "DTSTART:20200106T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
)
CASES = [
    (zone, start, [f"DTSTART;TZID={zone}:{start}", f"DURATION:{duration}"])
    for zone, start, duration, _, _ in DURATIONS
] + [(zone, start, [f"DTSTART;TZID={zone}:{start}", end]) for zone, start, end, _ in ENDS]


@pytest.mark.parametrize(("zone", "start", "lines"), CASES)
def test_the_fast_path_agrees_with_the_plain_path(zone, start, lines):
    """The fast path drops the far VEVENT as text; both then correct the same ends."""
    data = _calendar(*lines).replace(b"END:VCALENDAR", FAR_EVENT.encode() + b"END:VCALENDAR")
    tz = ZoneInfo(zone)
    first = date(int(start[:4]), int(start[4:6]), int(start[6:8]))
    period = ra.Period(first, first, tz)
    fast, plain = (
        read_document(Document("cal.ics", data), period, tz, fast=fast) for fast in (True, False)
    )
    assert fast == plain
    assert len(fast[0]) == 1
