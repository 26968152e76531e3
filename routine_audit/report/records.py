"""The rows of a report view: blocks, findings, commitments, days and occurrences as
an audience may see them. Plain records, with no view logic, so the view
(report/view.py) and the stories told from them (report/stories.py) both import them
without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..unit_kinds import unit_kind


@dataclass(frozen=True)
class Block:
    """A calendar block as an audience may see it."""

    start: datetime
    end: datetime
    activity: str
    title: str | None  # None: hidden from this audience
    seconds: int = 0

    @property
    def length_seconds(self) -> int:
        """Its real length in seconds (in UTC: two times in one zone subtract by the
        clock, which a daylight-saving change makes an hour long or short)."""
        return int((self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds())

    @property
    def label(self) -> str:
        """Its title, or ``(title hidden)``: the activity is shown beside it."""
        return self.title if self.title is not None else "(title hidden)"


@dataclass(frozen=True)
class FindingView:
    kind: str
    commitment: str | None
    day: date | None
    detail: str
    evidence: tuple[Block, ...]
    obstacles: tuple[Block, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class CommitmentView:
    id: str
    activity: str
    description: str
    unit: str
    per: str
    direction: str
    protected: bool
    target: float
    scheduled: float
    gap: float
    adherence: float | None
    blocks: int
    short_blocks: int
    outside_window_hours: float
    committed_days: int
    judged: bool = True  # False when the week's data cannot show it (see coverage)

    @property
    def shortfall(self) -> float:
        """The gap as people read it: how far from the target or over the limit, never < 0."""
        return max(self.gap, 0.0)

    @property
    def status(self) -> str:
        """``met``, ``short`` (min not reached), ``over`` (max exceeded), or ``not_judged``
        (no calendar data, or busy/free blocks only)."""
        if not self.judged:
            return "not_judged"
        if self.gap <= unit_kind(self.unit).tolerance:
            return "met"
        return "short" if self.direction == "min" else "over"


@dataclass(frozen=True)
class DailyView:
    date: date
    activity: str
    hours: float
    target_hours: float | None


@dataclass(frozen=True)
class OccurrenceView:
    start: datetime
    end: datetime
    hours: float
    counted_hours: float
    activity: str
    rule: str
    counted: bool
    reason: str
    all_day: bool
    title: str | None
    private: bool
    displaced: tuple[Block, ...] = ()  # what took its time (seconds: how much), in time order
