"""The bundled sample team (a team file with four reps), audited for its sample week."""

from __future__ import annotations

from pathlib import Path

from .config import package_data
from .config.load import load_team
from .team.weekly import TeamRun, run_team

SAMPLE_WEEK = "2026-W45"
SAMPLE_TEAM = "sample/team.yaml"


def sample_team_file() -> Path:
    return package_data(SAMPLE_TEAM)


def run_demo(out: str | Path | None = None, audience: str = "manager") -> TeamRun:
    """Audit the sample team for the sample week; write every report to ``out`` if given.

    Nothing is recorded in the user's history: the demo leaves no trace but ``out``.
    """
    team = load_team(sample_team_file())
    return run_team(
        team,
        week=SAMPLE_WEEK,
        out=Path(out) if out is not None else None,
        audience=audience,
        record=False,
        preview=False,
    )
