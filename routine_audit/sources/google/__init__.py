"""Google Calendar source: events.list for a period, every page, mapped to ``Event``.

The package owns everything Google: the sign-in (``auth``), the API client
(``service``) and the event mapping (``mapping``). Imported only when a Google
calendar or an ``auth`` command is used; the client libraries only when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from ...coverage import STALE_DAYS, Extent, stale_line
from ...model import CalendarData, Event, Problem
from ...period import Period, spanning
from ..base import Source, SourceContext, SourceSettings
from ..limits import MAX_OCCURRENCES, TOO_MANY, TOO_MANY_SEARCHED
from .mapping import NotAnEventError, to_event
from .service import build_service, execute, shared_events, thread_http

MAX_RESULTS = 2500  # the API's maximum page size
# only what the audit uses (created: for the reactive-booking finding)
EVENT_FIELDS = (
    "id,iCalUID,status,summary,description,location,colorId,start,end,transparency,"
    "visibility,eventType,attendees(email,responseStatus,self,resource),organizer(email,self),"
    "created,recurringEventId,originalStartTime"
)
FIELDS = f"nextPageToken,summary,timeZone,accessRole,items({EVENT_FIELDS})"
FREE_BUSY_ROLE = "freeBusyReader"  # the calendar shows busy/free blocks only


class GoogleSettings(SourceSettings):
    """A Google calendar entry: ``{type: google, id: CALENDAR_ID}``. Sign-in settings
    not given here come from the team file's ``google:`` section."""

    id: str | None = Field(
        None,
        description="a Google calendar id, e.g. the rep's address (default: primary, or the "
        "rep's with a service account)",
    )
    token: str | None = Field(
        None, description="a saved sign-in (default: the team's google.token, else the usual)"
    )
    service_account: str | None = Field(
        None, description="a service-account key (default: the team's google.service_account)"
    )
    subject: str | None = Field(
        None, description="with a service account: whom to act as (default: the rep)"
    )


class GoogleSource(Source):
    """One calendar read through the API with given credentials."""

    name = "google"
    networked = True
    Settings = GoogleSettings
    tells_created = True
    tells_free_busy = True

    @classmethod
    def open(cls, settings: GoogleSettings, context: SourceContext) -> GoogleSource:  # type: ignore[override]
        token, key, subject = _access(settings, context)
        if key is None and subject is None:  # the user sign-in: loaded once for all reps
            credentials = context.credentials.once(
                ("google-user", token), lambda: google_credentials(token=token)
            )
        else:  # a service account acts as each rep: credentials of their own
            credentials = google_credentials(token=token, service_account=key, subject=subject)
        return cls(credentials, settings.id or (subject if key else "primary"))

    @classmethod
    def local_files(cls, settings: GoogleSettings) -> list[tuple[str, str, str]]:  # type: ignore[override]
        key = settings.service_account
        return [] if key is None else [("service_account", key, "the key")]

    @classmethod
    def inventory(  # type: ignore[override]
        cls, settings: GoogleSettings, context: SourceContext
    ) -> list[tuple[str, bool | None]]:
        return [("Google calendar", None)]

    @classmethod
    def preload(cls, settings: GoogleSettings, context: SourceContext) -> None:  # type: ignore[override]
        if _access(settings, context)[1] is None:  # the user sign-in: one for all reps
            cls.open(settings, context)

    @classmethod
    def calendars(  # type: ignore[override]
        cls, settings: GoogleSettings, context: SourceContext
    ) -> list[dict[str, Any]]:
        token, key, subject = _access(settings, context)
        credentials = google_credentials(token=token, service_account=key, subject=subject)
        return list_calendars(credentials)

    def __init__(self, credentials: Any, calendar_id: str = "primary", *, service: Any = None):
        self.credentials = credentials
        self.calendar_id = calendar_id
        self._service = service

    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        listed = self._list(period, zone)
        if listed is None:
            return _too_many(self._name)
        return listed.data(period, listed.events, listed.problems, self, zone)

    def read_periods(
        self, periods: Sequence[Period], *, zone: ZoneInfo
    ) -> tuple[CalendarData, ...]:
        """One listing over the span of ``periods`` (one request per page, not per
        period), then each period's share: the events the API would list for it (their
        times meet it), its own request for the days before it when it has none. A
        listing with anything to report (a problem, too many events) is made again
        period by period, so what each period says is what its own read would say."""
        if len(periods) < 2:
            return super().read_periods(periods, zone=zone)
        listed = self._list(spanning(periods), zone)
        if listed is None or listed.problems:
            return super().read_periods(periods, zone=zone)
        return tuple(
            listed.data(
                p,
                tuple(e for e in listed.events if e.end > p.start and e.start < p.end),
                (),
                self,
                zone,
            )
            for p in periods
        )

    @property
    def _name(self) -> str:
        return f"google:{self.calendar_id}"

    def _list(self, period: Period, zone: ZoneInfo) -> _Listed | None:
        """Every event the API lists for ``period``, page by page; None: too many."""
        if self._service is not None:
            resource, http = self._service.events(), None
        else:
            resource, http = shared_events(), thread_http(self.credentials)
        source = self._name
        events: list[Event] = []
        problems: list[Problem] = []
        noted: set[str | None] = set()
        calendar_name = self.calendar_id
        token: str | None = None
        role = ""
        seen = 0  # occurrences of any kind, as for .ics files
        while True:
            page = self._page(resource, http, period.start, period.end, period, token)
            calendar_name = page.get("summary") or calendar_name
            role = page.get("accessRole") or role
            items = page.get("items", ())
            seen += len(items)
            if seen > MAX_OCCURRENCES:  # stop paging: none of it is kept
                return None
            for item in items:
                try:
                    event = to_event(item, zone=zone, calendar=calendar_name, source=source)
                except NotAnEventError:
                    continue
                except (ValueError, KeyError, TypeError) as exc:
                    problems.append(_skipped(source, item, exc, zone))
                    continue
                events.append(event)
                series = item.get("recurringEventId") or item.get("id")
                if item.get("created") and event.created is None and series not in noted:
                    noted.add(series)  # once per event, by its first instance
                    problems.append(_unreadable_created(source, item, event, zone))
            token = page.get("nextPageToken")
            if not token:
                break
        return _Listed(tuple(events), tuple(problems), calendar_name, role, resource, http)

    def _page(self, resource, http, start, end, period: Period, token: str | None) -> dict:
        request = resource.list(
            calendarId=self.calendar_id,
            singleEvents=True,
            timeMin=start.isoformat(),
            timeMax=end.isoformat(),
            timeZone=period.tz.key,
            maxResults=MAX_RESULTS,
            fields=FIELDS,
            pageToken=token,
        )
        return execute(request, calendar=self.calendar_id, http=http)

    def _extent(self, resource, http, period: Period, zone: ZoneInfo, name: str) -> Extent:
        """An empty period: one more request, for the ``STALE_DAYS`` before it (its first
        page), tells a quiet week from a calendar that stopped updating."""
        line = datetime.combine(stale_line(period.first), datetime.min.time(), period.tz)
        page = self._page(resource, http, line, period.start, period, None)
        ends = []
        for item in page.get("items", ()):
            try:
                ends.append(to_event(item, zone=zone, calendar=name, source="").end)
            except (NotAnEventError, ValueError, KeyError, TypeError):
                continue
        return Extent(
            bool(ends),
            last_end=max(ends) if ends else None,
            searched=f"the {STALE_DAYS} days before the period; older events were not looked for",
        )


@dataclass(frozen=True)
class _Listed:
    """What one listing gave, and the connection to ask more on."""

    events: tuple[Event, ...]
    problems: tuple[Problem, ...]
    calendar_name: str
    role: str
    resource: Any
    http: Any

    def data(
        self,
        period: Period,
        events: tuple[Event, ...],
        problems: tuple[Problem, ...],
        source: GoogleSource,
        zone: ZoneInfo,
    ) -> CalendarData:
        """``period``'s data of ``events``; with none, what lies before it (coverage)."""
        extent = (
            None
            if events
            else source._extent(self.resource, self.http, period, zone, self.calendar_name)
        )
        return CalendarData(
            events,
            problems,
            (source._name,),
            extent=extent,
            free_busy=self.role == FREE_BUSY_ROLE if self.role else None,
        )


def _too_many(source: str) -> CalendarData:
    """A calendar with more occurrences in the period than one rep's period may hold."""
    extent = Extent(True, searched=TOO_MANY_SEARCHED)
    return CalendarData((), (Problem(source, TOO_MANY),), (source,), extent=extent)


def _skipped(source: str, item: dict[str, Any], exc: Exception, zone: ZoneInfo) -> Problem:
    """A skipped event, named by its title and start as far as they can be read."""
    return Problem(
        source,
        "event skipped, unreadable value",
        uid=item.get("id"),
        detail=str(exc),
        title=str(item.get("summary") or ""),
        start=_start(item.get("start"), zone),
        private=item.get("visibility") in ("private", "confidential"),
        event=True,
    )


def _unreadable_created(source: str, item: dict[str, Any], event: Event, zone: ZoneInfo) -> Problem:
    """The note for an event kept without its unreadable ``created``."""
    local = event.start.astimezone(zone)
    return Problem(
        source,
        "kept without its unreadable created (its creation time is unknown: not judged as "
        "booked at short notice)",
        uid=item.get("id"),
        skipped=False,
        detail=f"created: {str(item['created'])[:40]}",
        title=event.summary,
        start=local.date() if event.all_day else local,
        private=event.is_private,
        event=True,
    )


def _start(value: Any, zone: ZoneInfo) -> date | None:
    """An event resource's start in the rep's zone (a date: all day); None if unreadable."""
    if not isinstance(value, dict):
        return None
    try:
        if "dateTime" in value:
            moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone)
        return date.fromisoformat(str(value["date"]))
    except (KeyError, ValueError, TypeError):
        return None


def list_calendars(credentials: Any) -> list[dict[str, Any]]:
    """The calendars the account can read (calendarList.list, every page)."""
    service = build_service(credentials)
    calendars: list[dict[str, Any]] = []
    token = None
    while True:
        request = service.calendarList().list(
            pageToken=token,
            fields="nextPageToken,items(id,summary,accessRole,primary,timeZone)",
        )
        page = execute(request, calendar="list")
        calendars.extend(page.get("items", ()))
        token = page.get("nextPageToken")
        if not token:
            return calendars


def _access(
    settings: GoogleSettings, context: SourceContext
) -> tuple[str | None, str | None, str | None]:
    """(token, service-account key, subject): the entry's own, else the team's ``google:``
    section; with a service account the subject defaults to the rep (the owner)."""
    team = context.credentials.section("google")
    token = settings.token or getattr(team, "token", None)
    key = settings.service_account or getattr(team, "service_account", None)
    subject = settings.subject or (context.owner if key else None)
    resolve = context.resolve
    return (
        resolve(token) if token else None,
        resolve(key) if key else None,
        subject,
    )


def google_credentials(
    *, token: str | None = None, service_account: str | None = None, subject: str | None = None
) -> Any:
    """Credentials for a run: a service account acting as ``subject``, else the saved sign-in."""
    from ...errors import UsageError
    from . import auth

    if service_account:
        if not subject:
            raise UsageError(
                "`service_account` needs `subject`",
                hint="the rep's address to act as",
                names=("service_account", "subject"),
            )
        return auth.service_account_credentials(service_account, subject)
    if subject:
        raise UsageError(
            "`subject` goes with `service_account`", names=("subject", "service_account")
        )
    return auth.load_user_credentials(auth.token_path(token))


def open_google(
    calendar: str | None = None,
    *,
    token: str | None = None,
    service_account: str | None = None,
    subject: str | None = None,
) -> GoogleSource:
    """A Google source; the calendar defaults to the subject's (service account) or primary."""
    settings = GoogleSettings(
        id=calendar, token=token, service_account=service_account, subject=subject
    )
    return GoogleSource.open(settings, SourceContext())
