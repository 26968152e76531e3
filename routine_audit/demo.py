"""The bundled sample team, audited for its sample week."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text_atomic
from .config import load_routine, load_rules, package_data
from .report import RepReport, build_report, render

SAMPLE_WEEK = "2026-W45"
SAMPLE_FOLDER = "sample"
TEAM_DEFAULT = "team-default.yaml"


@dataclass(frozen=True)
class SampleRep:
    routine: Path
    calendar: Path


def sample_team() -> list[SampleRep]:
    """Each sample rep's routine and calendar, shipped as package data."""
    folder = package_data(SAMPLE_FOLDER)
    return [
        SampleRep(routine, routine.with_suffix(".ics"))
        for routine in sorted(folder.glob("*.yaml"))
        if routine.name != TEAM_DEFAULT and routine.with_suffix(".ics").exists()
    ]


def audit_sample_team(audience: str = "manager") -> list[RepReport]:
    """Audit every sample rep for the sample week, in their own time zone."""
    from .pipeline import audit_calendar, audit_period

    rules = load_rules()
    reports = []
    for rep in sample_team():
        routine = load_routine(rep.routine)
        period = audit_period(routine, week=SAMPLE_WEEK)
        result = audit_calendar(rep.calendar, routine, rules, period)
        reports.append(build_report(result, audience))
    return reports


def run_demo(out: str | Path, audience: str = "manager") -> tuple[list[RepReport], list[Path]]:
    """Audit the sample team and write its reports (Markdown per rep, JSON and CSV) to ``out``."""
    reports = audit_sample_team(audience)
    folder = Path(out)
    written = [
        write_text_atomic(folder / f"{r.rep.email.split('@')[0]}.md", render(r, "markdown"))
        for r in reports
    ]
    written.append(write_text_atomic(folder / "team.json", render(reports, "json")))
    written.append(write_text_atomic(folder / "team.csv", render(reports, "csv")))
    return reports, written
