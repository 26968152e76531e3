"""iCalendar source: .ics files, folders of them, and http(s)/webcal feeds."""

from __future__ import annotations

import copy
import hashlib
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import Field

from ..coverage import Extent
from ..errors import Location, SourceError, UsageError, UserError
from ..model import CalendarData, Event, Problem
from ..period import Period, spanning
from .base import Source, SourceContext, SourceSettings
from .ics_lengths import correct_end, keep_long_durations, note_lengths
from .ics_prefilter import narrow
from .ics_rules import MAX_CANDIDATES, MAX_READ_CANDIDATES, Expansion, SeriesTooCostlyError
from .ics_text import prepare
from .limits import MAX_BYTES, MAX_OCCURRENCES, TOO_MANY, TOO_MANY_SEARCHED

if TYPE_CHECKING:  # the parser is imported where files are parsed: a warm run parses none
    import icalendar

# Expand a little beyond the period so floating and all-day events in any zone
# are found; the engine clips them exactly.
_PAD = timedelta(days=2)
_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
# a period's share of a longer read: what its own read would have expanded (the pad, and
# the day the expansion window adds), a little over; the engine clips exactly
_NEAR = _PAD + timedelta(days=1)


@dataclass(frozen=True)
class Document:
    """The raw bytes of one calendar file or feed, and the name to report it by."""

    name: str
    data: bytes

    @cached_property
    def digest(self) -> bytes:
        """The content's SHA-256: one hash serves the fingerprint and the read cache."""
        return hashlib.sha256(self.data).digest()


@dataclass(frozen=True)
class _Gathered:
    """What the documents gave for one period, before it becomes ``CalendarData``."""

    events: tuple[Event, ...]
    problems: tuple[Problem, ...]
    names: tuple[str, ...]
    documents: list[Document]  # the ones read (the coverage looks beyond the period in them)
    over: bool  # a document was left out whole: more occurrences than a period may hold
    # an event two files hold at different times: which file wins depends on the period
    moved: bool = False


# how one document becomes its occurrences and problems in a period (``read_document``)
ReadDocument = Callable[[Document, Period, ZoneInfo], tuple[list[Event], list[Problem]]]


class IcsSettings(SourceSettings):
    """An .ics calendar entry: ``{type: ics, location: PATH_OR_URL}`` (or a list)."""

    location: str | list[str] = Field(
        description="an .ics file, folder or feed URL (or a list of them)"
    )

    @property
    def locations(self) -> list[str]:
        return [self.location] if isinstance(self.location, str) else list(self.location)


class IcsSource(Source):
    """Calendars from files, folders (one rep's calendars) and feed URLs."""

    name = "ics"
    networked = False  # a feed URL is: see ``is_networked``
    Settings = IcsSettings
    tells_created = True

    @classmethod
    def open(cls, settings: IcsSettings, context: SourceContext) -> IcsSource:  # type: ignore[override]
        try:
            source = cls([context.resolve(value) for value in settings.locations])
        except UserError as exc:
            raise exc.with_flags(_as_setting) from None
        source._setting = "location"
        return source

    @classmethod
    def is_networked(cls, settings: IcsSettings) -> bool:  # type: ignore[override]
        from .feed import is_feed_url

        return any(is_feed_url(location) for location in settings.locations)

    @classmethod
    def local_files(cls, settings: IcsSettings) -> list[tuple[str, str, str]]:  # type: ignore[override]
        return [("location", v, "the calendar") for v in settings.locations if "://" not in v]

    @classmethod
    def inventory(  # type: ignore[override]
        cls, settings: IcsSettings, context: SourceContext
    ) -> list[tuple[str, bool | None]]:
        return [
            ("feed", None) if "://" in value else (".ics calendar", Path(value).exists())
            for value in map(context.resolve, settings.locations)
        ]

    def __init__(
        self, locations: str | Path | Sequence[str | Path], *, timeout: float | None = None
    ):
        if isinstance(locations, str | Path):
            locations = [locations]
        if not locations:
            raise UsageError(
                "no calendar given",
                hint="pass `locations` FILE, FOLDER or URL",
                names=("locations",),
            )
        self.locations = [str(loc).strip() for loc in locations]
        for location in self.locations:
            if not location:
                raise UsageError(
                    "`locations` was given an empty path",
                    hint="name a file, folder or URL",
                    names=("locations",),
                )
            scheme = location.split("://", 1)[0].lower() if "://" in location else ""
            if scheme and scheme not in ("http", "https", "webcal", "webcals", "file"):
                raise UsageError(
                    f"{scheme}:// addresses are not supported",
                    hint="use an http(s) or webcal feed, or download the file",
                )
        self.timeout = timeout
        self._held: list[Document] | None = None  # a snapshot's documents
        self._read_document: ReadDocument | None = None  # None: ``read_document``
        # the settings field its paths came from (a team file's ``location``), to name in
        # errors instead of this parameter, ``locations`` (which the CLI names --ics)
        self._setting: str | None = None

    @classmethod
    def holding(cls, documents: list[Document]) -> IcsSource:
        """A source reading ``documents`` (fetched elsewhere, e.g. from a CalDAV server),
        named by their names."""
        source = cls([d.name for d in documents])
        source._held = documents
        return source

    def reading_with(self, read: ReadDocument) -> IcsSource:
        """This source, reading each document with ``read``: a replacement that gives
        ``read_document``'s answers (the store's remembered one, say)."""
        twin = copy.copy(self)
        twin._read_document = read
        return twin

    def snapshot(self) -> tuple[bytes, IcsSource] | None:
        """The local files' names and contents now; None with a feed or a failed read."""
        from .feed import is_feed_url

        if any(is_feed_url(location) or _is_stream(location) for location in self.locations):
            return None  # a feed changes, a stream (FIFO, ``<(cmd)``) can be read only once
        failures: list[SourceError] = []
        try:
            documents = [d for loc in self.locations for d in _local_documents(Path(loc), failures)]
        except (SourceError, OSError):
            return None
        if failures:
            return None
        held = copy.copy(self)  # its settings name and document reader too
        held._held = documents
        return _digest(documents), held

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        found = self._gather(period, zone)
        return CalendarData(
            found.events,
            found.problems,
            found.names,
            extent=_OVER_EXTENT
            if found.over and not found.events
            else _extent(found.events, found.documents, period, zone),
        )

    def read_periods(
        self, periods: Sequence[Period], *, zone: ZoneInfo
    ) -> tuple[CalendarData, ...]:
        """Each document read once, over the span of ``periods`` (the costly part: parsing
        and expanding), then each period's share. A read with anything to report (a
        problem, a file that failed, too many occurrences) or an event two files hold at
        different times (the first file that has it near a period wins there) is made
        again period by period, so what each period says is what its own read says."""
        if len(periods) < 2:
            return super().read_periods(periods, zone=zone)
        span = spanning(periods)
        found = self._gather(span, zone)
        if found.problems or found.over or found.moved:
            return super().read_periods(periods, zone=zone)
        shares = []
        for period in periods:
            begin, finish = period.start - _NEAR, period.end + _NEAR
            events = tuple(e for e in found.events if e.end > begin and e.start < finish)
            extent = _extent(events, found.documents, period, zone)
            shares.append(CalendarData(events, (), found.names, extent=extent))
        return tuple(shares)

    def _gather(self, period: Period, zone: ZoneInfo) -> _Gathered:
        """Every document's occurrences near ``period``, the first file given winning an
        event found in two; raises ``SourceError`` when no document could be read."""
        events: list[Event] = []
        owner: dict[tuple[str, str], int] = {}  # event key -> the file that supplied it
        problems: list[Problem] = []
        names: list[str] = []
        failures: list[SourceError] = []
        read: list[Document] = []
        over = False  # a document was left out whole: more occurrences than a period may hold
        dropped: list[Event] = []  # found in a file after another had it
        read_one = self._read_document or read_document
        for document in self._documents(failures):
            try:
                found, trouble = read_one(document, period, zone)
                if len(events) + len(found) > MAX_OCCURRENCES:  # the rep's calendars together
                    raise TooManyOccurrencesError(document.name)
            except TooManyOccurrencesError as exc:
                names.append(document.name)  # read, but none of it kept
                problems.append(exc.problem)
                over = True
                continue
            except SourceError as exc:
                failures.append(exc)
                continue
            read.append(document)
            names.append(document.name)
            problems.extend(trouble)
            index = len(names)
            for event in found:
                # the same event in two files counts once: the first file given wins
                if owner.setdefault(event.key, index) == index:
                    events.append(event)
                else:
                    dropped.append(event)
        if not names:
            if len(failures) == 1:
                raise failures[0]
            raise SourceError(
                f"none of the {len(failures)} calendars could be read; first: "
                f"{failures[0].one_line()}",
                detail=failures[0].detail,
            )
        problems[:0] = [  # whole files that could not be read; the parser's words: detail
            Problem(str(f.where or ""), f"could not be read: {f.message}", detail=f.detail or "")
            for f in failures
        ]
        ordered = sorted(events, key=lambda e: (e.start, e.end, e.uid))
        return _Gathered(
            tuple(ordered), tuple(problems), tuple(names), read, over, _moved(dropped, ordered)
        )

    def _documents(self, failures: list[SourceError]) -> Iterator[Document]:
        from .feed import fetch_feed, is_feed_url, redact_url

        if self._held is not None:
            yield from self._held
            return
        for location in self.locations:
            if is_feed_url(location):
                try:
                    yield Document(redact_url(location), fetch_feed(location, timeout=self.timeout))
                except SourceError as exc:
                    failures.append(exc)
                continue
            try:
                yield from _local_documents(Path(location), failures)
            except UserError as exc:
                raise (exc.with_flags(_as_setting) if self._setting else exc) from None


def _moved(dropped: list[Event], kept: list[Event]) -> bool:
    """Whether an event left out as another file's is at times its kept copies are not."""
    if not dropped:
        return False
    times: dict[tuple[str, str], set[tuple[datetime, datetime]]] = {}
    for event in kept:
        times.setdefault(event.key, set()).add((event.start, event.end))
    return any((e.start, e.end) not in times.get(e.key, ()) for e in dropped)


def _as_setting(name: str) -> str:
    """``locations`` as a calendar entry's settings name it (``location``)."""
    return "`location`"


# not "holds no events": a calendar left out whole is not searched again
_OVER_EXTENT = Extent(True, searched=TOO_MANY_SEARCHED)


def _extent(
    events: Sequence[Event], documents: list[Document], period: Period, zone: ZoneInfo
) -> Extent | None:
    """None when an occurrence meets the period; else what the whole files hold (coverage)."""
    start, end = period.start, period.end
    if any(e.end > start and e.start < end for e in events):
        return None
    from .ics_extent import whole_extent

    return whole_extent(((d.name, prepare(d.data).text) for d in documents), period, zone)


def _digest(documents: list[Document]) -> bytes:
    """Names and contents of documents, as one digest."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(repr((document.name, len(document.data))).encode())
        digest.update(document.digest)
    return digest.digest()


def _local_documents(path: Path, failures: list[SourceError]) -> Iterator[Document]:
    if not path.exists():
        raise SourceError(
            "no such file or folder",
            where=Location(path),
            hint="check the path given to `locations`",
            names=("locations",),
        )
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file())
        if path.is_dir()
        else [path]
    )
    if not files:
        raise SourceError(
            "the folder has no .ics files", where=Location(path), hint="export the calendar first"
        )
    for file in files:
        try:
            yield Document(str(file), _read_limited(file))
        except SourceError as exc:
            failures.append(exc)
        except OSError as exc:
            failures.append(SourceError(f"cannot read: {exc.strerror}", where=Location(file)))


def _is_stream(location: str) -> bool:
    """A FIFO, character device or ``/dev/fd/N`` of ``<(cmd)``: neither a file nor a folder."""
    try:
        mode = Path(location).stat().st_mode
    except (OSError, ValueError):
        return False  # a feed address or a missing path: reported where it is read
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _read_limited(path: Path) -> bytes:
    """The file's bytes, at most ``MAX_BYTES``: a regular file by its size, a stream
    (``/dev/zero``, a FIFO, ``<(cmd)``) by reading no further than the limit."""
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_BYTES:
            raise _too_large(path)
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large(path)
    return data


def _too_large(path: Path) -> SourceError:
    return SourceError(
        f"larger than {MAX_BYTES:,} bytes, the most one calendar may hold",
        where=Location(path),
        hint="export a shorter period; a busy year is about 1 MB",
    )


class TooManyOccurrencesError(SourceError):
    """A document (or a rep's documents together) holds more than ``MAX_OCCURRENCES``."""

    def __init__(self, name: str) -> None:
        super().__init__(TOO_MANY, where=Location(name))
        self.problem = Problem(name, TOO_MANY)


_VEVENT = re.compile(r"^BEGIN:VEVENT[ \t]*\r?$", re.I | re.M)


def _check_count(near: str, name: str) -> None:
    """Refuse, before parsing, a text with more VEVENTs near the period than the limit:
    parsing them would cost far more than their bytes."""
    for count, _ in enumerate(_VEVENT.finditer(near), 1):
        if count > MAX_OCCURRENCES:
            raise TooManyOccurrencesError(name)


def read_document(
    document: Document, period: Period, zone: ZoneInfo, *, fast: bool = True
) -> tuple[list[Event], list[Problem]]:
    """Every occurrence in one document that may touch ``period``, plus what was skipped.

    ``fast`` first drops, as text, the VEVENTs that cannot touch the period
    (see ``ics_prefilter``); the result is the same as without it.
    """
    from .ics_events import to_event

    problems: list[Problem] = []
    prepared = prepare(document.data)
    near = narrow(prepared.text, period.first - _PAD, period.last + _PAD)
    _check_count(near, document.name)  # on the narrowed text either way: the same answer
    text = near if fast else prepared.text
    calendars = _parse(document, keep_long_durations(text))
    if prepared.unresolved_tzids:
        problems.append(_unknown_zones(document, prepared.unresolved_tzids, zone))
    events: list[Event] = []
    for calendar in calendars:
        try:
            calendar = _standardize(calendar)
        except Exception as exc:  # noqa: BLE001  (x-wr-timezone on a broken file)
            raise _unreadable(document, exc) from None
        calendar_name = str(calendar.get("X-WR-CALNAME", "")) or Path(document.name).stem
        _drop_broken_events(calendar, document, zone, problems)
        series_class = _series_class(calendar)
        # recurring-ical-events stamps a RECURRENCE-ID on every occurrence; only
        # members of a series have one in the file's own terms
        series = {
            str(c.get("UID", ""))
            for c in calendar.subcomponents
            if c.name == "VEVENT" and any(k in c for k in ("RRULE", "RDATE", "RECURRENCE-ID"))
        }
        mended: dict[tuple[str, tuple[str, ...]], tuple[datetime, Problem]] = {}
        shifts = _range_shifts(calendar)
        note_lengths(calendar, zone)
        room = MAX_OCCURRENCES - len(events)
        for occurrence in _expand(calendar, period, document, zone, problems, room):
            correct_end(occurrence, zone)  # real elapsed time across DST
            try:
                event = to_event(
                    occurrence,
                    zone=zone,
                    calendar=calendar_name,
                    source=document.name,
                    inherited_class=series_class.get(str(occurrence.get("UID", "")), ""),
                    in_series=str(occurrence.get("UID", "")) in series,
                )
            except Exception as exc:  # noqa: BLE001  (a value icalendar accepted but cannot use)
                problems.append(_skipped(document, occurrence, exc, zone, series_class))
                continue
            events.append(_own_instance(event, occurrence, shifts, zone))
            if _SET_ASIDE in occurrence:
                _note_set_aside(mended, document, occurrence, event, zone)
        problems.extend(problem for _, problem in sorted(mended.values(), key=lambda n: n[0]))
    return events, problems


def _range_shifts(calendar: icalendar.Calendar) -> dict[tuple[str, object], timedelta]:
    """(UID, RECURRENCE-ID) of each RANGE=THISANDFUTURE override -> how far it moves the
    occurrences from its own on (its DTSTART - its RECURRENCE-ID)."""
    shifts: dict[tuple[str, object], timedelta] = {}
    for component in calendar.walk("VEVENT"):
        recurrence = component.get("RECURRENCE-ID")
        if recurrence is None or _range(recurrence) != "THISANDFUTURE":
            continue
        try:
            start, moved_from = component.decoded("DTSTART"), recurrence.dt
            shifts[(str(component.get("UID", "")), moved_from)] = start - moved_from
        except Exception:  # noqa: BLE001  (a date beside a date-time: no shift known)
            continue
    return shifts


def _range(recurrence: Any) -> str:
    return str(getattr(recurrence, "params", {}).get("RANGE", "")).upper()


def _own_instance(
    event: Event,
    occurrence: icalendar.cal.Component,
    shifts: dict[tuple[str, object], timedelta],
    zone: ZoneInfo,
) -> Event:
    """``event`` with its own instance as ``recurrence_id`` when a RANGE=THISANDFUTURE
    override moved it: recurring-ical-events stamps the override's RECURRENCE-ID on
    every later occurrence, which would give them all one identity (``Event.key``); each
    keeps the start it had in the series (its start less the override's shift)."""
    recurrence = occurrence.get("RECURRENCE-ID")
    if event.recurrence_id is None or recurrence is None or _range(recurrence) != "THISANDFUTURE":
        return event
    shift = shifts.get((event.uid, recurrence.dt))
    if shift is None:
        return event
    try:
        original = occurrence.decoded("DTSTART") - shift
    except Exception:  # noqa: BLE001
        return event
    if isinstance(original, datetime) and original.tzinfo is None:
        original = original.replace(tzinfo=zone)
    return replace(event, recurrence_id=original)


def _parse(document: Document, text: str) -> list[icalendar.Calendar]:
    import icalendar

    if not text.strip():
        raise SourceError("the file is empty", where=Location(document.name))
    try:
        components = _from_ical(text)
    except Exception as exc:  # noqa: BLE001  (icalendar raises many types on bad input)
        # an alarm's bad value fails the whole file: set the alarm aside, keep its event
        mended = _without_unreadable_alarms(text)
        if mended is None:
            raise _unreadable(document, exc) from None
        try:
            components = _from_ical(mended)
        except Exception:  # noqa: BLE001
            raise _unreadable(document, exc) from None
        text = mended
    calendars = [_flattened(c) for c in components if c.name == "VCALENDAR"]
    loose = [c for c in components if c.name in ("VEVENT", "VTIMEZONE")]
    if loose:  # a bare VEVENT without VCALENDAR, as some tools write single events
        calendars.append(_flattened(icalendar.Calendar(), loose))
    if not calendars and "BEGIN:VCALENDAR" in text.upper():
        # in multiple mode icalendar drops a broken VCALENDAR silently; single mode says why
        try:
            icalendar.Calendar.from_ical(text)
        except Exception as exc:  # noqa: BLE001
            raise _unreadable(document, exc) from None
    if not calendars:
        raise SourceError(
            "no VCALENDAR or VEVENT found",
            where=Location(document.name),
            hint="is this an .ics file?",
        )
    return calendars


def _from_ical(text: str) -> list[icalendar.Component]:
    import icalendar

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TZID guesses are reported by the text stage
        return icalendar.Calendar.from_ical(text, multiple=True)


_ALARM = re.compile(r"^BEGIN:VALARM[ \t]*\r?\n.*?^END:VALARM[ \t]*\r?$", re.I | re.M | re.S)


def _without_unreadable_alarms(text: str) -> str | None:
    """``text`` with each VALARM icalendar cannot read replaced by a note on its event
    (``_SET_ASIDE``); None when there is no such alarm. Only read when a file fails."""
    import icalendar

    found = False

    def mend(match: re.Match[str]) -> str:
        nonlocal found
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                icalendar.Component.from_ical(match.group(0))
        except Exception as exc:  # noqa: BLE001
            found = True
            note = icalendar.vText(f"VALARM: {_short(exc)}").to_ical().decode()
            return f"{_SET_ASIDE}:{note}"
        return match.group(0)

    mended = _ALARM.sub(mend, text)
    return mended if found else None


def _flattened(
    calendar: icalendar.Calendar, extra: list[icalendar.Component] | None = None
) -> icalendar.Calendar:
    """Lift components out of VCALENDARs nested inside this one."""
    children: list[icalendar.Component] = []
    pending = list(calendar.subcomponents) + list(extra or [])
    while pending:
        component = pending.pop(0)
        if component.name == "VCALENDAR":
            pending[:0] = component.subcomponents
            for key, value in component.items():
                calendar.setdefault(key, value)
        else:
            children.append(component)
    calendar.subcomponents[:] = children
    return calendar


def _standardize(calendar: icalendar.Calendar) -> icalendar.Calendar:
    """Google exports: apply X-WR-TIMEZONE the way Google meant it."""
    import x_wr_timezone

    if "X-WR-TIMEZONE" in calendar:
        return x_wr_timezone.to_standard(calendar)
    return calendar


def _drop_broken_events(
    calendar: icalendar.Calendar, document: Document, zone: ZoneInfo, problems: list[Problem]
) -> None:
    """Skip (and report) the VEVENTs whose times cannot be read; set aside the unreadable
    values of properties that do not decide time (``_set_aside``)."""
    from .ics_events import check_event

    kept = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            _set_aside(component)
            try:
                check_event(component)
            except Exception as exc:  # noqa: BLE001  (broken properties raise on access)
                classes = _series_class(calendar)
                problems.append(_skipped(document, component, exc, zone, classes))
                continue
        kept.append(component)
    calendar.subcomponents[:] = kept


# Properties that decide when an event happens (or which version of an occurrence wins):
# an unreadable value skips the event. Any other unreadable value (CREATED, DTSTAMP,
# LAST-MODIFIED, X- properties, alarms) costs only itself, noted on the event.
_DECIDES_TIME = frozenset(
    [
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "SEQUENCE",
    ]
)
# the note an event carries through expansion: "NAME: the parser's words", once per value
_SET_ASIDE = "X-ROUTINE-AUDIT-SET-ASIDE"


def _set_aside(component: icalendar.Component) -> None:
    """Remove the unreadable values of properties that do not decide time, noting each."""
    from icalendar.prop import vBroken

    for name, value in list(component.items()):
        if name in _DECIDES_TIME or name == _SET_ASIDE:
            continue
        values = value if isinstance(value, list) else [value]
        broken = [v for v in values if isinstance(v, vBroken)]
        if not broken:
            continue
        good = [v for v in values if not isinstance(v, vBroken)]
        del component[name]
        if good:
            component[name] = good if len(good) > 1 else good[0]
        component.add(_SET_ASIDE, f"{name}: {_short(broken[0].parse_error or ValueError())}")


# what setting a value aside means for the audit, where it means more than its loss
_SET_ASIDE_MEANS = {
    "CREATED": "CREATED (its creation time is unknown: not judged as booked at short notice)",
    "VALARM": "reminder (VALARM)",
}


def _note_set_aside(
    notes: dict[tuple[str, tuple[str, ...]], tuple[datetime, Problem]],
    document: Document,
    occurrence: icalendar.Component,
    event: Event,
    zone: ZoneInfo,
) -> None:
    """One note per event, by its earliest occurrence here, for the values set aside."""
    marks = occurrence.get(_SET_ASIDE)
    marks = [str(m) for m in (marks if isinstance(marks, list) else [marks])]
    names = tuple(dict.fromkeys(m.split(":", 1)[0] for m in marks))
    key = (event.uid, names)
    if key in notes and notes[key][0] <= event.start:
        return
    local = event.start.astimezone(zone)
    start = local.date() if event.all_day else local
    what = ", ".join(_SET_ASIDE_MEANS.get(name, name) for name in names)
    notes[key] = (
        event.start,
        Problem(
            document.name,
            f"kept without its unreadable {what}",
            uid=event.uid,
            skipped=False,
            detail="; ".join(marks),
            title=event.summary,
            start=start,
            private=event.is_private,
            event=True,
        ),
    )


def _series_class(calendar: icalendar.Calendar) -> dict[str, str]:
    """Each series' CLASS by UID: a moved instance without its own CLASS inherits it."""
    return {
        str(c.get("UID", "")): str(c.get("CLASS", ""))
        for c in calendar.subcomponents
        if c.name == "VEVENT" and "RRULE" in c and "CLASS" in c
    }


def _expand(
    calendar: icalendar.Calendar,
    period: Period,
    document: Document,
    zone: ZoneInfo,
    problems: list[Problem],
    limit: int,
) -> list[icalendar.Event]:
    """The occurrences near ``period``; a series that examines more than
    ``MAX_CANDIDATES`` candidate times is skipped and reported, and more than
    ``limit`` occurrences stop the read (``TooManyOccurrencesError``)."""
    import recurring_ical_events

    from .ics_rules import expand, read_budget

    window = (period.first - _PAD, period.last + _PAD + timedelta(days=1))
    try:
        found = expand(recurring_ical_events.of(calendar), *window, limit=limit)
    except Exception:  # noqa: BLE001  (one bad series must not lose the others)
        # one budget for every series the fallback expands: a bad series in the file
        # must not give each of the others a read's budget of its own
        read = read_budget()
        found = _expand_each_series(calendar, window, document, zone, problems, limit, read)
    if found.over:
        raise TooManyOccurrencesError(document.name)
    classes = _series_class(calendar)
    for uids, error in ((found.too_costly, _TOO_COSTLY), (found.read_spent, _READ_SPENT)):
        for uid in uids:
            core = _series_core(calendar, uid)
            problems.append(_skipped(document, core, error, zone, classes, _COSTLY))
    return found.components


_COSTLY = "repeat rule too costly to expand"
_TOO_COSTLY = SeriesTooCostlyError(
    f"it examined {MAX_CANDIDATES:,} candidate times (the most one series may) "
    "without reaching the period's end"
)
_READ_SPENT = SeriesTooCostlyError(
    f"the calendar's recurring series had examined {MAX_READ_CANDIDATES:,} candidate times "
    "together (the most one calendar's may) before it was reached",
    whole_read=True,
)


def _series_core(calendar: icalendar.Calendar, uid: str) -> icalendar.Component:
    """The VEVENT that holds a series' rule (else its first), to name the series by."""
    members = [
        c for c in calendar.subcomponents if c.name == "VEVENT" and str(c.get("UID", "")) == uid
    ]
    rules = [c for c in members if "RECURRENCE-ID" not in c]
    return (rules or members or [calendar])[0]


def _expand_each_series(calendar, window, document, zone, problems, limit, read) -> Expansion:
    """Fallback: expand series by series, skipping and reporting those that fail."""
    import icalendar
    import recurring_ical_events

    from .ics_rules import expand

    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[icalendar.Component]] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            by_uid.setdefault(str(component.get("UID", id(component))), []).append(component)
    found = Expansion()
    for components in by_uid.values():
        single = icalendar.Calendar()
        single.subcomponents.extend([*timezones, *components])
        try:
            one = expand(recurring_ical_events.of(single), *window, limit=limit, read=read)
        except Exception as exc:  # noqa: BLE001
            classes = _series_class(calendar)
            what = "recurrence not expandable"
            problems.append(_skipped(document, components[0], exc, zone, classes, what))
            continue
        found.components.extend(one.components)
        found.too_costly.extend(one.too_costly)
        found.read_spent.extend(one.read_spent)
        limit -= len(one.components)
        if one.over or limit < 0:
            found.over = True
            break
    return found


def _unknown_zones(document: Document, tzids: Sequence[str], zone: ZoneInfo) -> Problem:
    """One note per file; the TZIDs are calendar text (a private event's too), so they
    are the owner's ``detail`` and the message only counts them."""
    count = len(tzids)
    what = "a time zone is" if count == 1 else f"{count} time zones are"
    return Problem(
        document.name,
        f"{what} unknown; {'its' if count == 1 else 'their'} times were read in {zone.key}",
        skipped=False,
        detail=", ".join(f"TZID {tzid!r}" for tzid in tzids),
    )


def _unreadable(document: Document, exc: Exception) -> SourceError:
    """The parser's words may quote a calendar line: they are the owner's ``detail``."""
    return SourceError(
        "not a readable iCalendar file",
        where=Location(document.name),
        hint="re-export the calendar, or remove this file",
        detail=_short(exc),
    )


def _skipped(
    document: Document,
    component: icalendar.Component,
    exc: Exception,
    zone: ZoneInfo,
    series_class: dict[str, str],
    what: str = "unreadable value",
) -> Problem:
    """A skipped event, named by its title and start as far as they can be read."""
    uid = str(component.get("UID", "")) or None
    own_class = str(component.get("CLASS", series_class.get(uid or "", "")))
    return Problem(
        document.name,
        f"event skipped, {what}",
        uid=uid,
        detail=_short(exc),
        title=str(component.get("SUMMARY", "")),
        start=_local_start(component, zone),
        private=own_class.upper() in ("PRIVATE", "CONFIDENTIAL"),
        event=True,
    )


def _local_start(component: icalendar.Component, zone: ZoneInfo) -> date | None:
    """The event's start in the rep's zone (a date for an all-day event); None if unreadable."""
    try:
        start = component["DTSTART"].dt
    except Exception:  # noqa: BLE001  (a missing or broken DTSTART)
        return None
    if not isinstance(start, datetime):
        return start if isinstance(start, date) else None
    return (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(zone)


_BROKEN = re.compile(r"Cannot access '\w+' on broken property '([\w-]+)' \(expected '\w+'\): ")


def _short(exc: Exception) -> str:
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    text = text or type(exc).__name__
    text = _BROKEN.sub(r"bad \1 value: ", text)
    return text if len(text) <= 160 else text[:157] + "..."
