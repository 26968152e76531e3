"""iCalendar source: .ics files, folders of them, and http(s)/webcal feeds."""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import Location, SourceError, UsageError
from ..model import CalendarData, Event, Problem
from ..period import Period
from .base import Source
from .ics_lengths import correct_end, keep_long_durations, note_lengths
from .ics_text import prepare
from .ics_window import narrow

if TYPE_CHECKING:  # the parser is imported where files are parsed: a warm run parses none
    import icalendar

# Expand a little beyond the period so floating and all-day events in any zone
# are found; the engine clips them exactly.
_PAD = timedelta(days=2)
_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")


@dataclass(frozen=True)
class Document:
    """The raw bytes of one calendar file or feed, and the name to report it by."""

    name: str
    data: bytes

    @cached_property
    def digest(self) -> bytes:
        """The content's SHA-256: one hash serves the fingerprint and the read cache."""
        return hashlib.sha256(self.data).digest()


class IcsSource(Source):
    """Calendars from files, folders (one rep's calendars) and feed URLs."""

    name = "ics"

    def __init__(self, locations: str | Path | Sequence[str | Path], *, timeout: float = 30.0):
        if isinstance(locations, str | Path):
            locations = [locations]
        if not locations:
            raise UsageError("no calendar given", hint="pass --ics FILE, FOLDER or URL")
        self.locations = [str(loc).strip() for loc in locations]
        for location in self.locations:
            if not location:
                raise UsageError("--ics was given an empty path", hint="name a file, folder or URL")
            scheme = location.split("://", 1)[0].lower() if "://" in location else ""
            if scheme and scheme not in ("http", "https", "webcal", "webcals", "file"):
                raise UsageError(
                    f"{scheme}:// addresses are not supported",
                    hint="use an http(s) or webcal feed, or download the file",
                )
        self.timeout = timeout
        self._held: list[Document] | None = None  # a snapshot's documents

    def snapshot(self) -> tuple[bytes, IcsSource] | None:
        """The local files' names and contents now; None with a feed or a failed read."""
        from .feed import is_feed_url

        if any(is_feed_url(location) for location in self.locations):
            return None
        failures: list[SourceError] = []
        try:
            documents = [d for loc in self.locations for d in _local_documents(Path(loc), failures)]
        except (SourceError, OSError):
            return None
        if failures:
            return None
        held = IcsSource(self.locations, timeout=self.timeout)
        held._held = documents
        return _digest(documents), held

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        events: list[Event] = []
        owner: dict[tuple[str, str], int] = {}  # event key -> the file that supplied it
        problems: list[Problem] = []
        names: list[str] = []
        failures: list[SourceError] = []
        for document in self._documents(failures):
            try:
                found, trouble = read_document_cached(document, period, zone)
            except SourceError as exc:
                failures.append(exc)
                continue
            names.append(document.name)
            problems.extend(trouble)
            index = len(names)
            for event in found:
                # the same event in two files counts once: the first file given wins
                if owner.setdefault(event.key, index) == index:
                    events.append(event)
        if not names:
            if len(failures) == 1:
                raise failures[0]
            raise SourceError(
                f"none of the {len(failures)} calendars could be read; first: "
                f"{failures[0].one_line()}"
            )
        problems[:0] = [  # whole files that could not be read
            Problem(str(f.where or ""), "could not be read", detail=f.message) for f in failures
        ]
        ordered = sorted(events, key=lambda e: (e.start, e.end, e.uid))
        return CalendarData(tuple(ordered), tuple(problems), tuple(names))

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
            yield from _local_documents(Path(location), failures)


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
            hint="check the path given to --ics",
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
            yield Document(str(file), file.read_bytes())
        except OSError as exc:
            failures.append(SourceError(f"cannot read: {exc.strerror}", where=Location(file)))


def read_document_cached(
    document: Document, period: Period, zone: ZoneInfo
) -> tuple[list[Event], list[Problem]]:
    """``read_document``, remembered by the document's content digest, name, period and zone."""
    from .. import cache

    parts = (document.name, period.first, period.last, period.tz.key, zone.key)
    return cache.remembered(
        "ics", document.digest, parts, lambda: read_document(document, period, zone)
    )


def read_document(
    document: Document, period: Period, zone: ZoneInfo, *, fast: bool = True
) -> tuple[list[Event], list[Problem]]:
    """Every occurrence in one document that may touch ``period``, plus what was skipped.

    ``fast`` first drops, as text, the VEVENTs that cannot touch the period
    (see ``ics_window``); the result is the same as without it.
    """
    from .ics_events import to_event

    problems: list[Problem] = []
    prepared = prepare(document.data)
    text = prepared.text
    if fast:
        text = narrow(text, period.first - _PAD, period.last + _PAD)
    calendars = _parse(document, keep_long_durations(text))
    problems.extend(
        Problem(
            document.name,
            f"time zone {tzid!r} is unknown; its times were read in {zone.key}",
            skipped=False,
        )
        for tzid in prepared.unresolved_tzids
    )
    events: list[Event] = []
    for calendar in calendars:
        try:
            calendar = _standardize(calendar)
        except Exception as exc:  # noqa: BLE001  (x-wr-timezone on a broken file)
            raise _unreadable(document, exc) from None
        calendar_name = str(calendar.get("X-WR-CALNAME", "")) or Path(document.name).stem
        _drop_broken_events(calendar, document, problems)
        series_class = {
            str(c.get("UID", "")): str(c.get("CLASS", ""))
            for c in calendar.subcomponents
            if c.name == "VEVENT" and "RRULE" in c and "CLASS" in c
        }
        # recurring-ical-events stamps a RECURRENCE-ID on every occurrence; only
        # members of a series have one in the file's own terms
        series = {
            str(c.get("UID", ""))
            for c in calendar.subcomponents
            if c.name == "VEVENT" and any(k in c for k in ("RRULE", "RDATE", "RECURRENCE-ID"))
        }
        note_lengths(calendar, zone)
        for occurrence in _expand(calendar, period, document, problems):
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
                problems.append(_skipped(document, occurrence, exc))
                continue
            events.append(event)
    return events, problems


def _parse(document: Document, text: str) -> list[icalendar.Calendar]:
    import icalendar

    if not text.strip():
        raise SourceError("the file is empty", where=Location(document.name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TZID guesses are reported by the text stage
            components = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # noqa: BLE001  (icalendar raises many types on bad input)
        raise _unreadable(document, exc) from None
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
    calendar: icalendar.Calendar, document: Document, problems: list[Problem]
) -> None:
    from .ics_events import check_event

    kept = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            try:
                check_event(component)
            except Exception as exc:  # noqa: BLE001  (broken properties raise on access)
                problems.append(_skipped(document, component, exc))
                continue
        kept.append(component)
    calendar.subcomponents[:] = kept


def _expand(
    calendar: icalendar.Calendar, period: Period, document: Document, problems: list[Problem]
) -> list[icalendar.Event]:
    import recurring_ical_events

    window = (period.first - _PAD, period.last + _PAD + timedelta(days=1))
    try:
        return list(recurring_ical_events.of(calendar).between(*window))
    except Exception:  # noqa: BLE001  (one bad series must not lose the others)
        return _expand_each_series(calendar, window, document, problems)


def _expand_each_series(calendar, window, document, problems) -> list[icalendar.Event]:
    """Fallback: expand series by series, skipping and reporting those that fail."""
    import icalendar
    import recurring_ical_events

    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[icalendar.Component]] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            by_uid.setdefault(str(component.get("UID", id(component))), []).append(component)
    occurrences: list[icalendar.Event] = []
    for components in by_uid.values():
        single = icalendar.Calendar()
        single.subcomponents.extend([*timezones, *components])
        try:
            occurrences.extend(recurring_ical_events.of(single).between(*window))
        except Exception as exc:  # noqa: BLE001
            problems.append(_skipped(document, components[0], exc, "recurrence not expandable"))
    return occurrences


def _unreadable(document: Document, exc: Exception) -> SourceError:
    return SourceError(
        f"not a readable iCalendar file: {_short(exc)}",
        where=Location(document.name),
        hint="re-export the calendar, or remove this file",
    )


def _skipped(
    document: Document,
    component: icalendar.Component,
    exc: Exception,
    what: str = "unreadable value",
) -> Problem:
    uid = str(component.get("UID", "")) or None
    return Problem(document.name, f"event skipped, {what}", uid=uid, detail=_short(exc))


_BROKEN = re.compile(r"Cannot access '\w+' on broken property '([\w-]+)' \(expected '\w+'\): ")


def _short(exc: Exception) -> str:
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    text = text or type(exc).__name__
    text = _BROKEN.sub(r"bad \1 value: ", text)
    return text if len(text) <= 160 else text[:157] + "..."
