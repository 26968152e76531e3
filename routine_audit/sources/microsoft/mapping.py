"""Microsoft Graph event resources (calendarView, UTC times) to the normalized ``Event``.

Table-driven like ``google/mapping.py``. The same week exported from Outlook as .ics
and read through Graph must give the same events, so:

- ``uid`` is the series' iCalendar UID: Graph gives each occurrence an ``iCalUId`` of
  its own, so occurrences and exceptions take their master's (``series_uids``, which
  the reader fills from ``seriesMasterId``), and carry their ``originalStart`` as
  ``recurrence_id``, as RECURRENCE-ID does in an export;
- ``showAs`` reads as Outlook's X-MICROSOFT-CDO-BUSYSTATUS does in the .ics reader:
  ``free`` is transparent, ``oof`` is out of office; ``tentative`` and ``unknown``
  count as busy (confirmed), as the .ics reader counts BUSYSTATUS:TENTATIVE;
  ``workingElsewhere`` is a working-location marker, not a block (opaque, as Outlook
  exports it: TRANSP:OPAQUE with BUSYSTATUS:WORKINGELSEWHERE);
- the rep's own answer is the event's ``responseStatus`` (Graph's ``attendees`` carry
  the organizer's view), set on the attendee whose address is the mailbox's;
- ``categories`` are the event's, as CATEGORIES in an export; the colour is the first
  coloured category's in the mailbox's master list (``categories.py``), when read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

from ...model import Attendee, Event, Response, Status, Visibility
from .categories import first_color
from .global_id import export_uid

UTC = ZoneInfo("UTC")

# the rep's answer (event.responseStatus.response); "none"/"organizer": no answer to give
_RESPONSES = {
    "accepted": Response.ACCEPTED,
    "declined": Response.DECLINED,
    "tentativelyAccepted": Response.TENTATIVE,
    "notResponded": Response.NEEDS_ACTION,
}
# showAs -> (transparent, event_type)
_SHOW_AS = {
    "free": (True, "default"),
    "busy": (False, "default"),
    "tentative": (False, "default"),
    "unknown": (False, "default"),
    "oof": (False, "outOfOffice"),
    "workingElsewhere": (False, "workingLocation"),
}
_SENSITIVITY = {
    "normal": Visibility.DEFAULT,
    "personal": Visibility.DEFAULT,  # Outlook shows personal items' details to delegates
    "private": Visibility.PRIVATE,
    "confidential": Visibility.CONFIDENTIAL,
}
_SERIES_TYPES = ("occurrence", "exception")
_FRACTION = re.compile(r"(\.\d{6})\d+")  # Graph writes 7 fractional digits
_TAGS = re.compile(r"<[^>]+>")


def to_event(
    item: dict[str, Any],
    *,
    zone: ZoneInfo,
    calendar: str,
    source: str,
    mailbox: str = "",
    series_uids: Mapping[str, str] | None = None,
    category_colors: Mapping[str, str] | None = None,
) -> Event:
    """Normalize one event resource; all-day dates are taken in ``zone`` (the rep's);
    ``category_colors``: lower-cased category name -> colour name (the master list)."""
    all_day = bool(item.get("isAllDay"))
    start = _when(item["start"], zone, all_day)
    end = _when(item.get("end") or item["start"], zone, all_day)
    if end < start:
        end = start
    transparent, event_type = _SHOW_AS.get(item.get("showAs", "busy"), (False, "default"))
    series_id = str(item.get("seriesMasterId") or "")
    uid = str(item.get("iCalUId") or item.get("id", ""))
    original = None
    if item.get("type") in _SERIES_TYPES:
        uid = (series_uids or {}).get(series_id, uid)
        if item.get("originalStart"):
            original = _original(item["originalStart"], zone, all_day)
    uid = export_uid(uid)
    organizer = _address(item.get("organizer"))
    me = mailbox.lower()
    answer = _RESPONSES.get((item.get("responseStatus") or {}).get("response", ""))
    categories = _categories(item.get("categories"))
    return Event(
        uid=uid,
        start=start,
        end=end,
        all_day=all_day,
        summary=str(item.get("subject") or ""),
        description=_body(item.get("body")),
        location=str((item.get("location") or {}).get("displayName") or ""),
        calendar=calendar,
        color=first_color(categories, category_colors or {}),
        categories=categories,
        status=Status.CANCELLED if item.get("isCancelled") else Status.CONFIRMED,
        transparent=transparent,
        visibility=_SENSITIVITY.get(item.get("sensitivity", "normal"), Visibility.DEFAULT),
        event_type=event_type,
        organizer=organizer,
        organized_by_self=bool(item.get("isOrganizer")),
        attendees=_attendees(item.get("attendees") or (), me, answer),
        recurrence_id=original,
        created=_created(item),
        source=source,
        source_id=str(item.get("id", "")),
        series_id=series_id,
    )


def _instant(text: str, zone: ZoneInfo = UTC) -> datetime:
    """Graph's ISO text (7 fractional digits, maybe a Z) as an aware datetime; without
    an offset it is in ``zone`` (calendarView's times are UTC without the header)."""
    moment = datetime.fromisoformat(_FRACTION.sub(r"\1", text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _when(value: dict[str, Any], zone: ZoneInfo, all_day: bool) -> datetime:
    """A dateTimeTimeZone: an all-day one is its date, at midnight in ``zone``."""
    text = str(value["dateTime"])
    if all_day:
        return datetime.combine(date.fromisoformat(text[:10]), time(), zone)
    if value.get("timeZone", "UTC") != "UTC":
        raise ValueError(f"expected a UTC time, got timeZone {value.get('timeZone')!r}")
    return _instant(text)


def _original(text: str, zone: ZoneInfo, all_day: bool) -> datetime | date:
    """``originalStart`` (UTC): an all-day series' is its date. Graph writes all-day
    times as midnight UTC of the date, so midnight UTC is that date; any other instant
    (midnight in the event's zone) is its date in the rep's zone."""
    moment = _instant(text)
    if not all_day:
        return moment
    utc = moment.astimezone(UTC)
    return utc.date() if utc.time() == time() else moment.astimezone(zone).date()


def _created(item: dict[str, Any]) -> datetime | None:
    try:
        return _instant(item["createdDateTime"]) if item.get("createdDateTime") else None
    except (TypeError, ValueError):
        return None


def _categories(value: Any) -> tuple[str, ...]:
    """The event's category names, in Graph's order, each once."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _body(body: Any) -> str:
    """Plain text of the body (the reader asks for text; HTML is stripped if sent)."""
    if not isinstance(body, dict):
        return ""
    content = str(body.get("content") or "")
    if body.get("contentType") == "html":
        content = unescape(_TAGS.sub(" ", content))
    return content.strip()


def _address(value: Any) -> str:
    return str(((value or {}).get("emailAddress") or {}).get("address") or "").lower()


def _attendees(values: Any, me: str, answer: Response | None) -> tuple[Attendee, ...]:
    """The attendees; the rep's answer rides on the mailbox's entry, added when Graph
    lists none (invited through a group, or the mailbox named by its user id): a
    declined meeting must not count. The added entry comes first: the first answer of
    the rep's wins, and a listed entry with the rep's address (under another name of
    the mailbox) carries the organizer's view, perhaps out of date."""
    people = tuple(_attendee(a, me, answer) for a in values if isinstance(a, dict))
    if answer is not None and me and not any(p.is_self for p in people):
        people = (Attendee(email=me, response=answer, is_self=True), *people)
    return people


def _attendee(value: dict[str, Any], me: str, answer: Response | None) -> Attendee:
    email = _address(value)
    mine = bool(me) and email == me
    response = answer if mine else _RESPONSES.get((value.get("status") or {}).get("response", ""))
    return Attendee(
        email=email,
        response=response,
        is_self=mine,
        is_resource=value.get("type") == "resource",
    )
