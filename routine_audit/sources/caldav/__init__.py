"""CalDAV source (RFC 4791): iCloud, Fastmail, Nextcloud or any CalDAV server.

The server is asked for the objects that meet the period (one time-range REPORT, no
expansion on the server: servers expand recurrences each their own way); their
iCalendar text is then read by the .ics source's own code, so a calendar read over
CalDAV counts exactly as the same calendar exported to a file: RRULE, EXDATE, moved
instances, VTIMEZONE, X-WR-TIMEZONE, all-day events, CLASS, the limits, and the
re-filtering to the period (a server may send more).

The ``caldav`` package is an extra (``routine-audit[caldav]``), imported only when a
CalDAV calendar is opened (``client.import_caldav``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from ...coverage import STALE_DAYS, stale_line
from ...errors import Location, SourceError
from ...model import CalendarData
from ...period import Period, spanning
from ..base import Source, SourceContext, SourceSettings
from ..feed import feed_timeout
from ..limits import MAX_BYTES, TOO_MANY_SEARCHED
from .account import Account
from .client import Listed, ca_bundle, fetch, import_caldav, list_calendars
from .password import find_password

# what the server is asked for around a period: the .ics read's own window (2 days'
# pad, and the day its expansion adds), so every event it would expand is at hand
FETCH_PAD = timedelta(days=3)
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})  # plain http stays on this machine
_PASSWORD_REFUSED = (
    "a password never goes in a team file or an option: name the environment variable "
    "that holds it with password_env (or keep it in the OS keyring, see docs/caldav.md)"
)


class CalDavSettings(SourceSettings):
    """A CalDAV calendar entry: ``{type: caldav, url: https://..., calendar: NAME,
    username: ..., password_env: VAR}``."""

    entry_requires = ("calendar",)  # `calendars --source caldav` lists them without one
    url: str = Field(description="the server's CalDAV address, e.g. https://caldav.icloud.com")
    calendar: str | None = Field(
        None, description="the calendar's display name, or its path on the server"
    )
    username: str | None = Field(None, description="the account to sign in as")
    password_env: str | None = Field(
        None,
        description="the environment variable holding the (app) password; else the OS keyring",
    )
    shared_home: str | None = Field(
        None,
        description="another user's calendar collection to look in too (servers that share "
        "by access rights, e.g. /rep/ on Radicale)",
    )
    ca_bundle: str | None = Field(
        None, description="a CA certificate file to trust (a company CA), e.g. company-ca.pem"
    )

    # declared only to refuse it, located by field: a team file is shared and logged
    password: None = Field(None, description="never here: see password_env", repr=False)

    @field_validator("password", mode="before")
    @classmethod
    def _no_password(cls, value: Any) -> None:
        raise ValueError(_PASSWORD_REFUSED)


class CalDavSource(Source):
    """One calendar of a CalDAV account, read period by period."""

    name = "caldav"
    networked = True
    requires = ("caldav", "caldav")
    Settings = CalDavSettings
    tells_created = True

    @classmethod
    def open(cls, settings: CalDavSettings, context: SourceContext) -> CalDavSource:  # type: ignore[override]
        import_caldav()  # without the extra: its one-line error, before anything else
        return cls(_account(settings, context), settings.calendar, settings.shared_home)

    @classmethod
    def local_files(cls, settings: CalDavSettings) -> list[tuple[str, str, str]]:  # type: ignore[override]
        bundle = settings.ca_bundle
        return [] if bundle is None else [("ca_bundle", bundle, "the CA certificate file")]

    @classmethod
    def missing_variables(cls, settings: CalDavSettings) -> list[str]:  # type: ignore[override]
        name = settings.password_env
        if not name or os.environ.get(name):
            return []
        return [
            f"calendar.password_env: the environment variable {name} is not set here; set it "
            "where the run starts (the crontab line or the unit file), unless the OS keyring "
            "holds the password"
        ]

    @classmethod
    def inventory(  # type: ignore[override]
        cls, settings: CalDavSettings, context: SourceContext
    ) -> list[tuple[str, bool | None]]:
        return [("CalDAV calendar", None)]

    @classmethod
    def calendars(  # type: ignore[override]
        cls, settings: CalDavSettings, context: SourceContext
    ) -> list[dict[str, Any]]:
        import_caldav()
        found = list_calendars(_account(settings, context), settings.shared_home)
        return [_row(listed) for listed in found]

    @classmethod
    def no_calendars(cls, settings: CalDavSettings) -> str:  # type: ignore[override]
        who = settings.username or "the account"
        if settings.shared_home:
            return (
                f"{who} can read no calendar, in its own list or in shared_home "
                f"{settings.shared_home!r}: check that path (see docs/caldav.md)"
            )
        return (
            f"{who}'s own calendar list is empty: on a server that shares calendars by "
            "access rights (Radicale, some company servers), set shared_home to the owner's "
            "collection, e.g. /dana/ (see docs/caldav.md)"
        )

    def __init__(self, account: Account, calendar: str | None, shared_home: str | None = None):
        self.account = account
        self.calendar = calendar
        self.shared_home = shared_home

    def __repr__(self) -> str:
        return f"CalDavSource({self.account.host!r}, {self.calendar!r})"

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        return self.read_periods([period], zone=zone)[0]

    def read_periods(
        self, periods: Sequence[Period], *, zone: ZoneInfo
    ) -> tuple[CalendarData, ...]:
        """One REPORT over the span of ``periods``; each period read from it as the .ics
        source reads a file (its own share, or the file again period by period)."""
        span = spanning(periods)
        reader = self._reader(span.start - FETCH_PAD, span.end + FETCH_PAD)
        found = reader.read_periods(periods, zone=zone)
        return tuple(
            self._quiet(period, data, zone) if _quiet_period(data) else data
            for period, data in zip(periods, found, strict=True)
        )

    def _reader(self, start: datetime, end: datetime) -> Any:
        """An .ics source over what the server holds from ``start`` to ``end``."""
        from ..ics import Document, IcsSource

        calendar = self._chosen()
        listed, objects = fetch(self.account, calendar, start, end, self.shared_home)
        name = f"CalDAV {listed.name or listed.segment or calendar} ({self.account.host})"
        data = b"".join(_with_name(obj, listed.name or listed.segment) for obj in objects)
        if len(data) > MAX_BYTES:
            raise SourceError(
                f"the server sent more than {MAX_BYTES:,} bytes for the period",
                where=Location(name),
                hint="the calendar holds more than any real one; check the calendar setting",
            )
        if not objects:  # no event near the period: an empty calendar, not a broken file
            data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        return IcsSource.holding([Document(name, data)])

    def _quiet(self, period: Period, data: CalendarData, zone: ZoneInfo) -> CalendarData:
        """A period without occurrences: the ``STALE_DAYS`` before it, asked for too, tell
        a quiet week from a calendar that stopped updating (as the Google source)."""
        line = datetime.combine(stale_line(period.first), datetime.min.time(), period.tz)
        earlier = self._reader(line, period.end + FETCH_PAD)
        extent = earlier.read(period, zone=zone).extent
        if extent is None:
            return data
        searched = f"the {STALE_DAYS} days before the period; older events were not looked for"
        # nothing in those days either: stale (as Google says), never "holds no events"
        recent = bool(extent.recent)
        return replace(
            data, extent=replace(extent, recent=recent, first_start=None, searched=searched)
        )

    def _chosen(self) -> str:
        if not self.calendar:
            from ...errors import UsageError

            raise UsageError(
                "the calendar setting is missing: which CalDAV calendar to read",
                where=self.account.where,
                hint="give the calendar setting (its name or path); routine-audit calendars "
                "`source` caldav lists those the account can read",
                names=("source",),
            )
        return self.calendar


def _quiet_period(data: CalendarData) -> bool:
    """No occurrence met the period, and not because the calendar was too large."""
    return data.extent is not None and data.extent.searched != TOO_MANY_SEARCHED


def _account(settings: CalDavSettings, context: SourceContext) -> Account:
    url = settings.url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = urlsplit(""), ""
    where = Location(f"CalDAV server {host or '?'}")  # the host only: never a user or password
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise SourceError(
            "the url setting is not an http(s) server address without a user name or password",
            where=where,
            hint="e.g. https://caldav.icloud.com; the user goes in username, the password in "
            "the variable password_env names",
        )
    if parts.scheme.lower() == "http" and host not in _LOOPBACK:
        raise SourceError(
            "the url setting is http://: the password would cross the network unencrypted",
            where=where,
            hint="use the server's https:// address",
        )
    password = find_password(
        url=url, username=settings.username, password_env=settings.password_env, where=where
    )
    bundle = context.resolve(settings.ca_bundle) if settings.ca_bundle else None
    return Account(url, settings.username, password, ca_bundle(bundle), feed_timeout())


def _row(listed: Listed) -> dict[str, Any]:
    """A calendar as ``routine-audit calendars`` prints it: path, readable, name."""
    readable = {True: "readable", False: "not readable", None: "readable?"}[listed.readable]
    return {"id": listed.path, "accessRole": readable, "summary": listed.name}


def _with_name(data: bytes, name: str) -> bytes:
    """The object's text, its VCALENDAR named ``name`` (X-WR-CALNAME) unless it is named
    already: the rules' ``calendars`` match the name as they do an exported file's."""
    if not name or re.search(rb"^X-WR-CALNAME[;:]", data, re.I | re.M):
        return data if data.endswith(b"\n") else data + b"\r\n"
    escaped = re.sub(r"([\\;,])", r"\\\1", name).replace("\n", "\\n")
    line = f"X-WR-CALNAME:{escaped}\r\n".encode()
    named = re.sub(
        rb"^(BEGIN:VCALENDAR[ \t]*\r?\n)",
        lambda m: m.group(1) + line,
        data,
        count=1,
        flags=re.I | re.M,
    )
    return named if named.endswith(b"\n") else named + b"\r\n"
