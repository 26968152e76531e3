"""``rules check --online``: try every rep's calendar (feeds, Google calendars) once."""

from __future__ import annotations

from ..config.team import Team
from .runner import RepOutcome, audit_team, team_period


def check_calendars(team: Team) -> list[RepOutcome]:
    """Read each rep's calendar for the current week; outcomes say who can't be read and why.

    Reading (rather than only connecting) also proves the feed is iCalendar and
    that the Google sign-in or service account may read the calendar.
    """
    period = team_period(team, week="this")
    return audit_team(team, period)  # each rep with their own rules, as a run would
