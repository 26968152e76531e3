"""What a team run is asked to do: one options object that every stage reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .notifier import Notifier
    from .runner import RepOutcome


def _quiet(line: str) -> None:
    """No log."""


@dataclass(frozen=True)
class RunOptions:
    """A team run's options (``team audit``, ``run`` and the demo differ only here).

    The period is ``week`` (last week by default) or ``start``..``end``; ``only`` audits
    one rep, and with ``whole_team`` (``run --rep``) the roll-up still shows every rep
    as the history recorded them. ``out``: the folder to write the reports to (none:
    nothing written). ``record``: keep the week in the history (``db``, else the team
    file's, else the user data dir). ``preview``: audit the week ahead too. ``mail``:
    send the week's mail once (``resend``: again), through ``notifier`` (None: SMTP as
    the team file sets it up). ``log`` takes each log line; ``on_done`` each rep's
    outcome as its audit ends. ``now``: when the run snapshots the week ahead's plan
    (None: the clock)."""

    week: str | None = None
    start: str | None = None
    end: str | None = None
    tz: str | None = None
    only: str | None = None
    out: Path | None = None
    db: Path | None = None
    audience: str = "manager"
    record: bool = True
    preview: bool = True
    mail: bool = False
    resend: bool = False
    whole_team: bool = False
    log: Callable[[str], None] = _quiet
    on_done: Callable[[RepOutcome], None] | None = None
    notifier: Notifier | None = None
    now: datetime | None = None
