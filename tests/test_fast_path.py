"""The fast reading path (VEVENTs that cannot touch the period dropped as text before
parsing) gives exactly what the plain path gives: the same events, the same problems.

Whole-range comparisons would pass on empty weeks (most of the corpus is decades
apart), so each corpus file is compared for every week that holds one of its
DTSTART or RECURRENCE-ID values; generated calendars move overrides, multi-day
and DURATION events across the period's edges.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from routine_audit.errors import SourceError
from routine_audit.period import Period
from routine_audit.sources.ics import Document, read_document
from routine_audit.sources.ics_prefilter import narrow
from routine_audit.sources.ics_text import decode, unfold

BERLIN = ZoneInfo("Europe/Berlin")
_DATED = re.compile(r"^(?:DTSTART|RECURRENCE-ID)[^:\r\n]*:(\d{8})", re.I | re.M)
ICS_FILES = sorted(CORPUS.glob("ics/**/*.ics")) if CORPUS.is_dir() else []


def _both(data: bytes, period: Period, zone: ZoneInfo = BERLIN):
    """What the fast and the plain path make of ``data``: (events, problems) or the error."""
    outcomes = []
    for fast in (True, False):
        try:
            events, problems = read_document(Document("cal.ics", data), period, zone, fast=fast)
            outcomes.append((sorted(events, key=lambda e: (e.key, e.start)), problems))
        except SourceError as exc:
            outcomes.append(exc.one_line())
    return outcomes


def _weeks(text: str) -> list[date]:
    """The Mondays of every week that holds a DTSTART or RECURRENCE-ID value."""
    mondays = set()
    for value in _DATED.findall(unfold(text)):
        try:
            day = datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            continue
        if date(1900, 1, 8) <= day <= date(2199, 12, 20):
            mondays.add(day - timedelta(days=day.weekday()))
    return sorted(mondays)


@pytest.mark.slow  # every dated week of every corpus file
@pytest.mark.skipif(not ICS_FILES, reason=f"the shared corpus is not at {CORPUS}")
@pytest.mark.parametrize("path", ICS_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_fast_and_plain_paths_agree_on_every_dated_week_of_the_corpus(path):
    data = path.read_bytes()
    weeks = _weeks(decode(data))
    for monday in weeks:
        fast, plain = _both(data, Period(monday, monday + timedelta(days=6), BERLIN))
        assert fast == plain, f"{path.name}, week of {monday}"


def test_the_fast_path_really_drops_far_events():
    text = _calendar(
        [
            _event("far", "20260105T090000", "DTEND:20260105T100000"),
            _event("near", "20261104T090000", "DTEND:20261104T100000"),
        ]
    )
    narrowed = narrow(unfold(text), date(2026, 11, 2), date(2026, 11, 8))
    assert "UID:near" in narrowed and "UID:far" not in narrowed


# -- generated calendars around the period's edges ------------------------------------

PERIOD = Period(date(2026, 11, 2), date(2026, 11, 8), BERLIN)
# the period's edges, and the edges of the window the plain path expands (two days more)
EDGES = [
    datetime(2026, 11, 2),
    datetime(2026, 11, 9),
    datetime(2026, 10, 31),
    datetime(2026, 11, 11),
]


def _event(uid: str, start: str, *lines: str, tz: str = "") -> str:
    zone = f";TZID={tz}" if tz else ""
    body = [f"UID:{uid}", f"DTSTART{zone}:{start}", *lines, "SUMMARY:Block"]
    return "BEGIN:VEVENT\r\n" + "\r\n".join(body) + "\r\nEND:VEVENT\r\n"


def _calendar(events: list[str]) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        + "".join(events)
        + ("END:VCALENDAR\r\n")
    )


def _stamp(moment: datetime, kind: str) -> str:
    if kind == "date":
        return f"{moment:%Y%m%d}"
    return f"{moment:%Y%m%dT%H%M%S}" + ("Z" if kind == "utc" else "")


offsets = st.one_of(
    st.integers(min_value=-2 * 24 * 4, max_value=2 * 24 * 4),
    st.integers(min_value=-9 * 24 * 4, max_value=9 * 24 * 4),
).map(lambda quarter_hours: timedelta(minutes=15 * quarter_hours))
kinds = st.sampled_from(["utc", "zoned", "floating", "date"])
zones = st.sampled_from(["Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])


@st.composite
def edge_events(draw, uid: str) -> str:
    """One event near an edge: plain, multi-day, DURATION, a series, or a moved instance."""
    kind = draw(kinds)
    tz = draw(zones) if kind == "zoned" else ""
    start = draw(st.sampled_from(EDGES)) + draw(offsets)
    if kind == "date":
        start = start.replace(hour=0, minute=0)
    length = timedelta(days=draw(st.integers(1, 4))) if kind == "date" else draw(offsets).__abs__()
    shape = draw(st.sampled_from(["dtend", "duration", "series", "override", "none"]))
    value = "VALUE=DATE" if kind == "date" else ""
    params = f";{value}" if value else ""
    start_text = _stamp(start, kind)
    if kind == "date":
        lines = [f"DTEND;VALUE=DATE:{_stamp(start + length, kind)}"]
    else:
        lines = [f"DTEND{';TZID=' + tz if tz else ''}:{_stamp(start + length, kind)}"]
    if shape == "duration":
        lines = [f"DURATION:P{length.days}DT{length.seconds}S"]
    elif shape == "none":
        lines = []
    lines += draw(st.sampled_from(UNREADABLE_ASIDE))  # set aside and noted, never dropped
    events = []
    if shape in ("series", "override"):
        until_kind = "utc" if kind == "zoned" else kind
        until = start + timedelta(days=draw(st.integers(0, 20)))
        rule = f"RRULE:FREQ=DAILY;UNTIL={_stamp(until, until_kind)}"
        if draw(st.booleans()):
            rule = f"RRULE:FREQ=WEEKLY;COUNT={draw(st.integers(1, 5))}"
        if shape == "override":
            instance = start + timedelta(days=draw(st.integers(0, 3)))
            moved = instance + draw(offsets)
            if kind == "date":
                moved = moved.replace(hour=0, minute=0)
            zone_part = f";TZID={tz}" if tz else ""
            events.append(
                _event(
                    uid,
                    _stamp(moved, kind),
                    f"RECURRENCE-ID{zone_part}{params}:{_stamp(instance, kind)}",
                    tz=tz,
                ).replace(f"DTSTART;TZID={tz}:" if tz else "DTSTART:", _dtstart(tz, params))
            )
        lines.append(rule)
    events.insert(
        0,
        _event(uid, start_text, *lines, tz=tz).replace(
            f"DTSTART;TZID={tz}:" if tz else "DTSTART:", _dtstart(tz, params)
        ),
    )
    return "".join(events)


# values of properties that do not decide time, unreadable to icalendar (issue 15): the
# event is kept and noted by the plain path; the fast path must give the same
UNREADABLE_ASIDE = [
    [],
    [],
    ["CREATED:00001231T000000Z"],  # Google exports
    ["LAST-MODIFIED:20261301T000000Z", "DTSTAMP:"],
    ["X-MOZ-LASTACK;VALUE=DATE-TIME:yesterday"],
    ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:PT-2H", "END:VALARM"],  # fails the whole file
]


def _dtstart(tz: str, params: str) -> str:
    return f"DTSTART{';TZID=' + tz if tz else ''}{params}:"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6, unique=True).flatmap(
        lambda uids: st.tuples(*(edge_events(f"e{u}") for u in uids))
    ),
    zones,
)
def test_fast_and_plain_paths_agree_on_events_across_the_edges(events, period_zone):
    """Events within days of either edge, read for a period and a zone at either end of the
    world's offsets (the fast path compares wall-clock times with slack)."""
    data = _calendar(list(events)).encode()
    zone = ZoneInfo(period_zone)
    period = Period(PERIOD.first, PERIOD.last, zone)
    fast, plain = _both(data, period, zone)
    assert fast == plain


def test_a_series_is_kept_whole_even_when_its_uid_holds_colons():
    """An override the scan cannot judge keeps its (far, private) series, found by a UID
    with colons in it, so the moved instance still inherits the series' privacy."""
    uid = "urn:uuid:6f1c:42"
    master = _event(
        uid,
        "20260105T090000",
        "DTEND;TZID=Europe/Berlin:20260105T100000",
        "RRULE:FREQ=WEEKLY;UNTIL=20260201T000000Z",
        "CLASS:PRIVATE",
        tz="Europe/Berlin",
    )
    moved = _event(
        uid,
        "20261104T090000",
        "DTEND;TZID=Europe/London:20261104T090000",  # another zone: the scan is unsure
        "RECURRENCE-ID;TZID=Europe/Berlin:20260112T090000",
        tz="Europe/Berlin",
    )
    fast, plain = _both(_calendar([master, moved]).encode(), PERIOD)
    assert fast == plain
    (event,) = plain[0]
    assert event.is_private


def _far_and_near_overrides() -> str:
    """A private weekly series with overrides far away, moved in, and moved twice."""
    series = _event(
        "weekly",
        "20260105T090000",
        "DTEND;TZID=Europe/Berlin:20260105T100000",
        "RRULE:FREQ=WEEKLY",
        "CLASS:PRIVATE",
        tz="Europe/Berlin",
    )

    def moved(start: str, replaces: str, *lines: str) -> str:
        return _event(
            "weekly",
            start,
            f"DTEND;TZID=Europe/Berlin:{start[:9]}{int(start[9:11]) + 1:02d}0000",
            f"RECURRENCE-ID;TZID=Europe/Berlin:{replaces}",
            *lines,
            tz="Europe/Berlin",
        )

    return _calendar(
        [
            series,
            moved("20260303T090000", "20260302T090000"),  # far from and to: not needed
            moved("20261105T140000", "20260601T090000"),  # moved into the week
            # rescheduled twice: into the week, then away again (the later version wins)
            moved("20261104T090000", "20261019T090000", "SEQUENCE:1"),
            moved("20261201T090000", "20261019T090000", "SEQUENCE:2"),
        ]
    )


@pytest.mark.parametrize(
    "monday", [date(2026, 11, 2), date(2026, 3, 2), date(2026, 10, 19), date(2026, 11, 30)]
)
def test_far_overrides_of_a_kept_series_are_dropped_with_the_same_result(monday):
    text = _far_and_near_overrides()
    period = Period(monday, monday + timedelta(days=6), BERLIN)
    fast, plain = _both(text.encode(), period)
    assert fast == plain
    assert all(e.is_private for e in plain[0])  # overrides inherit the series' privacy


def test_only_the_far_override_is_dropped():
    narrowed = narrow(unfold(_far_and_near_overrides()), date(2026, 11, 2), date(2026, 11, 8))
    assert "RRULE:FREQ=WEEKLY" in narrowed  # the master stays for its kept override
    assert "20260302T090000" not in narrowed  # replaced, and lies, far from the week
    assert "20260601T090000" in narrowed  # moved into the week
    assert narrowed.count("20261019T090000") == 2  # every version of a kept override


def test_an_override_stays_when_the_occurrence_it_replaces_reaches_the_window():
    """Found by the generated test: the override itself lies before the window, but the
    master's occurrence it replaces lasts three days, into the window; dropping the
    override would bring that occurrence back."""
    events = (
        "BEGIN:VEVENT\r\nUID:e0\r\nDTSTART:20261028T234500Z\r\nDTEND:20261031T234500Z\r\n"
        "RRULE:FREQ=DAILY;UNTIL=20261028T234500Z\r\nSUMMARY:Block\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:e0\r\nDTSTART:20261028T234500Z\r\n"
        "RECURRENCE-ID:20261028T234500Z\r\nSUMMARY:Block\r\nEND:VEVENT\r\n"
    )
    fast, plain = _both(_calendar([events]).encode(), PERIOD)
    assert fast == plain


def _versions_calendar(first: str, second: str, *, header: str = "") -> bytes:
    """A weekly series whose 8 Jan occurrence was moved twice: into the week of 10 June
    (SEQUENCE 1), then elsewhere (SEQUENCE 2), each RECURRENCE-ID written its own way."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        *([header] if header else []),
        "BEGIN:VEVENT",
        "UID:s1",
        "DTSTART;TZID=Europe/London:20240101T090000",
        "DTEND;TZID=Europe/London:20240101T100000",
        "RRULE:FREQ=WEEKLY",
        "SUMMARY:master",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:s1",
        f"RECURRENCE-ID{first}",
        "SEQUENCE:1",
        "DTSTART;TZID=Europe/London:20240611T090000",
        "DTEND;TZID=Europe/London:20240611T100000",
        "SUMMARY:moved into the week",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:s1",
        f"RECURRENCE-ID{second}",
        "SEQUENCE:2",
        "DTSTART:20240109T090000Z",
        "DTEND:20240109T100000Z",
        "SUMMARY:moved away again",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(
    ("first", "second", "header"),
    [
        (";TZID=Europe/London:20240108T090000", ":20240108T090000Z", ""),
        (";TZID=Europe/Berlin:20240108T100000", ":20240108T090000Z", "X-WR-TIMEZONE:Europe/Berlin"),
        (";TZID=Europe/London:20240108T090000", ";TZID=America/New_York:20240108T040000", ""),
    ],
    ids=["zone-vs-utc", "x-wr-timezone", "two-zones"],
)
def test_versions_of_one_override_stay_together_however_their_recurrence_id_is_written(
    first, second, header
):
    """Found in review: versions were grouped by how the RECURRENCE-ID was written, so the
    later version (written another way, moved out of the week) was dropped and the
    outdated one appeared."""
    london = ZoneInfo("Europe/London")
    period = Period(date(2024, 6, 10), date(2024, 6, 16), london)
    fast, plain = _both(_versions_calendar(first, second, header=header), period, london)
    assert fast == plain


def test_a_single_event_keeps_its_far_overrides_and_so_its_series_identity():
    """Found in review: without a repeating master, a far override is what makes the UID a
    series (the event's key, used to merge files, depends on it): it is not dropped."""
    events = _calendar(
        [
            _event("s3", "20261104T090000Z", "DTEND:20261104T100000Z"),
            _event(
                "s3",
                "20260105T090000Z",
                "DTEND:20260105T100000Z",
                "RECURRENCE-ID:20260105T090000Z",
            ),
        ]
    )
    fast, plain = _both(events.encode(), PERIOD)
    assert fast == plain
    (event,) = plain[0]
    assert event.recurrence_id is not None


_OLD_BLOCK = re.compile(
    r"^BEGIN:VEVENT\r?\n.*?^END:VEVENT[ \t]*(?:\r?\n|\Z)", re.I | re.M | re.S
)  # how VEVENT blocks were found before: the marker scan must pair them the same way


@pytest.mark.parametrize(
    "text",
    [
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\n",
        "BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT  \r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT",
        "begin:vevent\nUID:a\nend:vevent\n",
        "BEGIN:VEVENT\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VEVENT\n",  # nested
        "BEGIN:VEVENT \nUID:a\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\n",  # no start, no end
        "END:VEVENT\nBEGIN:VEVENT\nDESCRIPTION:END:VEVENT\nEND:VEVENT\t\n",
        "BEGIN:VEVENT\nUID:a\nEND:VEVENTX\nEND:VEVENT\n",
    ],
)
def test_vevent_blocks_are_paired_as_the_pattern_paired_them(text):
    from routine_audit.sources.ics_prefilter import _scan

    assert [(block.start, block.end) for block in _scan(text)] == [
        (m.start(), m.end()) for m in _OLD_BLOCK.finditer(text)
    ]


_LINES = [
    "BEGIN:VEVENT", "begin:vevent", "BEGIN:VEVENT ", "END:VEVENT", "end:vevent", "END:VEVENT \t",
    "END:VEVENTX", "BEGIN:VALARM", "END:VALARM", "BEGIN:", "DTSTART:20261102T090000Z",
    "dtstart;tzid=Europe/Berlin:20261102T090000", "DTEND;VALUE=DATE:20261103", "DTSTART",
    "DTSTARTX:1", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3", "RECURRENCE-ID:20261102T090000Z",
    "EXDATE:20261104T090000Z,20261105T090000Z", "SEQUENCE:x", "CREATED:20260101T000000Z",
    "UID:a", "uid;X-P=\"q:r\":b:c", "UID:", "UID;X=\"open:x", "X-FOO:bar", "DESCRIPTION:BEGIN:x",
    " continued", "", "\t", "bad line", ":no name", "SUMMARY:UID:no",
]  # fmt: skip
# drawn as often as all other lines
_MARKERS = ["BEGIN:VEVENT", "begin:vevent", "END:VEVENT", "end:vevent"]
_UIDS = ["UID:a", "UID:b", "UID;X=1:a"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(*map(st.sampled_from, (_MARKERS, _UIDS, _LINES))), max_size=40),
    st.sampled_from(["\n", "\r\n"]),
)
def test_the_scan_reads_a_plain_vevent_as_its_own_text_reads(lines, newline):
    """The one-pass scan pairs VEVENTs as the pattern did, and what it collected for a
    plain VEVENT (its UID, its watched lines) is what reading the VEVENT's text gives;
    a VEVENT with a nested BEGIN or a line the parser may reject is never plain."""
    from routine_audit.sources import ics_prefilter as window

    text = newline.join(lines) + (newline if lines and len(lines) % 2 else "")
    blocks = window._scan(text)
    assert [(b.start, b.end) for b in blocks] == [
        (m.start(), m.end()) for m in _OLD_BLOCK.finditer(text)
    ]
    for block in blocks:
        body = text[block.start : block.end]
        inner = body[body.index("\n") + 1 :]
        odd = re.search(r"^BEGIN:", inner, re.I | re.M) or window._BAD_LINE.search(inner)
        assert block.plain == (not odd)
        if not block.plain:
            continue
        assert window._uid_of(block.uid_rest) == window._uid(inner)
        collected = _read_or_unsure(window._collect, block.lines)
        assert collected == _read_or_unsure(window._properties, inner)


def _read_or_unsure(read, source):
    from routine_audit.sources.ics_prefilter import _UnsureError

    try:
        return read(source)
    except _UnsureError:
        return "unsure"


# -- far VEVENTs the parser would report on: never dropped unseen ---------------------

_NEAR = _event("near", "20261104T090000Z", "DTEND:20261104T100000Z")
_UNTIL_2020 = "RRULE:FREQ=WEEKLY;UNTIL=20200301T000000Z"


def _far(*lines: str, start: str = "20200103T090000Z", uid: str = "old") -> str:
    return _event(uid, start, *lines)


def _alarm(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VALARM", "ACTION:DISPLAY", *lines, "END:VALARM"])


# each a far VEVENT (January 2020) with a value icalendar reads differently from the
# scan's first guess: padded, a stray CR, an alarm or a rule it rejects
ODD_FAR_EVENTS = {
    "trailing space in DTSTART": _far("DTEND:20200103T100000Z", start="20200103T090000Z "),
    "leading space in DTSTART": _far("DTEND:20200103T100000Z", start=" 20200103T090000Z"),
    "no-break space in DTSTART": _far("DTEND:20200103T100000Z", start="20200103T090000Z\u00a0"),
    "trailing space in DURATION": _far("DURATION:PT10M "),
    "trailing space in EXDATE": _far(_UNTIL_2020, "EXDATE:20200110T090000Z "),
    "space after a comma in EXDATE": _far(_UNTIL_2020, "EXDATE:20200110T090000Z, 20200117T090000Z"),
    "trailing space in RECURRENCE-ID": _far("RECURRENCE-ID:20200103T090000Z "),
    "trailing space in CREATED": _far("DTEND:20200103T100000Z", "CREATED:20191201T000000Z "),
    "trailing space in UNTIL": _far(_UNTIL_2020 + " "),
    "stray CR after DTEND": _far("DTEND:20200103T100000Z\r"),
    "a blank line, then an indented one": _far("DTEND:20200103T100000Z\r\n\r\n  X-Y:1"),
    "alarm trigger with a trailing space": _far(
        "DTEND:20200103T100000Z", _alarm("TRIGGER:-PT15M ")
    ),
    "alarm date-time trigger with a trailing space": _far(
        "DTEND:20200103T100000Z", _alarm("TRIGGER;VALUE=DATE-TIME:20200103T080000Z ")
    ),
    "alarm duration with a trailing space": _far(
        "DTEND:20200103T100000Z", _alarm("TRIGGER:-PT15M", "REPEAT:2", "DURATION:PT5M ")
    ),
    "alarm repeat with a trailing space": _far(
        "DTEND:20200103T100000Z", _alarm("TRIGGER:-PT15M", "REPEAT:2 ", "DURATION:PT5M")
    ),
    **{
        f"rule with {part}": _far("DTEND:20200103T100000Z", f"{_UNTIL_2020};{part}")
        for part in (
            "BYDAY=XX",
            "COUNT=x",
            "WKST=XX",
            "BYHOUR=25",
            "BYMINUTE=60",
            "BYMONTH=13",
            "BYMONTHDAY=0",
            "BYMONTHDAY=32",
            "BYYEARDAY=367",
            "BYWEEKNO=54",
            "INTERVAL=0",
            "INTERVAL=-1",
            "BYSETPOS=0",
            "BYDAY=9MO",
            "BYDAY=",
            "X-NAME=1",
            "RSCALE=GREGORIAN",
        )
    },
    "rule with a COUNT and an UNTIL": _far(
        "DTEND:20200103T100000Z", "RRULE:FREQ=DAILY;COUNT=3;UNTIL=20200301T000000Z"
    ),
    "rule with a trailing semicolon": _far("DTEND:20200103T100000Z", _UNTIL_2020 + ";"),
    "rule in lower case": _far(
        "DTEND:20200103T100000Z", _UNTIL_2020.lower().replace("rrule", "RRULE")
    ),
    "rule with a part twice": _far("DTEND:20200103T100000Z", _UNTIL_2020 + ";FREQ=DAILY"),
    # issue 15: unreadable values that do not decide time are set aside, not fatal
    "Google's year-0 CREATED": _far("DTEND:20200103T100000Z", "CREATED:00001231T000000Z"),
    "unreadable LAST-MODIFIED": _far("DTEND:20200103T100000Z", "LAST-MODIFIED:2020"),
    "unreadable X- date-time": _far("DTEND:20200103T100000Z", "X-A;VALUE=DATE-TIME:x"),
    "alarm TRIGGER PT-2H": _far("DTEND:20200103T100000Z", _alarm("TRIGGER:PT-2H")),
    "alarm REPEAT x": _far("DTEND:20200103T100000Z", _alarm("TRIGGER:-PT5M", "REPEAT:x")),
    "a series with a year-0 CREATED and a bad alarm": _far(
        _UNTIL_2020, "CREATED:00001231T000000Z", _alarm("TRIGGER:PT-2H")
    ),
}

# far VEVENTs whose values are all well-formed: these the fast path must still drop
PLAIN_FAR_EVENTS = {
    "single": _far("DTEND:20200103T100000Z"),
    "series with a rich rule": _far(
        "DTEND:20200103T100000Z",
        "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,-1FR;BYMONTH=1,2;WKST=SU;UNTIL=20200601T000000Z",
    ),
    "series by month day and position": _far(
        "DTEND:20200103T100000Z",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1,15;BYSETPOS=-1;BYHOUR=9;BYMINUTE=0;BYSECOND=0;"
        "UNTIL=20200601T000000Z",
    ),
    "series with an empty set of days": _far(
        "DTEND:20200103T100000Z", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20230101T000000Z"
    ),
    "series with exceptions": _far(
        "DTEND:20200103T100000Z", _UNTIL_2020, "EXDATE:20200110T090000Z,20200117T090000Z"
    ),
    "with an alarm": _far("DTEND:20200103T100000Z", _alarm("TRIGGER:-PT15M", "DESCRIPTION:x")),
}


@pytest.mark.parametrize("far", [*ODD_FAR_EVENTS.values(), *PLAIN_FAR_EVENTS.values()],
                         ids=[*ODD_FAR_EVENTS, *PLAIN_FAR_EVENTS])  # fmt: skip
@pytest.mark.filterwarnings("ignore:Using both 'count' and 'until':DeprecationWarning")
def test_a_far_vevent_gives_what_the_parser_gives_however_its_values_are_written(far):
    data = _calendar([far, _NEAR]).encode()
    fast, plain = _both(data, PERIOD)
    assert fast == plain


@pytest.mark.parametrize("far", PLAIN_FAR_EVENTS.values(), ids=PLAIN_FAR_EVENTS)
def test_a_far_vevent_with_well_formed_values_is_dropped(far):
    narrowed = narrow(unfold(_calendar([far, _NEAR])), date(2026, 11, 2), date(2026, 11, 8))
    assert "UID:near" in narrowed and "UID:old" not in narrowed


@pytest.mark.parametrize("count", [1, 2])
def test_a_file_of_bare_far_vevents_reads_as_the_parser_reads_it(count):
    data = "".join(_far("DTEND:20200103T100000Z", uid=f"old{i}") for i in range(count)).encode()
    fast, plain = _both(data, PERIOD)
    assert fast == plain


# -- issue 15: TZIDs with surrounding whitespace, and values set aside near the week ---

_MEZ = """BEGIN:VTIMEZONE\r
TZID:Mitteleuropäische Zeit \r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


@pytest.mark.parametrize(
    "reference",
    ["Mitteleuropäische Zeit", '"Mitteleuropäische Zeit "', "Mitteleuropäische Zeit "],
    ids=["no space", "quoted space", "bare space"],
)
@pytest.mark.parametrize("monday", [date(2026, 11, 2), date(2026, 10, 26), date(2020, 1, 6)])
def test_both_paths_agree_on_a_tzid_with_surrounding_whitespace(reference, monday):
    times = [
        ("near", "20261104T170000", "20261104T180000"),
        ("edge", "20261101T230000", "20261102T010000"),
        ("far", "20200107T090000", "20200107T100000"),
        ("dst", "20261025T020000", "20261025T040000"),
    ]
    events = [
        _event(uid, start, f"DTEND;TZID={reference}:{end}").replace(
            "DTSTART:", f"DTSTART;TZID={reference}:"
        )
        for uid, start, end in times
    ]
    text = _calendar(events).replace("PRODID:-//t//t//EN\r\n", "PRODID:-//t//t//EN\r\n" + _MEZ)
    for zone in (BERLIN, ZoneInfo("UTC"), ZoneInfo("Pacific/Kiritimati")):
        period = Period(monday, monday + timedelta(days=6), zone)
        fast, plain = _both(text.encode(), period, zone)
        assert fast == plain
        assert not isinstance(plain, str) and plain[1] == []  # the zone is the file's own


@pytest.mark.parametrize("aside", UNREADABLE_ASIDE[2:], ids=lambda lines: lines[0][:24])
@pytest.mark.parametrize("start", [e.strftime("%Y%m%dT%H%M%SZ") for e in EDGES])
def test_both_paths_agree_on_events_with_values_set_aside_at_the_edges(aside, start):
    data = _calendar(
        [
            _event("single", start, "DURATION:PT3H", *aside),
            _event("series", start, "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=4", *aside),
        ]
    ).encode()
    fast, plain = _both(data, PERIOD)
    assert fast == plain
