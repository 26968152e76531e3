"""routine-audit: audit sales reps' calendars against the routines they committed to.

The library API (the CLI is a thin layer over it)::

    import routine_audit as ra

    routine = ra.load_routine("routine.yaml")
    rules = ra.rules_for(routine)                # its rules: file, else the shipped defaults
    period = ra.period_for(routine, week="2026-W45")
    result = ra.audit_calendar("calendar.ics", routine, rules, period)
    result.commitments                           # pandas DataFrame
    print(ra.render(ra.build_report(result, "manager"), "markdown"))

Heavy modules (pandas, the calendar parsers) are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__

_LAZY = {
    "load_routine": "routine_audit.config",
    "load_rules": "routine_audit.config",
    "rules_for": "routine_audit.config",
    "check_file": "routine_audit.config",
    "init_rules": "routine_audit.config",
    "load_events": "routine_audit.pipeline",
    "period_for": "routine_audit.pipeline",
    "audit_period": "routine_audit.pipeline",  # period_for's old name
    "audit_calendar": "routine_audit.pipeline",
    "audit": "routine_audit.engine.audit",
    "audit_frame": "routine_audit.engine.audit",
    "audit_frames": "routine_audit.engine.team_frame",
    "build_report": "routine_audit.report",
    "render": "routine_audit.report",
    "render_events": "routine_audit.report",
    "Period": "routine_audit.period",
    "Event": "routine_audit.model",
    "CalendarData": "routine_audit.model",
    "AuditResult": "routine_audit.result",
    "UserError": "routine_audit.errors",
    "RunOptions": "routine_audit.team.options",
    "run_team": "routine_audit.team.weekly",
    "run_scheduled": "routine_audit.team.scheduled",
    "check_files": "routine_audit.rules_check",
    "plan_week": "routine_audit.ahead",
    "week_ahead": "routine_audit.ahead",
    "WeekAhead": "routine_audit.ahead",
    "take_snapshot": "routine_audit.survival",
    "week_plan": "routine_audit.survival",
    "plan_vs_survived": "routine_audit.survival",
    "propose": "routine_audit.proposals",
    "Proposals": "routine_audit.proposals",
    "rep_trends": "routine_audit.trends",
    "team_trends": "routine_audit.trends",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'routine_audit' has no attribute {name!r}")
