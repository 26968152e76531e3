"""Turn one expanded VEVENT occurrence into the normalized ``Event`` record."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Component

from ..model import Attendee, Event, Response, Status, Visibility

UTC = ZoneInfo("UTC")

_PARTSTAT = {
    "ACCEPTED": Response.ACCEPTED,
    "DECLINED": Response.DECLINED,
    "TENTATIVE": Response.TENTATIVE,
    "NEEDS-ACTION": Response.NEEDS_ACTION,
    "DELEGATED": Response.DELEGATED,
}
_STATUS = {"TENTATIVE": Status.TENTATIVE, "CANCELLED": Status.CANCELLED}
# Outlook's X-MICROSOFT-CDO-BUSYSTATUS -> (transparent, event_type), as mapping.py reads
# Graph's showAs (BUSY and TENTATIVE: TRANSP decides, busy in an Outlook export)
_BUSY_STATUS = {
    "FREE": (True, "default"),
    "OOF": (False, "outOfOffice"),
    "WORKINGELSEWHERE": (False, "workingLocation"),  # a location marker, not a block
}
_NOT_SHOWN_AS = (False, "default")
_CLASS = {
    "PRIVATE": Visibility.PRIVATE,
    "CONFIDENTIAL": Visibility.CONFIDENTIAL,
    "PUBLIC": Visibility.PUBLIC,
}


def check_event(component: Component) -> None:
    """Read every time property once, so a broken value raises here, not mid-audit.

    Properties that do not decide time (CREATED among them) are not checked: the
    reader sets their unreadable values aside before this check.
    """
    if "DTSTART" not in component:
        raise ValueError("the event has no DTSTART")
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
        if name in component:
            _ = component[name].dt  # a broken value raises here (decoded() would not)
    for name in ("EXDATE", "RDATE"):
        values = component.get(name)
        for value in values if isinstance(values, list) else [values] if values else []:
            _ = value.dts
    for rule in _as_list(component.get("RRULE")):
        frequency = str(dict(rule).get("FREQ", [""])[0]).upper()
        if frequency in ("SECONDLY", "MINUTELY"):
            raise ValueError(f"RRULE FREQ={frequency} repeats too often to be a calendar block")
    start = component["DTSTART"].dt
    if "DTEND" in component:
        end = component["DTEND"].dt
        if isinstance(start, datetime) != isinstance(end, datetime):
            raise ValueError("DTSTART and DTEND are of different types (a date and a date-time)")
        if _comparable(end) < _comparable(start):
            raise ValueError("DTEND is before DTSTART")
    if "DURATION" in component and component["DURATION"].dt < timedelta(0):
        raise ValueError("DURATION is negative")


def to_event(
    component: Component,
    *,
    zone: ZoneInfo,
    calendar: str,
    source: str,
    inherited_class: str = "",
    in_series: bool = True,
) -> Event:
    """Normalize an occurrence: aware start/end, all-day flag, who answered what.

    ``inherited_class`` is the series' CLASS, used when a moved instance has none
    (safer for privacy than RFC 5545's reading, where an override stands alone).
    """
    raw_start = component.decoded("DTSTART")
    all_day = not isinstance(raw_start, datetime)
    start = _aware(raw_start, zone)
    end = _aware(_raw_end(component, raw_start), zone)
    if end < start:
        end = start
    busy_status = str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper()
    free, event_type = _BUSY_STATUS.get(busy_status, _NOT_SHOWN_AS)
    transparent = free or str(component.get("TRANSP", "")).upper() == "TRANSPARENT"
    created = _created(component)
    recurrence_id = (
        component.decoded("RECURRENCE-ID") if in_series and "RECURRENCE-ID" in component else None
    )
    return Event(
        uid=str(component.get("UID", "")) or _synthetic_uid(component, start),
        start=start,
        end=end,
        all_day=all_day,
        summary=_text(component, "SUMMARY"),
        description=_text(component, "DESCRIPTION"),
        location=_text(component, "LOCATION"),
        calendar=calendar,
        color=_text(component, "COLOR"),
        categories=_categories(component.get("CATEGORIES")),
        status=_STATUS.get(str(component.get("STATUS", "")).upper(), Status.CONFIRMED),
        transparent=transparent,
        visibility=_CLASS.get(
            str(component.get("CLASS", inherited_class)).upper(), Visibility.DEFAULT
        ),
        event_type=event_type,
        organizer=_address(component.get("ORGANIZER")),
        attendees=tuple(_attendee(a) for a in _as_list(component.get("ATTENDEE"))),
        recurrence_id=_plain_instant(recurrence_id, zone),
        created=_aware(created, UTC) if isinstance(created, datetime) else None,
        source=source,
    )


def _created(component: Component) -> date | None:
    """CREATED, or None when it is missing or unreadable: the creation time is unknown."""
    try:
        return component.decoded("CREATED") if "CREATED" in component else None
    except Exception:  # noqa: BLE001  (a value the reader did not set aside)
        return None


def _comparable(value: date) -> datetime:
    """Dates and naive or aware date-times on one axis, for an order check only."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _raw_end(component: Component, start: date) -> date:
    if "DTEND" in component:
        end = component.decoded("DTEND")
        # an end of the other type (a date for a date-time start) is a file error; be lenient
        if isinstance(start, datetime) == isinstance(end, datetime):
            return end
    if "DURATION" in component:
        return start + component.decoded("DURATION")
    # RFC 5545 3.6.1: no end means one day for a date, zero length for a date-time
    return start if isinstance(start, datetime) else start + timedelta(days=1)


def _aware(value: date, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)  # floating time: the rep's zone
    if isinstance(value.tzinfo, ZoneInfo):
        return value
    return value.astimezone(UTC)  # custom VTIMEZONE or fixed offset: keep the instant


def _plain_instant(value: Any, zone: tzinfo) -> datetime | date | None:
    if value is None or not isinstance(value, date):
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _attendee(value: Any) -> Attendee:
    params = getattr(value, "params", {})
    cutype = str(params.get("CUTYPE", "")).upper()
    return Attendee(
        email=_address(value),
        response=_PARTSTAT.get(str(params.get("PARTSTAT", "")).upper()),
        is_resource=cutype in ("RESOURCE", "ROOM"),
    )


def _address(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def _text(component: Component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _categories(value: Any) -> tuple[str, ...]:
    """Every name of every CATEGORIES property (each a comma list), in file order, once."""
    if value is None:
        return ()
    names: dict[str, None] = {}
    for prop in _as_list(value):
        for name in getattr(prop, "cats", None) or [prop]:
            text = _UNESCAPE.sub(r"\1", str(name)).strip()
            if text:
                names[text] = None
    return tuple(names)


_UNESCAPE = re.compile(r"\\([\\,;])")  # icalendar leaves "\," in a category name


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _synthetic_uid(component: Component, start: datetime) -> str:
    return f"no-uid:{_text(component, 'SUMMARY')}:{int(start.timestamp())}"
