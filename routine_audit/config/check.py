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
    found: dict[str, int] = {}  # noun -> calendars found on disk
    online: dict[str, int] = {}  # noun -> calendars only --online reads
    # each source's nouns together, in registry order (feeds before Google calendars)
    for member in sorted(spec.reps, key=lambda m: _rank(m.calendar.type)):
        entry = member.calendar
        context = team.source_context(member)
        for noun, state in entry.source_class.inventory(entry.settings, context):
            if state is None:
                online[noun] = online.get(noun, 0) + 1
            else:
                found[noun] = found.get(noun, 0) + state
    calendars = ", ".join(f"{_count(n, noun)} found" for noun, n in (found or {_ICS: 0}).items())
    if online:
        unread = " and ".join(_count(n, noun) for noun, n in online.items())
        calendars += f", {unread} (--online reads them)"
    return (
        f"team {spec.name}: {_count(len(spec.reps), 'rep')}, "
        f"{_count(len(routines), 'routine')}, rules: {_rules_text(rules)}, "
        f"calendars: {calendars}"
    )


_ICS = ".ics calendar"


def _rank(name: str) -> int:
    from ..sources import REGISTRY

    names = list(REGISTRY)
    return names.index(name) if name in names else len(names)


def old_form_warnings(team: Team) -> list[str]:
    """A warning for each rep whose calendar is written in the version-1 short form."""
    from .team import OLD_FORMS

    return [
        f"reps[{index}].calendar ({member.email}): {old}: is the old short form; write "
        f"calendar: {{type: {OLD_FORMS[old][0]}, {OLD_FORMS[old][1]}: ...}}"
        for index, member in enumerate(team.spec.reps)
        if (old := member.calendar.old_form) is not None
    ]


def _rules_text(paths: list[Path | None]) -> str:
    """The rules files the reps are audited with (None: the shipped rules)."""
    files = len(set(paths) - {None})
    named = [_count(files, "rules file")] if files else []
    return " and ".join([*named, *(["the shipped rules"] if None in paths else [])])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
