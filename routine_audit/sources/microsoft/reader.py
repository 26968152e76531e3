"""What one mailbox's calendar holds for a period, in the fewest requests to Graph.

- calendarView over the period in UTC (series come expanded), every page;
- the iCalUId of each series met: read off an occurrence's own when it is Exchange's
  global object id (the series' is the same with the occurrence's date zeroed), else
  asked in ``$batch`` requests of 20, side by side (the client allows ``PER_MAILBOX``
  at once); each series once per source;
- when calendarView is denied (403) but free/busy is visible: getSchedule, and the
  data says it is busy/free blocks only;
- for a period without events: one more request for the ``STALE_DAYS`` before it
  (its first page), telling a quiet week from a calendar that stopped updating.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from threading import Lock
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from ...coverage import STALE_DAYS, Extent, stale_line
from ...errors import SourceError
from ...model import CalendarData, Event, Problem
from ...period import Period
from ..limits import MAX_OCCURRENCES, TOO_MANY, TOO_MANY_SEARCHED
from .categories import category_colors
from .client import PER_MAILBOX, AccessDeniedError, GraphClient
from .global_id import series_uid
from .mapping import to_event

PAGE_SIZE = 500  # $top: the default page is 10 events
# only what the audit uses (originalStart: an occurrence's RECURRENCE-ID)
SELECT = (
    "subject,body,location,start,end,isAllDay,showAs,isCancelled,sensitivity,categories,"
    "responseStatus,attendees,organizer,isOrganizer,type,seriesMasterId,iCalUId,"
    "createdDateTime,lastModifiedDateTime,originalStartTimeZone,originalStart"
)
PREFER_TEXT = {"Prefer": 'outlook.body-content-type="text"'}
MAX_PAGES = 500  # a listing of MAX_OCCURRENCES takes 100 pages: more is a server looping
BATCH = 20  # requests in one $batch: Graph's maximum
SCHEDULE_DAYS = 62  # getSchedule's longest span; longer periods are asked in parts
SCHEDULE_INTERVAL = 1440  # minutes per availabilityView letter: unused, so the shortest
# getSchedule's status -> the showAs the event mapping reads (same meaning)
FREE_BUSY_STATUS = ("free", "busy", "tentative", "oof", "workingElsewhere", "unknown")


@dataclass(frozen=True)
class Listed:
    """What one listing gave: events, problems, and whether only busy/free was visible."""

    events: tuple[Event, ...]
    problems: tuple[Problem, ...] = ()
    free_busy: bool = False
    too_many: bool = False

    def data(
        self,
        period: Period,
        events: tuple[Event, ...],
        problems: tuple[Problem, ...],
        reader: Reader,
        zone: ZoneInfo,
    ) -> CalendarData:
        """``period``'s data of ``events``; with none, what lies before it (coverage)."""
        if self.too_many:
            extent = Extent(True, searched=TOO_MANY_SEARCHED)
            return CalendarData((), problems, (reader.name,), extent=extent)
        extent = None if events else reader.extent(period, zone, free_busy=self.free_busy)
        return CalendarData(
            events, problems, (reader.name,), extent=extent, free_busy=self.free_busy
        )


class Reader:
    """Reads one mailbox (or one of its calendars) through ``client``."""

    def __init__(self, client: GraphClient, mailbox: str, calendar: str | None = None) -> None:
        self.client = client
        self.mailbox = mailbox
        self.calendar = calendar
        self._series: dict[str, str] = {}  # seriesMasterId -> the series' iCalUId
        self._category_colors: dict[str, str] | None = None  # read once, when first needed
        self._lock = Lock()
        self.name = f"microsoft:{mailbox}" + (f"/{calendar}" if calendar else "")
        self.user = f"/users/{quote(mailbox, safe='@')}"
        self.what = f"calendar of {mailbox}"

    def listing(self, period: Period, zone: ZoneInfo) -> Listed:
        """Every event of ``period``: calendarView, else (denied) free/busy blocks."""
        try:
            items = self._view(period.start, period.end)
        except AccessDeniedError as denied:
            if self.calendar:  # getSchedule tells only the main calendar
                raise
            blocks = self._schedule(period.start, period.end, denied)
            if blocks is None:
                return Listed((), (Problem(self.name, TOO_MANY),), free_busy=True, too_many=True)
            events, problems = self._blocks(blocks, zone)
            return Listed(events, problems, free_busy=True)
        if items is None:
            return Listed((), (Problem(self.name, TOO_MANY),), too_many=True)
        self._masters(items)
        colors = self._colors(items)
        events: list[Event] = []
        problems: list[Problem] = []
        for item in items:
            try:
                events.append(self._event(item, zone, colors))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problems.append(_skipped(self.name, item, exc))
        return Listed(tuple(events), tuple(problems))

    def extent(self, period: Period, zone: ZoneInfo, *, free_busy: bool) -> Extent:
        """An empty period: one more request, for the ``STALE_DAYS`` before it (its first
        page), tells a quiet week from a calendar that stopped updating."""
        line = datetime.combine(stale_line(period.first), datetime.min.time(), period.tz)
        if free_busy:
            found = self._schedule(line, period.start, None) or []
            ends = [e.end for e in self._blocks(found, zone)[0]]
        else:
            page = self._page(self._view_url(line, period.start))
            value = page.get("value")
            ends = []
            for item in value if isinstance(value, list) else ():
                try:
                    ends.append(self._event(item, zone).end)
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue
        return Extent(
            bool(ends),
            last_end=max(ends) if ends else None,
            searched=f"the {STALE_DAYS} days before the period; older events were not looked for",
        )

    # --- calendarView --------------------------------------------------------------------

    def _view_url(self, start: datetime, end: datetime) -> str:
        where = f"/calendars/{quote(self.calendar, safe='')}" if self.calendar else ""
        return self.client.url(
            f"/v1.0{self.user}{where}/calendarView",
            {
                "startDateTime": _utc(start),
                "endDateTime": _utc(end),
                "$select": SELECT,
                "$top": str(PAGE_SIZE),
            },
        )

    def _page(self, url: str) -> dict[str, Any]:
        return self.client.get(url, what=self.what, mailbox=self.mailbox, headers=PREFER_TEXT)

    def _view(self, start: datetime, end: datetime) -> list[dict[str, Any]] | None:
        """Every item calendarView lists, page by page; None: too many."""
        url: Any = self._view_url(start, end)
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if not url:
                return items
            page = self._page(str(url))
            value = page.get("value", ())
            items += [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
            if len(items) > MAX_OCCURRENCES:
                return None
            url = page.get("@odata.nextLink")
            if url is not None and not isinstance(url, str):
                url = None
        if not url:
            return items
        raise SourceError(
            f"Microsoft Graph kept sending next pages for the {self.what}; stopped after "
            f"{MAX_PAGES}",
            hint="try again later; check graph_url",
        )

    def _event(
        self, item: dict[str, Any], zone: ZoneInfo, colors: Mapping[str, str] | None = None
    ) -> Event:
        return to_event(
            item,
            zone=zone,
            calendar=self.calendar or self.mailbox,
            source=self.name,
            mailbox=self.mailbox,
            series_uids=self._series,
            category_colors=colors,
        )

    def _colors(self, items: list[dict[str, Any]]) -> dict[str, str]:
        """The mailbox's category colours: asked once, and only once an item has categories."""
        if self._category_colors is None:
            if not any(item.get("categories") for item in items):
                return {}  # not asked: no request for a mailbox that tags nothing
            self._category_colors = category_colors(self.client, f"/v1.0{self.user}", self.mailbox)
        return self._category_colors

    # --- series masters ------------------------------------------------------------------

    def _masters(self, items: list[dict[str, Any]]) -> None:
        """The iCalUId of each series met and not yet known: ``$batch`` requests of
        ``BATCH``, at most ``PER_MAILBOX`` at once."""
        wanted: dict[str, None] = {}
        with self._lock:
            for item in items:
                master = str(item.get("seriesMasterId") or "")
                if not master or master in self._series:
                    continue
                series = series_uid(item.get("iCalUId"))
                if series:
                    self._series[master] = series
                else:
                    wanted[master] = None
        if not wanted:
            return
        ids = list(wanted)
        groups = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        if len(groups) == 1:
            found = [self._batch(groups[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(PER_MAILBOX, len(groups))) as pool:
                found = list(pool.map(self._batch, groups))
        with self._lock:
            for uids in found:
                self._series.update(uids)

    def _batch(self, masters: list[str]) -> dict[str, str]:
        """One ``$batch`` asking each master's iCalUId; one not answered keeps its
        occurrences' own (a retried batch member is asked once more, in a batch of its own)."""
        requests = [
            {
                "id": str(n),
                "method": "GET",
                "url": f"{self.user}/events/{quote(m, safe='')}?$select=iCalUId",
            }
            for n, m in enumerate(masters)
        ]
        url = self.client.url("/v1.0/$batch")
        answer = self.client.post(url, {"requests": requests}, what=self.what, mailbox=self.mailbox)
        uids: dict[str, str] = {}
        throttled: list[str] = []
        responses = answer.get("responses")
        for response in responses if isinstance(responses, list) else ():
            given = response.get("id") if isinstance(response, dict) else None
            if not isinstance(given, str) or not given.isascii() or not given.isdigit():
                continue  # only the ids asked ("0".."19"); "²" is a digit int() refuses
            n = int(given)
            if not 0 <= n < len(masters):
                continue
            body = response.get("body")
            status = response.get("status")
            if status == 200 and isinstance(body, dict) and isinstance(body.get("iCalUId"), str):
                uids[masters[n]] = body["iCalUId"]
            elif status in (429, 503, 504):
                throttled.append(masters[n])
            elif status in (401, 403):
                self.client.fail(int(status), body, self.what)
        if throttled and len(throttled) < len(masters):  # progress was made: ask once more
            uids |= self._batch(throttled)
        return uids

    # --- free/busy -----------------------------------------------------------------------

    def _schedule(
        self, start: datetime, end: datetime, denied: AccessDeniedError | None
    ) -> list[dict[str, Any]] | None:
        """The mailbox's free/busy items from getSchedule, in parts of ``SCHEDULE_DAYS``;
        None: too many. Denied too: ``denied`` (calendarView's 403) is raised."""
        url = self.client.url(f"/v1.0{self.user}/calendar/getSchedule")
        items: list[dict[str, Any]] = []
        part = start
        while part < end:
            stop = min(part + timedelta(days=SCHEDULE_DAYS), end)
            body = {
                "schedules": [self.mailbox],
                "startTime": {"dateTime": _utc(part)[:-1], "timeZone": "UTC"},
                "endTime": {"dateTime": _utc(stop)[:-1], "timeZone": "UTC"},
                "availabilityViewInterval": SCHEDULE_INTERVAL,
            }
            try:
                answer = self.client.post(url, body, what=self.what, mailbox=self.mailbox)
            except AccessDeniedError:
                if denied is None:
                    raise
                raise denied from None
            schedule = _own_schedule(answer, self.mailbox)
            if schedule is None:  # the mailbox's free/busy is not visible either
                if denied is None:
                    self.client.fail(403, None, self.what)
                raise denied
            items += schedule
            if len(items) > MAX_OCCURRENCES:
                return None
            part = stop
        return items

    def _blocks(
        self, items: list[dict[str, Any]], zone: ZoneInfo
    ) -> tuple[tuple[Event, ...], tuple[Problem, ...]]:
        """Free/busy items as events without content: they classify as ``other``.
        Only the times and the status are read (never the subject or location some
        mailboxes show); a block with unreadable times is a problem naming its status."""
        events: list[Event] = []
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        for item in items:
            status = item.get("status")
            start, end = item.get("start"), item.get("end")
            if not isinstance(start, dict) or not isinstance(end, dict):
                start, end = {}, {}
            uid = f"free-busy:{start.get('dateTime')}/{end.get('dateTime')}/{status}"
            seen[uid] = seen.get(uid, 0) + 1  # two alike blocks: two events, two keys
            block = {
                "id": "",
                "iCalUId": uid if seen[uid] == 1 else f"{uid}/{seen[uid]}",
                "start": start,
                "end": end,
                "isAllDay": False,
                "showAs": status if status in FREE_BUSY_STATUS else "unknown",
                "sensitivity": "normal",
                "type": "singleInstance",
            }
            try:
                events.append(
                    to_event(block, zone=zone, calendar=self.mailbox, source=self.name, mailbox="")
                )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problems.append(
                    Problem(
                        self.name,
                        "busy/free block skipped, unreadable value",
                        detail=f"{str(status)[:20]}: {str(exc)[:80]}",
                        event=True,
                    )
                )
        return tuple(events), tuple(problems)


def _own_schedule(answer: dict[str, Any], mailbox: str) -> list[dict[str, Any]] | None:
    """The ``scheduleItems`` of the mailbox's entry; None when it is an error."""
    value = answer.get("value")
    for entry in value if isinstance(value, list) else ():
        if not isinstance(entry, dict) or "error" in entry:
            continue
        if str(entry.get("scheduleId", "")).lower() != mailbox.lower():
            continue
        items = entry.get("scheduleItems")
        if isinstance(items, list):
            return [i for i in items if isinstance(i, dict)]
    return None


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _skipped(source: str, item: dict[str, Any], exc: Exception) -> Problem:
    """A skipped event: its title only travels as the owner-only ``title``."""
    start = item.get("start")
    text = start.get("dateTime", "") if isinstance(start, dict) else ""
    try:
        day: date | None = date.fromisoformat(str(text)[:10])
    except ValueError:
        day = None
    return Problem(
        source,
        "event skipped, unreadable value",
        uid=item.get("id"),
        detail=str(exc),
        title=str(item.get("subject") or ""),
        start=day,
        private=item.get("sensitivity") in ("private", "confidential"),
        event=True,
    )
