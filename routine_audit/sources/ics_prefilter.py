"""The fast path of reading .ics files: drop, as text, the VEVENTs that cannot touch the period.

A year-long export holds a few percent of events near any one week, and
icalendar's parser is most of the cost of reading. So before parsing, each
VEVENT's times are read from its raw lines, and a VEVENT is dropped only when
it is certain to produce no occurrence in the window and no problem report:
its time values are well-formed, and either it does not repeat and lies
outside the window, or its series ends (UNTIL) before the window or starts
after it. Anything unusual is kept, and the normal reader then decides.
When any VEVENT of a UID is kept, so are the series' masters (a kept
override still finds its series, and the series' privacy). Overrides of a kept
repeating series that lie, and came from, outside the window are dropped: they
replace occurrences the window never sees. An override stays when the master
occurrence it replaces may reach the window, when another kept override
replaces an occurrence within the slack of its own (another version of it,
perhaps written in another zone: the highest SEQUENCE wins), and when its UID
has no repeating master. A UID with any VEVENT this scan is unsure of is kept
whole. Times are compared as wall-clock values
with two days of slack either side, which covers any UTC offset.

One pass of one pattern over the text finds the VEVENTs and collects the lines a
verdict reads (a year-long export holds ~900 VEVENTs; reading each one's text again
cost as much as the scan). A VEVENT with a nested component or an odd line is read
from its own text instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import NamedTuple

from .ics_text import TZID_PARAM

_SLACK = timedelta(days=2)
# a VEVENT runs from a BEGIN line to the first END line after it (a BEGIN inside is body)
# and the lines within that a verdict reads: watched properties, UID, other BEGIN lines
# and lines the parser may reject. "\n" first: the scan jumps from line to line
_WATCHED = "DTSTART|DTEND|DURATION|RRULE|RDATE|EXDATE|EXRULE|RECURRENCE-ID|SEQUENCE"
_TOKEN = re.compile(
    r"\n(?:(BEGIN:VEVENT)(?=\r?\n)"
    r"|(END:VEVENT[ \t]*)(?=(\r?\n)|\Z)"
    r"|BEGIN:"
    rf"|({_WATCHED})([;:][^\r\n]*)"
    r"|UID([;:][^\r\n]*)"
    r"|(?![A-Za-z0-9-]+[;:])[^\r\n])",
    re.I,
)
_NESTED = re.compile(r"^BEGIN:(\w[\w-]*)\r?\n.*?^END:\1[ \t]*\r?$", re.I | re.M | re.S)
_PROPERTY = re.compile(rf"^({_WATCHED}|BEGIN)([;:][^\r\n]*)", re.I | re.M)
_UID_LINE = re.compile(r"^UID([;:][^\r\n]*)", re.I | re.M)
_LINE_NAME = re.compile(r"^([A-Za-z0-9-]+)[;:]")
_PARAMS_VALUE = re.compile(r'((?:[^:"]|"[^"]*")*):(.*)', re.S)  # up to the first bare colon
_SIGNED_DURATION = re.compile(r"[+-]?P(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?")
_ALARM_TEXT = {"ACTION", "DESCRIPTION", "SUMMARY", "UID", "ATTENDEE"}
_BAD_LINE = re.compile(r"^(?![A-Za-z0-9-]+[;:])[^\r\n]", re.M)
_TIME_VALUE = re.compile(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?")
_DURATION = re.compile(r"\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
# a CR that ends no line: icalendar keeps it inside the value, where the scan stops
_LONE_CR = re.compile(r"\r(?!\n)")
_VCALENDAR = re.compile(r"^BEGIN:VCALENDAR", re.I | re.M)


class _UnsureError(Exception):
    """This VEVENT needs the real parser: keep it."""


def narrow(text: str, first: date, last: date) -> str:
    """``text`` without the VEVENTs that cannot touch the days ``first``..``last``.

    The text must be unfolded. When the layout is not plain (a VEVENT inside a
    VEVENT, a CR that ends no line, VEVENTs without a VCALENDAR), the text is
    returned whole.
    """
    if _LONE_CR.search(text) or not _VCALENDAR.search(text):
        return text  # a bare VEVENT file is one event or a few: nothing to gain
    low = datetime.combine(first, datetime.min.time()) - _SLACK
    high = datetime.combine(last + timedelta(days=1), datetime.min.time()) + _SLACK
    blocks = _scan(text)
    if not blocks:
        return text
    keep_uid: set[str] = set()  # UIDs with a needed VEVENT: their masters stay
    whole_uid: set[str] = set()  # UIDs with a VEVENT this scan is unsure of: all stays
    series_uid: set[str] = set()  # UIDs with a repeating master (RRULE)
    master_span: dict[str, timedelta] = {}  # the longest master of each UID
    verdicts: list[tuple[tuple[int, int], str | None, bool, datetime | None]] = []
    for block in blocks:
        if block.plain:
            uid, read = _uid_of(block.uid_rest), partial(_collect, block.lines)
        else:  # nested components or odd lines: the block's own text decides
            body = text[block.start : block.end]
            if body.upper().count("BEGIN:VEVENT") != 1:
                return text  # nesting the pattern cannot pair: let the parser judge the file
            uid, read = _odd_block(body)
        if uid == _UNKNOWN:
            return text  # its series cannot be found: keep every VEVENT
        try:
            needed, replaces, span, repeats = _needed(read(), low, high)
        except (_UnsureError, ValueError, OverflowError):  # out-of-range values included
            needed, replaces, span, repeats = True, None, timedelta(0), False
            if uid is not None:
                whole_uid.add(uid)
        if uid is not None:
            if needed:
                keep_uid.add(uid)
            if replaces is None:
                master_span[uid] = max(span, master_span.get(uid, span))
                if repeats:
                    series_uid.add(uid)
        verdicts.append(((block.start, block.end), uid, needed, replaces))
    staying = _staying_overrides(verdicts, keep_uid, series_uid, master_span, low, high)
    pieces: list[str] = []
    position = 0
    for index, (block, uid, needed, replaces) in enumerate(verdicts):
        if needed or uid in whole_uid:
            continue
        if uid in keep_uid and (replaces is None or index in staying):
            continue
        pieces.append(text[position : block[0]])
        position = block[1]
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


_UNKNOWN = "\0unknown"  # a UID line this scan cannot read


class _Block(NamedTuple):
    """One VEVENT's offsets and, when it is plain, the lines the verdict reads."""

    start: int
    end: int
    plain: bool  # no nested component, no line the parser may reject
    uid_rest: str | None  # its first UID line, after the name
    lines: list[tuple[str, str]]  # its watched lines: (name, the rest)


def _scan(text: str) -> list[_Block]:
    """Each VEVENT (a BEGIN line, up to the first END line after it), in one pass.

    The lines a verdict reads are collected on the way, so a plain VEVENT is
    judged without reading its text again; any other is marked for its own reading.
    """
    found: list[_Block] = []
    start: int | None = None
    plain, uid_rest, lines = True, None, []
    # one pass over "\n" + text: a match's offset there is its line's offset in text
    for token in _TOKEN.finditer("\n" + text):
        begin, end, newline, name, rest, uid = token.groups()
        if begin is not None:
            if start is None:
                start, plain, uid_rest, lines = token.start(), True, None, []
            else:
                plain = False  # a VEVENT inside
        elif start is None:
            continue
        elif end is not None:
            found.append(
                _Block(start, token.end() - 1 + len(newline or ""), plain, uid_rest, lines)
            )
            start = None
        elif name is not None:
            lines.append((name, rest))
        elif uid is not None:
            if uid_rest is None:
                uid_rest = uid
        else:  # another BEGIN line, or a line the parser may reject
            plain = False
    return found


def _staying_overrides(
    verdicts: list[tuple[tuple[int, int], str | None, bool, datetime | None]],
    keep_uid: set[str],
    series_uid: set[str],
    master_span: dict[str, timedelta],
    low: datetime,
    high: datetime,
) -> set[int]:
    """Which overrides of kept UIDs stay although they do not touch the window themselves.

    An override stays when its UID has no repeating master (it may be what makes the UID
    a series), when the master occurrence it replaces (as long as the master) may reach
    the window, or when a kept override replaces an occurrence within the slack of its
    own (another version of it: the same instant may be written in another zone).
    """
    kept_times: dict[str, list[datetime]] = {}
    candidates: list[tuple[int, str, datetime]] = []
    for index, (_block, uid, needed, replaces) in enumerate(verdicts):
        if replaces is None or uid is None:
            continue
        if needed:
            kept_times.setdefault(uid, []).append(replaces)
        elif uid in keep_uid:
            candidates.append((index, uid, replaces))
    staying: set[int] = set()
    for index, uid, replaces in candidates:
        reach = master_span.get(uid, _SLACK)
        if uid not in series_uid or (replaces < high and replaces + reach >= low):
            staying.add(index)
            kept_times.setdefault(uid, []).append(replaces)
    for index, uid, replaces in candidates:
        if any(abs(replaces - kept) <= _SLACK for kept in kept_times.get(uid, ())):
            staying.add(index)
    return staying


def _uid(own: str) -> str | None:
    """The VEVENT's own UID, from its lines without nested components; UIDs may hold colons."""
    line = _UID_LINE.search(own)  # the first UID line
    return _uid_of(None if line is None else line.group(1))


def _uid_of(rest: str | None) -> str | None:
    """The UID from its line's text after the name (None: no UID line)."""
    if rest is None:
        return None
    try:
        return _split(rest)[1].strip() or None
    except _UnsureError:
        return _UNKNOWN


def _odd_block(body: str) -> tuple[str | None, Callable[[], dict[str, list[tuple[str, str]]]]]:
    """The UID of a VEVENT that is not plain, and how to read its watched lines."""
    inner = body[body.index("\n") + 1 :]
    if "BEGIN:" not in inner.upper():
        return _uid(inner), partial(_properties, inner)
    # alarms (checked): not the event's own times
    return _uid(_NESTED.sub("", inner)), lambda: _properties(_NESTED.sub(_check_alarm, inner))


def _needed(
    props: dict[str, list[tuple[str, str]]], low: datetime, high: datetime
) -> tuple[bool, datetime | None, timedelta, bool]:
    """Whether this VEVENT may matter for [low, high), the occurrence it replaces (its
    RECURRENCE-ID's wall time; None for a master or a single event), its length, and
    whether it repeats (RRULE).

    ``props`` are the VEVENT's own watched lines (not its alarms'). Unsure raises
    ``_UnsureError``.
    """
    for _params, value in props.get("SEQUENCE", ()):
        if not value.strip().isdigit():
            raise _UnsureError  # the expansion reads it
    if "DTSTART" not in props or "EXRULE" in props or "RDATE" in props:
        raise _UnsureError
    if any(len(props.get(name, ())) > 1 for name in ("DTSTART", "DTEND", "DURATION", "RRULE")):
        raise _UnsureError
    if "DTEND" in props and "DURATION" in props:
        raise _UnsureError
    start_params, start_value = props["DTSTART"][0]
    start = _time(start_params, start_value)
    for name in ("RECURRENCE-ID", "EXDATE"):
        for params, value in props.get(name, ()):
            for item in value.split(","):
                _time(params, item)  # a broken value is a problem the parser must report
    end = _end(props, start_params, start_value, start)
    if "RRULE" in props:
        first_start = start
        last_start = _last_start(props["RRULE"][0][1], start_params, start_value)
    else:
        first_start = last_start = start
    span = end - start
    needed = first_start < high and (last_start is None or last_start + span >= low)
    replaces: datetime | None = None
    if len(props.get("RECURRENCE-ID", ())) > 1:
        raise _UnsureError
    for params, value in props.get("RECURRENCE-ID", ()):
        if "RANGE" in params.upper():
            raise _UnsureError
        moved_from = _time(params, value)
        needed = needed or (low <= moved_from + span and moved_from < high)
        replaces = moved_from
    return needed, replaces, span, "RRULE" in props


def _check_alarm(match: re.Match[str]) -> str:
    """Drop a nested VALARM whose values the parser accepts; anything else is unsure.

    Unlike a VEVENT, icalendar rejects the whole file over a bad value in an
    alarm, so a bad alarm must reach the parser as it would without the fast path.
    """
    if match.group(1).upper() != "VALARM":
        raise _UnsureError
    lines = match.group(0).splitlines()[1:-1]
    for line in lines:
        name_match = _LINE_NAME.match(line)
        if name_match is None:
            raise _UnsureError
        name = name_match.group(1).upper()
        params, value = _split(line[name_match.end(1) :])
        if name in ("TRIGGER", "DURATION"):
            if "VALUE=DATE-TIME" in params.upper():
                _time(";VALUE=DATE-TIME", value)
            elif not _SIGNED_DURATION.fullmatch(value) or value.rstrip("T").endswith("P"):
                raise _UnsureError
        elif name == "REPEAT":
            if not value.strip().isdigit():  # read as an int: padding allowed
                raise _UnsureError
        elif name not in _ALARM_TEXT and not name.startswith("X-"):
            raise _UnsureError
    return ""


def _properties(body: str) -> dict[str, list[tuple[str, str]]]:
    """The watched properties of a VEVENT: name -> [(parameters, value)]."""
    if _BAD_LINE.search(body):
        raise _UnsureError  # a line the parser may reject: let it
    return _collect(_PROPERTY.findall(body))


def _collect(lines: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Watched lines by name: name -> [(parameters, value)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name, rest in lines:
        name = name.upper()
        if name == "BEGIN":
            raise _UnsureError  # a component left open inside the VEVENT
        found.setdefault(name, []).append(_split(rest))
    return found


def _split(rest: str) -> tuple[str, str]:
    """``;A=B;C="x:y":value`` -> (``;A=B;C="x:y"``, ``value``), quotes respected."""
    if rest.startswith(":"):
        return "", rest[1:]
    match = _PARAMS_VALUE.match(rest)
    if match is None:
        raise _UnsureError  # no colon outside quotes (an unbalanced quote, say)
    return match.group(1), match.group(2)


def _time(params: str, value: str) -> datetime:
    """A DATE or DATE-TIME value as a naive wall-clock time; anything else is unsure."""
    upper = params.upper()
    if "VALUE=" in upper and "VALUE=DATE" not in upper:
        raise _UnsureError  # PERIOD and other value types
    match = _TIME_VALUE.fullmatch(value)  # padded values are errors to the parser
    if match is None:
        raise _UnsureError
    year, month, day, hour, minute, second, _ = match.groups()
    is_date = hour is None
    if is_date != ("VALUE=DATE" in upper and "VALUE=DATE-TIME" not in upper):
        raise _UnsureError
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        raise _UnsureError from None


def _kind(params: str, value: str) -> str:
    """``date``, ``utc``, ``zoned`` or ``floating``: what DTSTART and UNTIL must agree on."""
    if "T" not in value:
        return "date"
    if value.endswith("Z"):
        return "utc"
    return "zoned" if "TZID=" in params.upper() else "floating"


def _end(
    props: dict[str, list[tuple[str, str]]], start_params: str, start_value: str, start: datetime
) -> datetime:
    if "DTEND" in props:
        params, value = props["DTEND"][0]
        end = _time(params, value)
        if _kind(params, value) != _kind(start_params, start_value):
            raise _UnsureError  # mixed kinds: the parser reports or converts them
        if "TZID=" in params.upper() and _tzid(params) != _tzid(start_params):
            raise _UnsureError  # another zone: wall clocks are not comparable
        if end < start:
            raise _UnsureError  # "DTEND is before DTSTART": a problem to report
        return end
    if "DURATION" in props:
        match = _DURATION.fullmatch(props["DURATION"][0][1])
        if match is None or not any(match.groups()):
            raise _UnsureError
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return (
            start
            + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
            + (timedelta(seconds=seconds))
        )
    return start + (timedelta(days=1) if "T" not in start_value else timedelta(0))


def _tzid(params: str) -> str:
    match = TZID_PARAM.search(params)
    return (match.group(1) or match.group(2)) if match else ""


def _last_start(rule: str, start_params: str, start_value: str) -> datetime | None:
    """The latest an occurrence of the series may start; None when it may never end.

    COUNT-limited series are treated as endless: only expansion can tell their end.
    """
    parts = _rule_parts(rule)
    until = parts.get("UNTIL")
    if until is None:
        return None
    start_kind, until_kind = _kind(start_params, start_value), _kind("", until)
    agree = until_kind == start_kind or (start_kind == "zoned" and until_kind == "utc")
    if not agree:
        raise _UnsureError  # the parser or the expansion may reject the mix
    limit = _time(";VALUE=DATE" if until_kind == "date" else "", until)
    return limit + (timedelta(days=1) if until_kind == "date" else timedelta(0))


_FREQUENCIES = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"}  # SECONDLY/MINUTELY: reported
_WEEKDAY_NAMES = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
_BYDAY = re.compile(rf"([+-]?\d{{1,2}})?(?:{'|'.join(_WEEKDAY_NAMES)})")
# the numeric parts: (lowest, highest, signed: negative values count from the end, 0 is not one)
_RULE_NUMBERS = {
    "COUNT": (1, None, False),
    "INTERVAL": (1, None, False),
    "BYSECOND": (0, 59, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}


def _rule_parts(rule: str) -> dict[str, str]:
    """An RRULE's parts by name, when every part is one the expansion surely reads
    as written; anything else (an unknown part, a value out of range) is unsure."""
    parts: dict[str, str] = {}
    for part in rule.split(";"):  # as written: icalendar rejects a lower-case UNTIL
        name, equals, value = part.partition("=")
        if not equals or not value or name in parts:
            raise _UnsureError
        parts[name] = value
    if parts.get("FREQ") not in _FREQUENCIES:
        raise _UnsureError
    if "COUNT" in parts and "UNTIL" in parts:
        raise _UnsureError  # deprecated by dateutil, an error in its next versions
    for name, value in parts.items():
        if name in _RULE_NUMBERS:
            _check_numbers(value, *_RULE_NUMBERS[name])
        elif name == "BYDAY":
            _check_days(value, ordinals=parts["FREQ"] in ("MONTHLY", "YEARLY"))
        elif name == "WKST":
            if value not in _WEEKDAY_NAMES:
                raise _UnsureError
        elif name not in ("FREQ", "UNTIL"):
            raise _UnsureError  # X- parts, RSCALE, SKIP...: the expansion decides
    return parts


def _check_numbers(value: str, lowest: int, highest: int | None, signed: bool) -> None:
    for item in value.split(","):
        digits = item[1:] if signed and item[:1] in "+-" else item
        if not digits.isdigit() or not digits.isascii():
            raise _UnsureError
        number = int(digits)
        if number < lowest or (highest is not None and number > highest):
            raise _UnsureError


def _check_days(value: str, *, ordinals: bool) -> None:
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None:
            raise _UnsureError
        ordinal = match.group(1)
        if ordinal is not None and (not ordinals or not 1 <= abs(int(ordinal)) <= 53):
            raise _UnsureError
