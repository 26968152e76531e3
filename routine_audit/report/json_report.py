"""The JSON report: one document for all reps, described by ``data/report.schema.json``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from .._version import __version__
from ..coverage import Coverage
from ..period import Period
from ..result import HealthFigures
from ..unit_kinds import unit_kind
from ..wording import hours
from . import RenderOptions
from .stories import Story
from .text import block_seconds
from .view import Block, CommitmentView, DailyView, FindingView, RepReport

# bumped when the document changes incompatibly; added keys (issue 17: ``stories``) are
# compatible: a reader ignores keys it does not know. 3: issue 20 (``plan``, ``ahead``)
SCHEMA_VERSION = 3
SCHEMA_FILE = "report.schema.json"  # in routine_audit/data


def render(reports: list[RepReport], options: RenderOptions) -> str:
    """Pretty-printed, keys sorted, ending with a newline."""
    return _dumps(document(reports)) + "\n"


def rep_fragment(report: RepReport) -> str:
    """One rep's entry of the document, as ``render_fragments`` takes it."""
    return _dumps(_rep(report))


def render_fragments(reports: list[RepReport], fragments: list[str]) -> str:
    """``render(reports)``, byte for byte, from each rep's ``rep_fragment`` made before.

    A team run keeps the fragments of unchanged reps, so a re-run does not
    encode them again (json's pretty printer is pure Python, and slow).
    """
    if len(fragments) != len(reports):
        raise ValueError("one fragment per report")
    numbers = {id(report): index for index, report in enumerate(reports)}
    outline = document(reports, rep=lambda report: f"\0rep:{numbers[id(report)]}\0")
    nested = "\n" + " " * 4  # a rep's entry sits two levels deep

    def entry(match: re.Match[str]) -> str:
        return fragments[int(match.group(1))].replace("\n", nested)

    return _PLACEHOLDER.sub(entry, _dumps(outline)) + "\n"


_PLACEHOLDER = re.compile(r'"\\u0000rep:(\d+)\\u0000"')  # as json.dumps writes "\0rep:N\0"


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def document(
    reports: list[RepReport], rep: Callable[[RepReport], Any] | None = None
) -> dict[str, Any]:
    """The report as plain JSON values (``rep`` makes each rep's entry).

    Each rep carries its own period (each is audited in its own zone); the
    top-level period is the first rep's, for single-rep documents.
    """
    if not reports:
        raise ValueError("no rep reports to render")
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "period": _period(reports[0].period),
        "reps": {report.rep.email: (rep or _rep)(report) for report in reports},
    }


def _period(period: Period) -> dict[str, Any]:
    return {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "tz": period.tz.key,
        "label": period.label,
    }


def _rep(report: RepReport) -> dict[str, Any]:
    return {
        "period": _period(report.period),
        "name": report.rep.name,
        "timezone": report.rep.timezone,
        "audience": report.audience.value,
        "titles_shown": report.titles_shown,
        "incomplete": report.incomplete,
        "coverage": _coverage(report.coverage),
        "commitments": [_commitment(c) for c in report.commitments],
        "daily": [_daily(d) for d in sorted(report.daily, key=lambda d: (d.date, d.activity))],
        "findings": [_finding(f) for f in report.findings],
        "stories": [_story(s) for s in report.stories],
        "health": _health(report.health),
        "notes": list(report.notes),
        "data_quality": list(report.data_quality),
        "inputs": {
            "routine": asdict(report.inputs.routine),
            "rules": asdict(report.inputs.rules),
        },
        **_plan_entry(report),
    }


def _plan_entry(report: RepReport) -> dict[str, Any]:
    """``plan`` (issue 20): the week against the plan made before it; only in reports made
    with a history (a team run that records one), absent otherwise."""
    plan = report.plan
    if plan is None:
        return {}
    return {
        "plan": {
            "snapshot_at": None if plan.snapshot_at is None else plan.snapshot_at.isoformat(),
            "source": plan.source,
            "commitments": [
                {
                    "id": c.id,
                    **{
                        name: None if seconds is None else hours(seconds)
                        for name, seconds in (
                            ("planned", c.planned_seconds),
                            ("survived", c.survived_seconds),
                            ("added", c.added_seconds),
                        )
                    },
                    "survival": None if c.survival is None else round(c.survival, 3),
                    "planned_ahead": None if c.planned_ahead is None else round(c.planned_ahead, 3),
                }
                for c in plan.commitments
            ],
            "blocks": [
                {
                    "start": b.start.isoformat(),
                    "end": b.end.isoformat(),
                    "activity": b.activity,
                    "commitment": b.commitment,
                    "outcome": b.outcome,
                    "planned": hours(b.planned_seconds),
                    "survived": hours(b.survived_seconds),
                    "obstacles": [_block(o) for o in b.obstacles],
                }
                for b in plan.blocks
            ],
        }
    }


def _coverage(c: Coverage) -> dict[str, Any]:
    return {
        "status": c.status.value,
        "events_in_period": c.events_in_period,
        "first_event": c.first_event.isoformat() if c.first_event else None,
        "last_event": c.last_event.isoformat() if c.last_event else None,
        "note": c.note,
    }


def _commitment(c: CommitmentView) -> dict[str, Any]:
    return {
        "id": c.id,
        "activity": c.activity,
        "unit": c.unit,
        "per": c.per,
        "direction": c.direction,
        "protected": c.protected,
        # meetings and blocks are counted: their target, scheduled and gap are whole numbers
        **{
            name: math.floor(value + 0.5) if unit_kind(c.unit).whole else _round(value)
            for name, value in (("target", c.target), ("scheduled", c.scheduled), ("gap", c.gap))
        },
        "adherence": None if c.adherence is None else round(c.adherence, 3),
        "blocks": c.blocks,
        "short_blocks": c.short_blocks,
        "outside_window_hours": _round(c.outside_window_hours),
        "committed_days": c.committed_days,
        "status": c.status,
    }


def _daily(d: DailyView) -> dict[str, Any]:
    return {
        "date": d.date.isoformat(),
        "activity": d.activity,
        "hours": _round(d.hours),
        "target_hours": None if d.target_hours is None else _round(d.target_hours),
    }


def _finding(f: FindingView) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "commitment": f.commitment,
        "date": f.day.isoformat() if f.day else None,
        "detail": f.detail,
        "evidence": [_block(b) for b in f.evidence],
        "obstacles": [_block(b) for b in f.obstacles],
        "questions": list(f.questions),
    }


def _story(s: Story) -> dict[str, Any]:
    return {
        "commitment": s.commitment,
        "date": s.day.isoformat() if s.day else None,
        "text": s.text,
        "findings": list(s.findings),
    }


def _block(b: Block) -> dict[str, Any]:
    return {
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "activity": b.activity,
        "title": b.title,
        "minutes": round(block_seconds(b) / 60),
    }


def _health(h: HealthFigures) -> dict[str, Any]:
    return {
        "working_hours": hours(h.working_seconds),
        "booked_hours": hours(h.booked_seconds),
        "other_hours": hours(h.other_seconds),
        "unclassified_share": round(h.unclassified_share, 3),
        "reactive_meetings": h.reactive_meetings,
        "meetings_with_created": h.meetings_with_created,
        "reactive_share": None if h.reactive_share is None else round(h.reactive_share, 3),
        "fragmented_days": h.fragmented_days,
    }


def _round(value: float) -> float:
    """An amount in hours (or blocks, meetings), rounded once for display."""
    return round(value, 2)


# -- for other documents of this schema (the week ahead: report/ahead_data.py) ---------


def rep_entry(report: RepReport) -> dict[str, Any]:
    """One rep's entry of the document, as plain JSON values."""
    return _rep(report)


def finding_entry(f: FindingView) -> dict[str, Any]:
    return _finding(f)


def dumps(value: Any) -> str:
    """Pretty-printed, keys sorted, as every document of the schema."""
    return _dumps(value)
