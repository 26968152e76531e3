"""Plain-text pieces every report format shares: time spans, percentages, finding order."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ..finding_kinds import KindField, finding_kind
from ..result import HealthFigures
from ..wording import (
    clock_text,
    count_text,
    day_text,
    duration_text,
    meetings_text,
)
from .records import Block

# finding kinds' titles, most pressing first (routine_audit/finding_kinds.py)
KIND_TITLES: KindField[str] = KindField(lambda kind: kind.title)
QUESTION_FINDINGS = 3  # the terminal report asks about this many gaps


def span_text(start: datetime, end: datetime) -> str:
    """``Mon 02 Nov 09:00–11:00``; the end's date too when the span crosses midnight."""
    if end.date() == start.date():
        return f"{day_text(start)} {clock_text(start)}–{clock_text(end)}"
    if end.time() == time() and end.date() == start.date() + timedelta(days=1):
        return f"{day_text(start)} {clock_text(start)}–24:00"
    return f"{day_text(start)} {clock_text(start)}–{day_text(end)} {clock_text(end)}"


def block_seconds(block: Block) -> int:
    """The part of the block the finding is about; all of it when the finding does not say."""
    return block.seconds or block.length_seconds


def percent_text(share: float | None) -> str:
    """``85%``, or ``n/a`` when there is nothing to divide by."""
    return "n/a" if share is None else f"{share:.0%}"


def reactive_text(health: HealthFigures) -> str:
    """``2 of 5 client meetings booked at short notice (40%)``: the meetings the routine
    measures (commitments in meetings), each named as the routine's activity."""
    kinds = health.reactive_activities
    if not kinds:
        return "not measured (no commitment is counted in meetings)"
    if not health.meetings_with_created:
        return "unknown (no meeting says when it was booked)"
    counted = (
        meetings_text(health.meetings_with_created, kinds[0])
        if len(kinds) == 1
        else count_text(health.meetings_with_created, "meeting")
    )
    return (
        f"{health.reactive_meetings} of {counted} booked "
        f"at short notice ({percent_text(health.reactive_share)})"
    )


def health_rows(health: HealthFigures) -> list[tuple[str, str]]:
    """The calendar-health figures as (label, value) lines, the same in every report."""
    return [
        ("Working time", duration_text(health.working_seconds)),
        ("Booked", duration_text(health.booked_seconds)),
        (
            "Unclassified",
            f"{percent_text(health.unclassified_share)} of working time "
            f"({duration_text(health.other_seconds)})",
        ),
        ("Reactive bookings", reactive_text(health)),
        ("Fragmented days", str(health.fragmented_days)),
    ]


def kind_title(kind: str) -> str:
    """How reports name a finding kind; an unknown kind fails loudly."""
    return finding_kind(kind).title


def more_questions_text(count: int) -> str:
    """What the terminal's capped question list leaves to the full report."""
    gaps = "1 more gap has" if count == 1 else f"{count} more gaps have"
    return f"{gaps} questions in the full report (--format markdown or html)."
