"""The bundled sample team (a team file with four reps), audited for its sample week
with a sample history of the weeks before it (sample_weeks.py): trends, streaks, plan vs
survived, and each rep's 1:1 agenda with an agreed action."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .config import package_data
from .config.load import load_team
from .sample_weeks import SAMPLE_WEEK, build_sample_history, run_at
from .team.weekly import TeamRun, run_team

__all__ = ["HISTORY_FILE", "SAMPLE_TEAM", "SAMPLE_WEEK", "run_demo", "sample_team_file"]

SAMPLE_TEAM = "sample/team.yaml"
HISTORY_FILE = "sample-history.sqlite"  # the demo's own history, in its output folder


def sample_team_file() -> Path:
    return package_data(SAMPLE_TEAM)


def run_demo(out: str | Path | None = None, audience: str = "manager") -> TeamRun:
    """Audit the sample team for the sample week, with a sample history of the seven weeks
    before it built afresh; write every report to ``out`` if given.

    Nothing is recorded in the user's history: the sample history is ``out``'s
    ``sample-history.sqlite`` (replaced on every run), or a temporary file without
    ``out``; the demo leaves no trace but ``out``."""
    team = load_team(sample_team_file())
    folder = Path(out) if out is not None else None
    with tempfile.TemporaryDirectory(prefix="routine-audit-demo-") as work:
        db = (folder if folder is not None else Path(work)) / HISTORY_FILE
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in (db, db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm")):
                stale.unlink(missing_ok=True)
        build_sample_history(team, db, Path(work))
        return run_team(
            team,
            week=SAMPLE_WEEK,
            out=folder,
            audience=audience,
            db=db,
            record=True,
            preview=True,
            now=run_at(team),  # as `run` on the Monday after: the week ahead is to come
        )
