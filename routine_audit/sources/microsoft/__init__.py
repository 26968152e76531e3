"""Microsoft 365 / Outlook calendars through Microsoft Graph.

What is read and how (calendarView, series masters, free/busy) in ``reader``, mapped to
``Event`` by ``mapping``; HTTP, limits, retries and errors in ``client``; the calendars
a mailbox holds in ``calendars``; the bearer token from ``auth``'s provider. Imported
only when a Microsoft calendar is used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field

from ...model import CalendarData
from ...period import Period, spanning
from ..base import Source, SourceContext, SourceSettings
from .auth import preload, token_provider
from .calendars import list_calendars
from .client import GraphClient, TokenProvider
from .reader import PAGE_SIZE, PREFER_TEXT, SELECT, Reader

GRAPH_URL = "https://graph.microsoft.com"
ENDPOINT_ENV = "ROUTINE_AUDIT_GRAPH_ENDPOINT"  # national clouds and tests
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class MicrosoftSettings(SourceSettings):
    """A Microsoft 365 calendar entry: ``{type: microsoft, user: rep@company.com}``."""

    user: str | None = Field(
        None, description="the mailbox (address or user id); default: the rep's address"
    )
    calendar: str | None = Field(None, description="a calendar id (default: the main calendar)")
    graph_url: str | None = Field(
        None, description=f"the Graph endpoint (default: ${ENDPOINT_ENV}, else {GRAPH_URL})"
    )
    token_file: str | None = Field(
        None, description="a file holding an access token (default: $ROUTINE_AUDIT_GRAPH_TOKEN)"
    )


class MicrosoftSource(Source):
    """One mailbox's calendar read through Graph's calendarView (free/busy when that is
    all the mailbox shows)."""

    name = "microsoft"
    networked = True
    requires = ("msal", "microsoft")
    Settings = MicrosoftSettings
    tells_created = True
    tells_free_busy = True

    @classmethod
    def open(cls, settings: MicrosoftSettings, context: SourceContext) -> MicrosoftSource:  # type: ignore[override]
        mailbox, url, token_file = _access(settings, context)
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

    @classmethod
    def calendars(  # type: ignore[override]
        cls, settings: MicrosoftSettings, context: SourceContext
    ) -> list[dict[str, Any]]:
        mailbox, url, token_file = _access(settings, context)
        return list_calendars(GraphClient(url, token_provider(token_file, context)), mailbox)

    def __init__(self, client: GraphClient, mailbox: str, calendar: str | None = None) -> None:
        self.client = client
        self.mailbox = mailbox
        self.calendar = calendar
        self.reader = Reader(client, mailbox, calendar)

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        """The period's events: Graph also lists an all-day event whose UTC day touches
        the window although its date lies outside the period (far from UTC); such an
        event alone leaves the period empty, so the days before it are asked for."""
        listed = self.reader.listing(period, zone)
        events = tuple(e for e in listed.events if e.end > period.start and e.start < period.end)
        return listed.data(period, events, listed.problems, self.reader, zone)

    def read_periods(
        self, periods: Sequence[Period], *, zone: ZoneInfo
    ) -> tuple[CalendarData, ...]:
        """One listing over the span of ``periods``, then each period's share (its own
        request for the days before it when it has none); a listing with anything to
        report (a problem, too many events) is made again period by period, as Google's."""
        if len(periods) < 2:
            return super().read_periods(periods, zone=zone)
        listed = self.reader.listing(spanning(periods), zone)
        if listed.too_many or listed.problems:
            return super().read_periods(periods, zone=zone)
        return tuple(
            listed.data(
                p,
                tuple(e for e in listed.events if e.end > p.start and e.start < p.end),
                (),
                self.reader,
                zone,
            )
            for p in periods
        )


def _access(settings: MicrosoftSettings, context: SourceContext) -> tuple[str, str, str | None]:
    """(mailbox, Graph URL, token file) of an entry: the mailbox defaults to the rep."""
    from ...errors import UsageError

    mailbox = settings.user or context.owner
    if not mailbox:
        raise UsageError(  # only outside a team file, whose rep is the default
            "a Microsoft 365 calendar needs the mailbox: `source_option` user=ADDRESS",
            hint="e.g. `source_option` user=rep@company.com",
            names=("source_option",),
        )
    url = settings.graph_url or os.environ.get(ENDPOINT_ENV) or GRAPH_URL
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise UsageError(  # the bearer token would cross the network in the clear
            f"graph_url must be an https:// address, not {parts.scheme or 'none'}://",
            hint=f"e.g. {GRAPH_URL} (http only for a test server on this machine)",
            names=("graph_url",),
        )
    token_file = context.resolve(settings.token_file) if settings.token_file else None
    return mailbox, url, token_file


__all__ = [
    "PAGE_SIZE",
    "PREFER_TEXT",
    "SELECT",
    "MicrosoftSettings",
    "MicrosoftSource",
    "TokenProvider",
]
