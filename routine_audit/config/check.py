"""What ``rules check`` says of a valid file: what it checked, and what still looks wrong
without being an error (the starter's placeholder address)."""

from __future__ import annotations

from pathlib import Path

from .load import rules_path_for
from .schema import Routine, RuleSet
from .team import Team

# the address in routine_audit/data/starter_routine.yaml (a test keeps the two equal)
STARTER_ADDRESS = "you@example.com"


def placeholder_warnings(routine: Routine) -> list[str]:
    """A warning when the routine still has the starter's placeholder address: the rep's
    own answers (declined, tentative) and which attendees are colleagues follow from it."""
    if routine.rep is None or STARTER_ADDRESS not in routine.addresses:
        return []
    return [
        f"rep.email is still the starter's placeholder {STARTER_ADDRESS}; put the rep's own "
        "address (it tells which invitations the rep answered)"
    ]


def describe(model: object) -> str:
    """One line saying what a checked file holds."""
    if isinstance(model, Routine):
        who = model.rep.email if model.rep else "a team default"
        return f"routine for {who}, {_count(len(model.commitments), 'commitment')}"
    if isinstance(model, RuleSet):
        return _count(len(model.rules), "classification rule")
    if isinstance(model, Team):
        return describe_team(model)
    raise TypeError(f"no description for {type(model).__name__}")


def describe_team(team: Team) -> str:
    """The reps, routines, rules and calendars a team file's check found."""
    spec = team.spec
    routines = {team.routine_path(m) for m in spec.reps}
    fine = [m for m in spec.reps if m.email not in team.problems]  # the others: their own
    rules = [rules_path_for(team.member_routine(m), fallback=team.rules_path) for m in fine]
    local = feeds = google = 0
    for member in spec.reps:
        if member.calendar.google is not None:
            google += 1
        for location in team.calendar_locations(member):
            if "://" in location:
                feeds += 1
            else:
                local += Path(location).exists()
    unread = [
        _count(feeds, "feed") if feeds else "",
        _count(google, "Google calendar") if google else "",
    ]
    calendars = f"{_count(local, '.ics calendar')} found"
    if any(unread):
        calendars += f", {' and '.join(u for u in unread if u)} (--online reads them)"
    return (
        f"team {spec.name}: {_count(len(spec.reps), 'rep')}, "
        f"{_count(len(routines), 'routine')}, rules: {_rules_text(rules)}, "
        f"calendars: {calendars}"
    )


def _rules_text(paths: list[Path | None]) -> str:
    """The rules files the reps are audited with (None: the shipped rules)."""
    files = len(set(paths) - {None})
    named = [_count(files, "rules file")] if files else []
    return " and ".join([*named, *(["the shipped rules"] if None in paths else [])])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
