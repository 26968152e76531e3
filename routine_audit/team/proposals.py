"""A team run's proposals (issue 21): for each rep whose week ahead was checked, slots
for every commitment still short (routine_audit/proposals.py), written beside the
week-ahead page as ``<rep>-proposals.ics`` and attached to the rep's mail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .runner import RepOutcome

if TYPE_CHECKING:
    from ..config.schema import Routine, RuleSet
    from ..config.team import Team
    from ..history import History
    from ..proposals import Habits, Proposals
    from ..result import AuditResult


def propose_team(
    team: Team,
    outcomes: Sequence[RepOutcome],
    history: History | None,
    now: datetime | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> dict[str, Proposals]:
    """Rep email -> the proposals for their week ahead (from ``now``, default the clock),
    preferring the habitual times the history holds. A rep whose proposals cannot be
    made (a bug) gets none; the week-ahead page still shows the week. Proposals made
    before from the same inputs are kept (``caching.proposals``)."""
    from ..caching.proposals import kept_proposals

    now = now or datetime.now(UTC)
    made: dict[str, Proposals] = {}
    rules_by_path: dict[Path | None, RuleSet] = {}

    def proposed(result: AuditResult, routine: Routine, habits: Habits | None) -> Proposals:
        from ..ahead import week_ahead
        from ..caching import opened
        from ..config.load import load_rules, rules_path_for
        from ..proposals import propose

        path = rules_path_for(routine, fallback=team.rules_path)
        if path not in rules_by_path:
            rules_by_path[path] = load_rules(path)
        ahead = week_ahead(opened(result))
        return propose(ahead, routine, rules_by_path[path], habits=habits, now=now)

    for outcome in outcomes:
        result = outcome.result
        if result is None:
            continue
        try:
            routine = team.member_routine(outcome.member)
            week = result.period.label  # the week ahead's (``WeekAhead.week``)
            habits = history.habits(outcome.member.email, week) if history else None
            made[outcome.member.email] = kept_proposals(
                outcome.key,
                result.period,
                routine.zone,
                habits,
                now,
                partial(proposed, result, routine, habits),
            )
        except Exception as exc:  # noqa: BLE001  (the audit read these inputs: only a bug)
            log(f"{outcome.member.email}: no proposals (internal error {type(exc).__name__})")
    return made


def proposal_files(
    proposals: dict[str, Proposals], folder: Path, now: datetime | None = None
) -> list[tuple[Path, str]]:
    """``<rep>-proposals.ics`` for each rep with at least one proposed block."""
    from ..proposals_ics import proposals_file_name, render_ics

    return [
        (folder / proposals_file_name(email), render_ics(made, now=now))
        for email, made in proposals.items()
        if made.blocks
    ]


def proposal_attachment(
    proposals: dict[str, Proposals], email: str, now: datetime | None = None
) -> tuple[tuple[str, bytes, str], ...]:
    """The rep's proposals file as a mail attachment (text/calendar), if they have one."""
    from ..proposals_ics import proposals_file_name, render_ics

    made = proposals.get(email)
    if made is None or not made.blocks:
        return ()
    text = render_ics(made, now=now)
    kind = "text/calendar; charset=utf-8; method=PUBLISH"  # a calendar to import, in UTF-8
    return ((proposals_file_name(email), text.encode(), kind),)
