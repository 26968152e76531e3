"""The cron command ``run`` as one library call: one run at a time per team, the
week's folder, the checks that it can write where it must, then the team run."""

from __future__ import annotations

from dataclasses import replace

from ..config.team import Team
from .lock import run_lock
from .options import RunOptions
from .pages import default_folder
from .preflight import usable_history, writable_folder
from .runner import team_period
from .weekly import TeamRun, run


def run_scheduled(team: Team, options: RunOptions) -> TeamRun:
    """``run(team, options)`` under the team's lock (another run in progress is a
    ``UsageError``), writing to ``options.out`` or else the week's folder in the team's
    output_dir; before anything is audited or mailed, that folder and the history
    must be writable (``UsageError`` naming which is not)."""
    from ..history import default_db_path

    with run_lock(team.output_dir):
        folder = options.out or default_folder(team, team_period(team, week=options.week))
        writable_folder(folder, "reports folder")
        usable_history(options.db or team.db_path or default_db_path())
        return run(team, replace(options, out=folder))
