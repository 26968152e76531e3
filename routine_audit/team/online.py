"""``rules check --online``: try every rep's calendar once (feeds, Google, Microsoft 365,
CalDAV)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..config.team import Team
from ..period import Period
from .runner import RepOutcome, audit_team, team_period

QUIET_DAYS = 28  # a calendar with no events in this many days (to today) gets a warning


def check_calendars(team: Team, *, today: date | None = None) -> list[RepOutcome]:
    """Read each rep's calendar for the last four weeks (to today, in the team's zone);
    outcomes say who can't be read and why, and whose calendar holds no events then
    (``outcome.result.no_data``).

    Reading (rather than only connecting) also proves the feed is iCalendar and
    that the Google sign-in or service account may read the calendar.
    """
    zone = team_period(team, week="this").tz
    last = today or datetime.now(zone).date()
    period = Period(last - timedelta(days=QUIET_DAYS - 1), last, zone)
    return audit_team(team, period)  # each rep with their own rules, as a run would
