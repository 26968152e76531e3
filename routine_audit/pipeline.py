"""The audit pipeline as library calls: read a calendar, audit it, render it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from .config.schema import Routine, RuleSet
from .errors import UsageError
from .model import CalendarData
from .period import Period, choose_period
from .result import AuditResult
from .sources import Source, open_source
from .timezones import resolve_zone

CalendarSpec = str | Path | Sequence[str | Path] | Source


def load_events(calendar: CalendarSpec, period: Period, *, zone: ZoneInfo) -> CalendarData:
    """Every occurrence in ``period`` from a source, or from .ics files, folders or feed URLs
    (what each file gives is remembered: see ``routine_audit.caching``)."""
    from .caching import remembering

    source = calendar if isinstance(calendar, Source) else open_source("ics", calendar)
    return remembering(source).read(period, zone=zone)


def period_for(
    routine: Routine,
    *,
    tz: str | None = None,
    week: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> Period:
    """The period to audit: in ``tz`` if given, else the routine's zone; last week by default."""
    zone = routine.zone
    if tz is not None:
        found = None if tz.strip().lower() in ("", "localtime") else resolve_zone(tz)
        if found is None:
            raise UsageError(
                f"`tz` {tz!r} is not a known time zone",
                hint="use an IANA name such as Europe/Berlin",
                names=("tz",),
            )
        zone = found
    return choose_period(zone, week=week, start=start, end=end, today=today)


audit_period = period_for  # its name before 0.2 (it returns a period; it audits nothing)


def audit_calendar(
    calendar: CalendarSpec, routine: Routine, rules: RuleSet | None, period: Period
) -> AuditResult:
    """Read ``calendar`` for ``period`` and audit it against ``routine``, classified by
    ``rules`` (None: the routine's own ``rules:`` file, else the shipped defaults)."""
    from .caching import audit_source

    if rules is None:
        from .config.load import rules_for

        rules = rules_for(routine)
    source = calendar if isinstance(calendar, Source) else open_source("ics", calendar)
    return audit_source(source, routine, rules, period)
