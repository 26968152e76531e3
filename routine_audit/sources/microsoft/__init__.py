"""Microsoft 365 / Outlook calendars through Microsoft Graph .

calendarView for the period in UTC (series come expanded), every page, mapped to
``Event`` by ``mapping``; HTTP, retries and errors in ``client``; the bearer token
from ``auth``'s provider. Imported only when a Graph calendar is used.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pydantic import Field

from ...model import CalendarData, Event, Problem
from ...period import Period
from ..base import Source, SourceContext, SourceSettings
from ..limits import MAX_OCCURRENCES, TOO_MANY
from .auth import preload, token_provider
from .categories import category_colors
from .client import GraphClient, TokenProvider
from .mapping import to_event

GRAPH_URL = "https://graph.microsoft.com"
ENDPOINT_ENV = "ROUTINE_AUDIT_GRAPH_ENDPOINT"  # national clouds and tests
PAGE_SIZE = 500  # $top: the default page is 10 events
# only what the audit uses (originalStart: an occurrence's RECURRENCE-ID)
SELECT = (
    "subject,body,location,start,end,isAllDay,showAs,isCancelled,sensitivity,categories,"
    "responseStatus,attendees,organizer,isOrganizer,type,seriesMasterId,iCalUId,"
    "createdDateTime,lastModifiedDateTime,originalStartTimeZone,originalStart"
)
PREFER_TEXT = {"Prefer": 'outlook.body-content-type="text"'}


class MicrosoftSettings(SourceSettings):
    """A Microsoft 365 calendar entry: ``{type: microsoft, user: rep@company.com}``."""

    user: str | None = Field(
        None, description="the mailbox (address or user id); default: the rep's address"
    )
    calendar: str | None = Field(None, description="a calendar id (default: the main calendar)")
    graph_url: str | None = Field(
        None, description=f"the Graph endpoint (default: ${ENDPOINT_ENV}, else {GRAPH_URL})"
    )
    tenant: str | None = Field(None, description="the Entra tenant (id or domain)")
    token_file: str | None = Field(
        None, description="a file holding an access token (default: $ROUTINE_AUDIT_GRAPH_TOKEN)"
    )


class MicrosoftSource(Source):
    """One mailbox's calendar read through Graph's calendarView."""

    name = "microsoft"
    networked = True
    Settings = MicrosoftSettings
    tells_created = True

    @classmethod
    def open(cls, settings: MicrosoftSettings, context: SourceContext) -> MicrosoftSource:  # type: ignore[override]
        from ...errors import UsageError

        mailbox = settings.user or context.owner
        if not mailbox:
            raise UsageError("a Microsoft 365 calendar needs `user`", names=("user",))
        url = settings.graph_url or os.environ.get(ENDPOINT_ENV) or GRAPH_URL
        token_file = context.resolve(settings.token_file) if settings.token_file else None
        return cls(
            GraphClient(url, token_provider(token_file, context)), mailbox, settings.calendar
        )

    @classmethod
    def preload(cls, settings: MicrosoftSettings, context: SourceContext) -> None:  # type: ignore[override]
        preload(context.resolve(settings.token_file) if settings.token_file else None, context)

    @classmethod
    def inventory(  # type: ignore[override]
        cls, settings: MicrosoftSettings, context: SourceContext
    ) -> list[tuple[str, bool | None]]:
        return [("Microsoft 365 calendar", None)]

    def __init__(self, client: GraphClient, mailbox: str, calendar: str | None = None) -> None:
        self.client = client
        self.mailbox = mailbox
        self.calendar = calendar
        self._series: dict[str, str] = {}  # seriesMasterId -> the series' iCalUId

    @property
    def _name(self) -> str:
        return f"microsoft:{self.mailbox}" + (f"/{self.calendar}" if self.calendar else "")

    @property
    def _user(self) -> str:
        return f"/v1.0/users/{quote(self.mailbox, safe='@')}"

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        items = self._view(period)
        if items is None:
            return CalendarData((), (Problem(self._name, TOO_MANY),), (self._name,))
        self._masters(items)
        events: list[Event] = []
        problems: list[Problem] = []
        calendar = self.calendar or self.mailbox
        colors = category_colors(self.client, self._user, items)  # {} when none or denied
        for item in items:
            try:
                events.append(
                    to_event(
                        item,
                        zone=zone,
                        calendar=calendar,
                        source=self._name,
                        mailbox=self.mailbox,
                        series_uids=self._series,
                        category_colors=colors,
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problems.append(_skipped(self._name, item, exc))
        return CalendarData(tuple(events), tuple(problems), (self._name,))

    def _view(self, period: Period) -> list[dict[str, Any]] | None:
        """Every event calendarView lists for ``period``, page by page; None: too many."""
        where = f"/calendars/{quote(self.calendar, safe='')}" if self.calendar else ""
        url: str | None = self.client.url(
            f"{self._user}{where}/calendarView",
            {
                "startDateTime": _utc(period.start),
                "endDateTime": _utc(period.end),
                "$select": SELECT,
                "$top": str(PAGE_SIZE),
            },
        )
        items: list[dict[str, Any]] = []
        while url:
            page = self.client.get(url, what=f"calendar of {self.mailbox}", headers=PREFER_TEXT)
            items += [i for i in page.get("value", ()) if isinstance(i, dict)]
            if len(items) > MAX_OCCURRENCES:
                return None
            url = page.get("@odata.nextLink")
        return items

    def _masters(self, items: list[dict[str, Any]]) -> None:
        """The iCalUId of each series met (one request per series, once per source)."""
        for item in items:
            master = item.get("seriesMasterId")
            if master and master not in self._series:
                url = self.client.url(
                    f"{self._user}/events/{quote(str(master), safe='')}", {"$select": "iCalUId"}
                )
                found = self.client.get(url, what=f"calendar of {self.mailbox}")
                self._series[master] = str(found.get("iCalUId") or "")


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


__all__ = ["MicrosoftSettings", "MicrosoftSource", "TokenProvider"]
