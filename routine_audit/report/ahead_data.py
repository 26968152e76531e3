"""The week ahead as data: JSON (the rep's entry of the report document, with ``ahead``)
and CSV (one row per rep and commitment). Amounts like the rest of the JSON: in the
commitment's unit (hours rounded to 2 decimals; blocks and meetings whole), seconds
given as hours."""

from __future__ import annotations

import math
from typing import Any

from ..ahead import AheadCommitment
from ..unit_kinds import unit_kind
from ..wording import hours
from . import RenderOptions
from .ahead_view import AheadReport
from .csv_safe import write_csv
from .json_report import document, dumps, finding_entry, rep_entry

CSV_HEADER = (
    "rep",
    "week",
    "commitment",
    "unit",
    "planned",
    "target",
    "gap",
    "days_without_block",
    "short_blocks",
    "lost_to_meetings_hours",
    "protected_overlapped_hours",
    "unanswered_invitations",
    "proposed",  # issue 21: each proposed block, start/end, space-separated
    "not_proposed",  # why (part of) it could not be proposed
)


def render_json(reports: list[AheadReport], options: RenderOptions | None = None) -> str:
    """The report document (schema ``data/report.schema.json``) of the coming week, each
    rep's entry with its ``ahead``; its findings ask the week ahead's questions and its
    stories are the week ahead's lines."""
    by_rep = {id(r.report): r for r in reports}
    made = document(
        [r.report for r in reports],
        rep=lambda inner: {**rep_entry(inner), "ahead": ahead_json(by_rep[id(inner)])},
    )
    return dumps(made) + "\n"


def ahead_json(report: AheadReport) -> dict[str, Any]:
    """``{week, commitments: [{id, planned, target, gap, days_without_block, ...}],
    findings}``."""
    made = {
        "week": report.ahead.week,
        "commitments": [_commitment(c) for c in report.commitments],
        "findings": [finding_entry(f) for f in report.report.findings],
    }
    if report.proposals is not None:
        made["proposals"] = proposals_json(report)
    return made


def proposals_json(report: AheadReport) -> list[dict[str, Any]]:
    """``[{commitment, start, end, reason}]``: each proposed block (ISO 8601 times with
    their offset, in the routine's zone), then what could not be proposed (``start``
    and ``end`` null, ``reason`` why)."""
    assert report.proposals is not None
    blocks = [
        {
            "commitment": b.commitment,
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "reason": b.reason,
        }
        for b in report.proposals.blocks
    ]
    return blocks + [
        {"commitment": u.commitment, "start": None, "end": None, "reason": u.reason}
        for u in report.proposals.unplaced
    ]


def _amount(value: float, unit: str) -> float | int:
    return math.floor(value + 0.5) if unit_kind(unit).whole else round(value, 2)


def _commitment(c: AheadCommitment) -> dict[str, Any]:
    return {
        "id": c.id,
        "unit": c.unit,
        "planned": _amount(c.planned, c.unit),
        "target": _amount(c.target, c.unit),
        "gap": _amount(c.gap, c.unit),
        "days_without_block": [d.isoformat() for d in c.days_without_block],
        "short_blocks": c.short_blocks,
        "lost_to_meetings_hours": hours(c.lost_to_meetings_seconds),
        "protected_overlapped_hours": hours(c.protected_overlapped_seconds),
        "unanswered_invitations": c.unanswered_invitations,
    }


def render_csv(reports: list[AheadReport], options: RenderOptions | None = None) -> str:
    """One row per rep and commitment; ``days_without_block`` as ISO dates, space-separated."""
    rows = [
        (
            report.rep.email,
            report.ahead.week,
            c.id,
            c.unit,
            _amount(c.planned, c.unit),
            _amount(c.target, c.unit),
            _amount(c.gap, c.unit),
            " ".join(d.isoformat() for d in c.days_without_block),
            c.short_blocks,
            hours(c.lost_to_meetings_seconds),
            hours(c.protected_overlapped_seconds),
            c.unanswered_invitations,
            *_proposed_cells(report, c.id),
        )
        for report in reports
        for c in report.commitments
    ]
    return write_csv(CSV_HEADER, rows)


def _proposed_cells(report: AheadReport, commitment: str) -> tuple[str, str]:
    """``2027-03-09T16:00:00+00:00/2027-03-09T17:00:00+00:00 ...`` and the reasons
    nothing (more) was proposed, ``; ``-separated (empty without proposals)."""
    if report.proposals is None:
        return "", ""
    blocks = report.proposals.for_commitment(commitment)
    why = [u.reason for u in report.proposals.unplaced if u.commitment == commitment]
    return " ".join(f"{b.start.isoformat()}/{b.end.isoformat()}" for b in blocks), "; ".join(why)
