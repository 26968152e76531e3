"""Google Calendar API v3 Event resources to the normalized ``Event`` record.

The same calendar exported as .ics and read through the API must give the
same events: ``uid`` is the iCalendar UID (``iCalUID``) and recurring
instances carry their original start as ``recurrence_id``, as RECURRENCE-ID
does in an export.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ...model import Attendee, Event, Response, Status, Visibility
from ...timezones import resolve_zone

UTC = ZoneInfo("UTC")
EVENT_KIND = "calendar#event"

_RESPONSES = {
    "accepted": Response.ACCEPTED,
    "declined": Response.DECLINED,
    "tentative": Response.TENTATIVE,
    "needsAction": Response.NEEDS_ACTION,
}
_STATUS = {"tentative": Status.TENTATIVE, "cancelled": Status.CANCELLED}
_VISIBILITY = {
    "private": Visibility.PRIVATE,
    "confidential": Visibility.CONFIDENTIAL,
    "public": Visibility.PUBLIC,
}


class NotAnEventError(ValueError):
    """The item is not a calendar event (e.g. a Google Tasks item)."""


def to_event(item: dict[str, Any], *, zone: ZoneInfo, calendar: str, source: str) -> Event:
    """Normalize one Event resource; all-day dates are taken in ``zone`` (the rep's)."""
    kind = item.get("kind", EVENT_KIND)
    if kind != EVENT_KIND or "start" not in item:
        raise NotAnEventError(f"not a calendar event (kind {kind!r})")
    start, all_day = _when(item["start"], zone)
    end, _ = _when(item.get("end") or item["start"], zone)
    if end < start:
        end = start
    original = item.get("originalStartTime")
    return Event(
        uid=item.get("iCalUID") or item.get("id", ""),
        start=start,
        end=end,
        all_day=all_day,
        summary=item.get("summary", ""),
        description=item.get("description", ""),
        location=item.get("location", ""),
        calendar=calendar,
        color=str(item.get("colorId", "")),
        status=_STATUS.get(item.get("status", ""), Status.CONFIRMED),
        transparent=item.get("transparency") == "transparent",
        visibility=_VISIBILITY.get(item.get("visibility", ""), Visibility.DEFAULT),
        event_type=item.get("eventType", "default"),
        organizer=(item.get("organizer") or {}).get("email", "").lower(),
        organized_by_self=bool((item.get("organizer") or {}).get("self")),
        attendees=tuple(_attendee(a) for a in item.get("attendees", ())),
        recurrence_id=_original(original) if original else None,
        created=_created(item),
        source=source,
        source_id=str(item.get("id", "")),
        series_id=str(item.get("recurringEventId", "")),
    )


def _when(value: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, bool]:
    """A start or end: ``date`` (all-day, midnight in ``zone``) or ``dateTime``."""
    if "dateTime" in value:
        named = resolve_zone(value["timeZone"]) if value.get("timeZone") else None
        moment = datetime.fromisoformat(value["dateTime"])
        if moment.tzinfo is None:  # allowed when timeZone is given: local time there
            moment = moment.replace(tzinfo=named or zone)
        return moment.astimezone(named or UTC), False
    if "date" in value:
        return datetime.combine(date.fromisoformat(value["date"]), time(), zone), True
    raise ValueError("the event has neither date nor dateTime")


def _original(value: dict[str, Any]) -> datetime | date:
    if "dateTime" in value:
        return _instant(value["dateTime"])
    return date.fromisoformat(value["date"])


def _instant(text: str) -> datetime:
    """RFC 3339 to an aware datetime (Google always gives an offset or Z)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created(item: dict[str, Any]) -> datetime | None:
    """When the event was created; None when unknown or unreadable (it decides no time)."""
    try:
        return _instant(item["created"]) if item.get("created") else None
    except (TypeError, ValueError):  # a year-0 value, as Google's exports write for some
        return None


def _attendee(value: dict[str, Any]) -> Attendee:
    return Attendee(
        email=value.get("email", "").lower(),
        response=_RESPONSES.get(value.get("responseStatus", "")),
        is_self=bool(value.get("self")),
        is_resource=bool(value.get("resource")),
    )
