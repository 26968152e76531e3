"""What we agreed: the actions rep and manager settle on in a 1:1, kept in the history.

An action is for one ISO week (by default the coming one: the week after the last
complete week, which the agenda of ``--week last`` prepares for), about one of the rep's
commitments or none, open until marked done. The next agenda opens with them
(agenda.py), each beside its commitment's figures since. docs/audit.md, "The 1:1
agenda", has the rules.

    import routine_audit as ra
    from routine_audit.agreed import agree, agreed_actions

    with ra.History("history.sqlite") as history:
        action = agree(history, team, "dana@northwind.example", "Block Tuesday mornings",
                       commitment="prospecting")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from .errors import ConfigError, Location, UsageError
from .user_text import AGREED_LIMIT, bounded, clean

if TYPE_CHECKING:
    from .config.team import Member, Team
    from .history import History


@dataclass(frozen=True)
class AgreedAction:
    """One agreed action (``text`` clean plain text: escape it where it is rendered)."""

    id: int
    team: str
    rep: str
    week: str  # the ISO week it is for
    commitment: str | None
    text: str
    agreed_at: datetime
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


def agree(
    history: History,
    team: Team,
    rep: str,
    text: str,
    *,
    week: str | None = None,
    commitment: str | None = None,
    today: date | None = None,
    at: datetime | None = None,
) -> AgreedAction:
    """Record an action for ``rep`` (a member of ``team``) and return it. ``week``: an
    ISO week, or last, this, next (default: the coming week); ``commitment``: one of the
    rep's commitment ids. The text is cleaned and bounded (``user_text``)."""
    member = team_member(team, rep)
    text = bounded(text, "action", AGREED_LIMIT)
    if commitment is not None:
        ids = [c.id for c in team.member_routine(member).commitments]
        if commitment not in ids:
            raise UsageError(
                f"{member.email} has no commitment {commitment!r}",
                hint=f"use one of {', '.join(ids) or '(none)'} as `commitment`",
                names=("commitment",),
            )
    label = action_week(team, week, today=today)
    action_id = history.add_agreed(
        team=team.name, rep=member.email, week=label, commitment=commitment, text=text, at=at
    )
    return next(a for a in agreed_actions(history, team=team.name) if a.id == action_id)


def action_week(team: Team, week: str | None, *, today: date | None = None) -> str:
    """The ISO week an action is for: ``week`` (an ISO week, or last, this, next), or by
    default the week after the last complete one in the team's zone."""
    from .history import shift_week
    from .team.runner import team_period

    if week is None:
        return shift_week(team_period(team, week="last", today=today).label, 1)
    return team_period(team, week=week, today=today).label


def agreed_actions(
    history: History, *, team: str | None = None, rep: str | None = None
) -> list[AgreedAction]:
    """The recorded actions (of ``team``, of ``rep``), by week then as recorded. Rows are
    read as a hand may have left them: the text cleaned again, a time that is not one a
    one-line error naming the action."""
    return [_action(history, row) for row in history.agreed_rows(team=team, rep=rep)]


def _action(history: History, row: tuple) -> AgreedAction:
    text = row[5].decode("utf-8", "replace") if isinstance(row[5], bytes) else str(row[5])
    return AgreedAction(
        id=row[0],
        team=row[1],
        rep=row[2],
        week=row[3],
        commitment=row[4],
        text=clean(text),
        agreed_at=_time(history, row, 6, "agreed_at"),
        done_at=_time(history, row, 7, "done_at") if row[7] else None,
    )


def _time(history: History, row: tuple, index: int, column: str) -> datetime:
    try:
        return datetime.fromisoformat(str(row[index]))
    except ValueError:
        raise ConfigError(
            f"agreed action #{row[0]} has a {column} that is not a time",
            where=Location(history.path),
            hint="write it as an ISO 8601 time, such as 2026-11-06T15:00:00+00:00",
        ) from None


def mark_done(history: History, action_id: int, *, at: datetime | None = None) -> None:
    """Mark an action done; an id the history does not hold is a usage error."""
    # SQLite holds 64-bit ids: a larger one is no action's
    if not -(2**63) <= action_id < 2**63 or not history.mark_agreed_done(action_id, at=at):
        raise UsageError(
            f"no agreed action #{action_id}",
            hint="listing the agreed actions shows their numbers",
            names=("done",),
        )


def team_member(team: Team, rep: str) -> Member:
    """The member ``rep`` (any letter case); else a usage error naming the team's reps."""
    for member in team.spec.reps:
        if member.email.casefold() == rep.casefold():
            return member
    raise UsageError(
        f"{rep} is not a rep of {team.name}",
        hint=f"use one of {', '.join(m.email for m in team.spec.reps)} as `rep`",
        names=("rep",),
    )


def due_by(actions: list[AgreedAction], rep: str, week: str) -> list[AgreedAction]:
    """The actions an agenda of ``week`` opens with: those agreed for ``week``, and any
    for an earlier week still open."""
    return [
        a
        for a in actions
        if a.rep.casefold() == rep.casefold() and (a.week == week or (a.week < week and not a.done))
    ]
