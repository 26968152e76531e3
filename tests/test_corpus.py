"""The iCalendar source against the shared corpus of real-world calendar files.

The corpus (``/work/shared/corpus``, see its README.md) holds calendars written
by other programs and libraries, some broken on purpose. ``MANIFEST.tsv`` says,
per file, whether icalendar 7.3.0 could parse it and how many occurrences
recurring-ical-events produced. We parametrize over the manifest, not a glob,
so each case knows what to expect.

The contract checked here (docs/audit.md, errors.py):

* a file yields ``CalendarData`` or raises ``SourceError``: never another
  exception, never a traceback;
* a broken file is never silently an empty calendar: it raises a
  ``SourceError`` naming it, or its bad events are skipped and reported as
  ``skipped=True`` problems naming it (which makes the CLI exit 1);
* every message is one line and names the file.

The Google JSON files in the corpus belong to the Google source and are
skipped here.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import CORPUS

from routine_audit.errors import SourceError
from routine_audit.model import CalendarData, Event, Problem, Response, Status
from routine_audit.period import Period
from routine_audit.sources.ics import IcsSource
from routine_audit.timezones import resolve_zone

if not CORPUS.is_dir():
    pytest.skip(
        f"the shared calendar corpus is not at {CORPUS} (CI always has it); "
        "no corpus test was collected",
        allow_module_level=True,
    )

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
# Covers every dated event in the corpus; unbounded series expand to at most
# ~15k occurrences here (ical4j/phpicalendar_sample.ics), and each file is read
# once per session (see _read), so the whole module stays well under a minute.
WIDE = Period(date(1990, 1, 1), date(2030, 12, 31), BERLIN)

_OCCURRENCES = re.compile(r"recurring-ical-events: (\d+) occurrence\(s\)")


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _manifest()
ICS_ROWS = [row for row in ROWS if row["file"].startswith("ics/")]
GOOGLE_ROWS = [row for row in ROWS if row["file"].startswith("google/")]
BROKEN_ROWS = [row for row in ICS_ROWS if row["parses"].startswith("no")]


def _expected_occurrences(row: dict[str, str]) -> int | None:
    match = _OCCURRENCES.search(row["notes"])
    return int(match[1]) if match else None


COUNTED_ROWS = [
    row for row in ICS_ROWS if row["parses"] == "yes" and _expected_occurrences(row) is not None
]

# Files whose event count legitimately differs from recurring-ical-events'
# count in the manifest: file -> (our count, why). None at present: the reader
# deduplicates by UID + instance, skips events without DTSTART, and excludes
# nothing else, and every counted file agrees.
LEGITIMATE_COUNT_DIFFERENCES: dict[str, tuple[int, str]] = {
    "ics/recurring-ical-events/issue_201_test_matrix.ics": (
        11,
        "4 events mix a DATE and a DATE-TIME in DTSTART/DTEND; we skip and report them "
        "rather than guess their length",
    ),
}

KNOWN_BUGS: dict[str, str] = {}  # file -> reason; strict xfail until fixed

# icalendar alone cannot read these, but our reader legitimately can: it
# decodes UTF-16 with a byte order mark before parsing (sources/ics_text.py), and
# sets an unreadable alarm aside, keeping its event (issue 15: a VALARM TRIGGER
# such as PT-2H fails the whole file in icalendar; the events are kept and noted)
READ_DESPITE_MANIFEST = {
    "ics/icalnet/Bug2912657.ics",
    "ics/khal/non_dst_error.ics",
    "ics/vobject/badstream.ics",
}


def _params(rows: list[dict[str, str]]) -> list:
    return [pytest.param(row, id=row["file"]) for row in rows]


def _path(file: str) -> Path:
    return CORPUS / file


@cache
def _read(file: str) -> CalendarData | SourceError:
    """One read per file and session; any exception but SourceError propagates."""
    try:
        return IcsSource(_path(file)).read(WIDE, zone=BERLIN)
    except SourceError as exc:
        return exc


def _data(file: str, zone: ZoneInfo = BERLIN, period: Period = WIDE) -> CalendarData:
    if zone is BERLIN and period is WIDE:
        outcome = _read(file)
        assert isinstance(outcome, CalendarData), outcome
        return outcome
    return IcsSource(_path(file)).read(period, zone=zone)


def _messages(outcome: CalendarData | SourceError) -> list[str]:
    if isinstance(outcome, SourceError):
        return [outcome.one_line()]
    return [str(problem) for problem in outcome.problems]


def _names(problem: Problem, path: Path) -> bool:
    return str(path) in str(problem)


def _starting(events: tuple[Event, ...], instant: datetime) -> Event:
    """The one event that starts at ``instant`` (aware: compared as an instant)."""
    found = [e for e in events if e.start == instant]
    assert len(found) == 1, f"{len(found)} events start at {instant}"
    return found[0]


# --- every file (slow: `pytest -m "not slow"` leaves these out) ---------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "row",
    [
        *_params(ICS_ROWS),
        *(
            pytest.param(
                row,
                id=row["file"],
                marks=pytest.mark.skip(
                    reason="Google Calendar JSON: covered by the Google source's tests, "
                    "not the iCalendar reader"
                ),
            )
            for row in GOOGLE_ROWS
        ),
    ],
)
def test_file_reads_or_raises_source_error(corpus: Path, row: dict[str, str]) -> None:
    try:
        outcome = _read(row["file"])
    except Exception as exc:  # noqa: BLE001  (the point: nothing but SourceError escapes)
        pytest.fail(f"{row['file']}: {type(exc).__name__} escaped the reader: {exc}")
    assert isinstance(outcome, CalendarData | SourceError)


@pytest.mark.slow
@pytest.mark.parametrize("row", _params(ICS_ROWS))
def test_messages_are_one_line_and_name_the_file(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["file"]
    for message in _messages(_read(row["file"])):
        assert "\n" not in message
        assert "\r" not in message
        assert "Traceback" not in message
        assert str(path) in message


@pytest.mark.slow
@pytest.mark.parametrize("row", _params(BROKEN_ROWS))
def test_broken_file_is_never_silently_empty(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["file"]
    outcome = _read(row["file"])
    if row["file"] in READ_DESPITE_MANIFEST:
        assert isinstance(outcome, CalendarData)
        assert outcome.events
        assert not [p for p in outcome.problems if p.skipped]
        return
    if isinstance(outcome, SourceError):
        assert str(path) in outcome.one_line()
        return
    skipped = [p for p in outcome.problems if p.skipped and _names(p, path)]
    assert skipped, f"{row['file']} read with no skipped problem: {outcome.problems}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            row,
            id=row["file"],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[row["file"]])]
            if row["file"] in KNOWN_BUGS
            else [],
        )
        for row in COUNTED_ROWS
    ],
)
def test_occurrence_count_matches_manifest(corpus: Path, row: dict[str, str]) -> None:
    expected = _expected_occurrences(row)
    if row["file"] in LEGITIMATE_COUNT_DIFFERENCES:
        expected = LEGITIMATE_COUNT_DIFFERENCES[row["file"]][0]
    assert len(_data(row["file"]).events) == expected


# --- specific behaviours -------------------------------------------------


@pytest.mark.parametrize(
    ("file", "local_start", "zone", "offset_hours"),
    [
        # TZIDs with Windows/Outlook display names and no VTIMEZONE
        ("ics/node-ical/Office-2012-owa.ics", (2020, 10, 28, 13, 30), "Australia/Sydney", 11),
        ("ics/node-ical/windows-quoted-tz-rrule.ics", (2015, 7, 6, 12), "America/New_York", -4),
        (
            "ics/recurring-ical-events/issue_107_omitting_last_event.ics",
            (2023, 1, 5, 10),
            "America/Los_Angeles",
            -8,
        ),
        # Windows names that also have a VTIMEZONE of that name in the file
        ("ics/ical4j/tmeher.ics", (2004, 10, 11, 22, 30), "America/Los_Angeles", -7),
        (
            "ics/icalendar/issue_836_do_not_quote_tzid.ics",
            (2024, 10, 28, 17),
            "America/New_York",
            -4,
        ),
        ("ics/khal/tz_windows_format.ics", (2019, 11, 20, 13), "Pacific/Auckland", 13),
        (
            "ics/calendar-js/empty-trigger-with-parameters.ics",
            (2025, 2, 19, 8),
            "Europe/Berlin",
            1,
        ),
        ("ics/icalevents/small_time_frame.ics", (2023, 5, 9, 9), "America/Los_Angeles", -7),
        (
            "ics/icalendar/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics",
            (2017, 5, 11, 13, 30),
            "America/Sao_Paulo",
            -3,
        ),
    ],
)
def test_windows_zone_names_resolve_to_iana(
    corpus: Path, file: str, local_start: tuple[int, ...], zone: str, offset_hours: int
) -> None:
    event = _starting(_data(file).events, datetime(*local_start, tzinfo=ZoneInfo(zone)))
    assert isinstance(event.start.tzinfo, ZoneInfo)
    assert event.start.tzinfo.key == zone  # not floating, not the reader's fallback zone
    assert event.start.utcoffset() == timedelta(hours=offset_hours)


def test_office_2012_owa_has_both_zones(corpus: Path) -> None:
    events = _data("ics/node-ical/Office-2012-owa.ics").events
    zones = {e.start.tzinfo.key for e in events if isinstance(e.start.tzinfo, ZoneInfo)}
    assert zones == {"Australia/Sydney", "America/New_York"}
    new_york = [e for e in events if e.start.date() == date(2020, 11, 2)]
    assert new_york
    assert {e.start.utcoffset() for e in new_york} == {timedelta(hours=-5)}  # after US DST end


def test_windows_quoted_tz_end_in_another_zone(corpus: Path) -> None:
    events = _data("ics/node-ical/windows-quoted-tz-rrule.ics").events
    first = _starting(events, datetime(2015, 7, 6, 12, tzinfo=ZoneInfo("America/New_York")))
    # DTEND;TZID=America/Los_Angeles:20150706T130000 is 16:00 in New York
    assert first.end == datetime(2015, 7, 6, 13, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert first.end - first.start == timedelta(hours=4)


def test_xproperty2_w_australia_standard_time(corpus: Path) -> None:
    # The brief expected +08:00 offsets here, but this file's only event has UTC
    # times (DTSTART:20080117T233000Z); "W. Australia Standard Time" names the
    # VTIMEZONE and the X-MS-OLK-WKHRSTART working hours only. We check that the
    # name resolves to Perth (standard offset +08:00) and that the event keeps its
    # instant. In January 2008 Perth was on its 2006-2009 daylight-saving trial
    # (+09:00), which the file's own VTIMEZONE also says.
    perth = resolve_zone("W. Australia Standard Time")
    assert perth is not None
    assert perth.key == "Australia/Perth"
    assert datetime(2008, 7, 1, tzinfo=perth).utcoffset() == timedelta(hours=8)
    (event,) = _data("ics/icalnet/XProperty2.ics").events
    assert event.start == datetime(2008, 1, 17, 23, 30, tzinfo=UTC)
    assert event.start.utcoffset() is not None
    local = event.start.astimezone(perth)
    assert local.replace(tzinfo=None) == datetime(2008, 1, 18, 8, 30)
    assert local.utcoffset() == timedelta(hours=9)
    assert event.end - event.start == timedelta(hours=3)


X_WR_EXPECTED = {
    # file -> local starts in the calendar's X-WR-TIMEZONE
    "ics/x-wr-timezone/exdate-hackerpublicradio-modified.in.ics": [],  # EXDATE removes it
    "ics/x-wr-timezone/single-event-no-tz.in.ics": [datetime(2021, 9, 16, 21)],  # floating
    "ics/x-wr-timezone/single-events-DTSTART-DTEND.in.ics": [  # UTC
        datetime(2021, 12, 22, 12),
        datetime(2021, 12, 22, 21),
    ],
}


@pytest.mark.parametrize(
    "row", _params([r for r in ICS_ROWS if r["file"].startswith("ics/x-wr-timezone/")])
)
def test_x_wr_timezone_gives_aware_times_in_that_zone(corpus: Path, row: dict[str, str]) -> None:
    text = (corpus / row["file"]).read_text(encoding="utf-8")
    calendar_zone = re.search(r"^X-WR-TIMEZONE:(\S+)", text, re.MULTILINE)[1]
    # Read in a zone that is none of the calendars', so the fallback for floating
    # times cannot pass for X-WR-TIMEZONE.
    tokyo = ZoneInfo("Asia/Tokyo")
    data = _data(row["file"], zone=tokyo, period=WIDE.with_tz(tokyo))
    assert data.problems == ()
    for event in data.events:
        assert isinstance(event.start.tzinfo, ZoneInfo)
        assert event.start.tzinfo.key == calendar_zone
        assert event.end.tzinfo == event.start.tzinfo
    assert [e.start.replace(tzinfo=None) for e in data.events] == X_WR_EXPECTED[row["file"]]


def test_x_wr_timezone_floating_times_instant(corpus: Path) -> None:
    file = "ics/recurring-ical-events/issue_86_x_wr_timezone_without_time_zone_in_dt.ics"
    (event,) = _data(file, zone=UTC, period=WIDE.with_tz(UTC)).events
    assert event.start == datetime(2021, 9, 16, 21, tzinfo=ZoneInfo("Europe/Brussels"))
    assert event.start.utcoffset() == timedelta(hours=2)


def test_declined_attendee(corpus: Path) -> None:
    (event,) = _data("ics/icalevents/multi_attendee_response.ics").events
    responses = {a.email: a.response for a in event.attendees}
    assert responses == {"calendar@gmail.com": Response.DECLINED, "calendar@microsoft.com": None}


def test_cancelled_status(corpus: Path) -> None:
    events = _data("ics/icalnet/EventStatus.ics").events
    assert {e.uid: e.status for e in events} == {
        "1": Status.CONFIRMED,  # no STATUS
        "2": Status.CONFIRMED,
        "3": Status.CANCELLED,
        "4": Status.TENTATIVE,
    }


def test_large_file_keeps_good_events_and_reports_bad_ones(corpus: Path) -> None:
    file = "ics/node-ical/large-file-with-late-error.ics"
    row = next(r for r in ICS_ROWS if r["file"] == file)
    data = _data(file)
    skipped = [p for p in data.problems if p.skipped]
    assert len(data.events) == 394
    assert len(data.events) + len(skipped) == int(row["vevents"])  # 401
    assert all(_names(p, corpus / file) and p.uid for p in skipped)
    assert "event_error@example.com" in {p.uid for p in skipped}  # the "late error" itself
    assert all("20240230" not in str(e.start) for e in data.events)


def test_latin1_file_decodes(corpus: Path) -> None:
    data = _data("ics/icalevents/basic_latin1.ics")
    assert len(data.events) == 95
    assert data.problems == ()
    text = " ".join(e.summary + e.description + e.location for e in data.events)
    assert "Restmülltonne" in text
    assert "Luitpoldstraße" in text
    assert "\ufffd" not in text
    assert {e.calendar for e in data.events} == {"Müll"}


def test_utf16_file_decodes(corpus: Path) -> None:
    # icalendar alone fails on this file (the manifest's "no:"); we decode it first
    data = _data("ics/icalnet/Bug2912657.ics")
    assert data.events
    assert data.problems == ()
    assert all("\x00" not in e.summary for e in data.events)


def test_bom_calendar_is_empty_without_problems(corpus: Path) -> None:
    data = _data("ics/icalendar/bom_calendar.ics")
    assert data.events == ()
    assert data.problems == ()


def test_empty_file_raises(corpus: Path) -> None:
    path = corpus / "ics/icalevents/empty.ics"
    with pytest.raises(SourceError) as caught:
        IcsSource(path).read(WIDE, zone=BERLIN)
    message = caught.value.one_line()
    assert "empty" in message
    assert str(path) in message


def test_multiple_vcalendar_blocks(corpus: Path) -> None:
    file = "ics/calendar-js/multiple-vcalendar-blocks.ics"
    text = (corpus / file).read_text(encoding="utf-8")
    blocks = text.split("BEGIN:VCALENDAR")[1:]
    uids = [set(re.findall(r"^UID:(\S+)", block, re.MULTILINE)) for block in blocks]
    assert len(blocks) == 3
    assert all(uids)
    assert {e.uid for e in _data(file).events} == set().union(*uids)


def test_duration_instead_of_dtend(corpus: Path) -> None:
    (event,) = _data("ics/icaljs/duration_instead_of_dtend.ics").events
    los_angeles = ZoneInfo("America/Los_Angeles")
    assert event.start == datetime(2012, 6, 30, 6, tzinfo=los_angeles)
    assert event.end == datetime(2012, 7, 1, 6, tzinfo=los_angeles)  # DURATION:P1D
    assert not event.all_day


def test_multi_day_all_day_event(corpus: Path) -> None:
    (event,) = _data("ics/khal/event_d_long.ics").events  # DTSTART 20140409, DTEND 20140412
    assert event.all_day
    assert event.start == datetime(2014, 4, 9, tzinfo=BERLIN)
    assert event.end == datetime(2014, 4, 12, tzinfo=BERLIN)  # DTEND is exclusive: 9, 10, 11


def test_all_day_events_start_at_midnight_in_the_readers_zone(corpus: Path) -> None:
    new_york = ZoneInfo("America/New_York")
    events = _data("ics/khal/event_d_long.ics", zone=new_york, period=WIDE.with_tz(new_york))
    (event,) = events.events
    assert event.start == datetime(2014, 4, 9, tzinfo=new_york)
    assert event.end == datetime(2014, 4, 12, tzinfo=new_york)


def test_range_thisandfuture_keeps_every_occurrence(corpus: Path) -> None:
    events = _data("ics/recurring-ical-events/issue_75_range_parameter.ics").events
    assert len(events) == 193
    assert len({e.start for e in events}) == 193


# --- folders ---------------------------------------------------------------


def test_folder_keeps_good_file_and_reports_broken_one(corpus: Path, tmp_path: Path) -> None:
    good = shutil.copy(corpus / "ics/icalnet/EventStatus.ics", tmp_path / "EventStatus.ics")
    broken = shutil.copy(corpus / "ics/icalevents/empty.ics", tmp_path / "empty.ics")
    data = IcsSource(tmp_path).read(WIDE, zone=BERLIN)
    alone = IcsSource(good).read(WIDE, zone=BERLIN)
    assert [e.key for e in data.events] == [e.key for e in alone.events]
    assert len(data.events) == 4
    assert data.sources == (str(good),)
    # a skipped problem makes the result incomplete: the CLI exits 1 (PARTIAL)
    (problem,) = data.problems
    assert problem.skipped
    assert str(broken) in str(problem)
    assert "empty" in str(problem)  # the detail: for the owner only


def test_folder_with_only_broken_files_raises(corpus: Path, tmp_path: Path) -> None:
    shutil.copy(corpus / "ics/icalevents/empty.ics", tmp_path / "empty.ics")
    with pytest.raises(SourceError) as caught:
        IcsSource(tmp_path).read(WIDE, zone=BERLIN)
    assert "empty.ics" in caught.value.one_line()


def test_same_event_in_two_files_counts_once(corpus: Path, tmp_path: Path) -> None:
    original = corpus / "ics/icalevents/cest.ics"  # 236 occurrences, moved and deleted ones
    first = shutil.copy(original, tmp_path / "work.ics")
    second = shutil.copy(original, tmp_path / "work-copy.ics")
    data = IcsSource(tmp_path).read(WIDE, zone=BERLIN)
    assert len(data.events) == len(_data("ics/icalevents/cest.ics").events) == 236
    assert set(data.sources) == {str(first), str(second)}
    assert data.problems == ()
