"""A rep's own week ahead (`plan`): kept in their history and completed with proposals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .ahead import WeekAhead, record_week_ahead

if TYPE_CHECKING:
    from .config.schema import Routine, RuleSet
    from .proposal_records import Proposals


def keep_and_propose(
    ahead: WeekAhead,
    routine: Routine,
    rules: RuleSet,
    *,
    db: Path | None = None,
    propose: bool = False,
    now: datetime | None = None,
) -> Proposals | None:
    """A rep's own week ahead kept and completed: with a history ``db``, recorded there
    (the week ahead, and its plan snapshot under no team name, which `audit --db` reads
    back); with ``propose``, slots for its gaps from ``now`` on, preferring the times the
    history says the rep's blocks habitually sat (None when not asked)."""
    from .proposals import propose as propose_slots

    habits = None
    if db is not None:
        from .history import History
        from .survival import take_snapshot

        with History(db) as history:
            record_week_ahead(history, team="", result=ahead.result)
            take_snapshot(history, team="", result=ahead.result, routine=routine, taken_at=now)
            if propose:
                habits = history.habits(ahead.result.rep.email, ahead.week)
    if not propose:
        return None
    return propose_slots(ahead, routine, rules, habits=habits, now=now)
