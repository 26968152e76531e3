"""Plan vs what survived, as an audience may see it, and the words every report uses
for it (docs/audit.md, "Plan vs what survived").

The obstacles that took a planned block's time are ``Block`` views: a manager reads
their activity and time, and a title only when the rep shares titles and the event is
not private (the view's own title policy, as for displacements)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..survival import PlanReview, rep_survival
from ..wording import clock_text, day_text, duration_text
from .records import Block
from .text import percent_text, span_text


@dataclass(frozen=True)
class PlanCommitmentView:
    """One commitment's plan figures, in seconds (None: no plan to compare with)."""

    id: str
    activity: str
    planned_seconds: int | None
    survived_seconds: int | None
    added_seconds: int | None
    survival: float | None
    planned_ahead: float | None
    limit: bool = False  # a `max` commitment: not in the rep's survival


@dataclass(frozen=True)
class PlanBlockView:
    """A planned block (its times as planned) and what became of it."""

    start: datetime
    end: datetime
    activity: str
    commitment: str
    outcome: str
    planned_seconds: int
    survived_seconds: int
    obstacles: tuple[Block, ...] = ()  # what took its counted time, in time order


@dataclass(frozen=True)
class PlanView:
    """The week against its plan: ``snapshot_at`` None when no plan was recorded before
    the week began (``source`` then says what creation times allow: ``created`` or
    ``none``)."""

    snapshot_at: datetime | None
    source: str
    commitments: tuple[PlanCommitmentView, ...]
    blocks: tuple[PlanBlockView, ...]

    @property
    def survival(self) -> float | None:
        """The rep's survival (``survival.rep_survival``: limits left out)."""
        return rep_survival(self.snapshot_at, self.commitments)

    @property
    def lost(self) -> tuple[PlanBlockView, ...]:
        """The planned blocks that did not keep all their planned time."""
        return tuple(b for b in self.blocks if b.survived_seconds < b.planned_seconds)


def plan_view(review: PlanReview, show: Callable[[int], str | None], tz) -> PlanView:
    """``review`` for one audience (``show``: occ -> the title it may read, or None)."""
    return PlanView(
        snapshot_at=None if review.snapshot_at is None else review.snapshot_at.astimezone(tz),
        source=review.source,
        commitments=tuple(
            PlanCommitmentView(
                c.id,
                c.activity,
                c.planned_seconds,
                c.survived_seconds,
                c.added_seconds,
                c.survival,
                c.planned_ahead,
                c.limit,
            )
            for c in review.commitments
        ),
        blocks=tuple(
            PlanBlockView(
                b.start,
                b.end,
                b.activity,
                b.commitment,
                b.outcome,
                b.planned_seconds,
                b.survived_seconds,
                tuple(
                    Block(o.start, o.end, o.activity, show(o.occ), o.seconds) for o in b.obstacles
                ),
            )
            for b in review.blocks
        ),
    )


# ---------------------------------------------------------------- words

PLAN_TITLE = "Plan vs what survived"
# how each outcome reads in a sentence (survival.OUTCOMES)
OUTCOME_WORDS = {
    "deleted": "deleted",
    "cancelled": "cancelled",
    "declined": "declined",
    "moved": "moved",
    "shortened": "shortened",
    "displaced": "displaced",
    "held": "held",
}
SOURCE_WORDS = {
    "snapshot": "from the plan",
    "created": "from when the events were created",
    "none": "unknown (the calendar does not say when its events were created)",
}


def plan_intro(plan: PlanView) -> str:
    """The section's first line: when the plan was taken, or that there was none."""
    if plan.snapshot_at is not None:
        when = f"{day_text(plan.snapshot_at)} {clock_text(plan.snapshot_at)}"
        return f"Plan recorded {when}, before the week's work began."
    if plan.source == "created":
        return (
            "No plan was recorded before the week's work began; planned ahead is worked out "
            "from when the events were created."
        )
    return (
        "No plan was recorded before the week's work began, and the calendar does not say when "
        "its events were created: nothing to compare."
    )


def seconds_text(seconds: int | None) -> str:
    return "n/a" if seconds is None else duration_text(seconds)


def commitment_cells(c: PlanCommitmentView) -> tuple[str, str, str, str, str]:
    """Planned, survived, added, survival and planned ahead, as every report writes them."""
    return (
        seconds_text(c.planned_seconds),
        seconds_text(c.survived_seconds),
        seconds_text(c.added_seconds),
        percent_text(c.survival),
        percent_text(c.planned_ahead),
    )


def obstacle_text(block: Block) -> str:
    """``an unclassified event Thu 05 Nov 10:00–10:30 (30 min)``."""
    from .stories import event_name

    return (
        f"{event_name(block)} {span_text(block.start, block.end)} ({duration_text(block.seconds)})"
    )


def kept_text(block: PlanBlockView) -> str:
    """``1 h 30 min of 2 h``: what a planned block kept of its planned time."""
    return f"{duration_text(block.survived_seconds)} of {duration_text(block.planned_seconds)}"


def lost_text(block: PlanBlockView) -> str:
    """One lost block, named by its commitment: ``Thu 05 Nov 09:00–11:00 prospecting:
    displaced, kept 1 h 30 min of 2 h; taken by an unclassified event Thu 05 Nov
    10:00–10:30 (30 min)``."""
    head = (
        f"{span_text(block.start, block.end)} {block.commitment}: "
        f"{OUTCOME_WORDS[block.outcome]}, kept {kept_text(block)}"
    )
    if not block.obstacles:
        return head
    return f"{head}; taken by {', '.join(obstacle_text(o) for o in block.obstacles)}"


def outcome_counts(plan: PlanView) -> str:
    """``5 held, 1 moved, 1 displaced``: the planned blocks by outcome, in OUTCOMES order."""
    counts = dict.fromkeys(OUTCOME_WORDS, 0)
    for block in plan.blocks:
        counts[block.outcome] += 1
    return ", ".join(f"{n} {OUTCOME_WORDS[name]}" for name, n in counts.items() if n)


def plan_text_lines(plan: PlanView) -> list[str]:
    """The section as plain lines (terminal, mail text): the intro, one line per
    commitment, then the lost blocks."""
    lines = [plan_intro(plan)]
    for c in plan.commitments:
        planned, survived, added, survival, ahead = commitment_cells(c)
        if plan.snapshot_at is None:
            lines.append(f"{c.id}: planned ahead {ahead}")
        else:
            lines.append(
                f"{c.id}: planned {planned} → survived {survived} ({survival}) → added {added};"
                f" planned ahead {ahead}"
            )
    if plan.blocks:
        lines.append(f"Planned blocks: {outcome_counts(plan)}.")
    lines += [f"Lost: {lost_text(b)}" for b in plan.lost]
    return lines
