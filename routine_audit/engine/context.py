"""The tables one audit computes once and every measure and finding reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from ..config.schema import WEEKDAYS, Commitment, Routine
from ..period import Period
from ..result import Evidence
from ..unit_kinds import unit_kind
from .day_spans import Intervals, WeekSpans
from .finding_columns import OccurrenceMoments
from .timeline import Columns

# the routine's zone may be up to 26 hours from the audit zone: daily spans reach this far out
_SPAN_MARGIN = timedelta(days=2)


def routine_activities(routine: Routine) -> frozenset[str]:
    """Activities whose events are routine blocks, as their commitments' units say (they
    yield to other events)."""
    return frozenset(c.activity for c in routine.commitments if unit_kind(c.unit).routine_blocks)


@dataclass
class AuditContext:
    period: Period
    routine: Routine
    occurrences: Columns  # row i is occurrence i: start_ts, end_ts, activity, counted, reason...
    segments: Columns  # occ, day, seg_start, seg_end, activity, counted_seconds
    pieces: Columns  # owned elementary intervals: seg, start, end, activity, day
    blocks: Columns  # merged owned runs: activity, day, start, end, seconds, seg
    conflicts: Columns  # seg, by_seg, seconds (seg lost seconds to by_seg)
    days_off: frozenset[date]

    @cached_property
    def dates(self) -> list[date]:
        return self.period.days

    @cached_property
    def moments(self) -> OccurrenceMoments:
        occ = self.occurrences
        return OccurrenceMoments(occ["start_ts"], occ["end_ts"], occ["activity"], self.period.tz)

    def evidence(self, occ: int, seconds: int = 0) -> Evidence:
        """The occurrence ``occ`` as evidence (its local moments worked out once)."""
        return self.moments.evidence(occ, seconds)

    @cached_property
    def routine_activities(self) -> frozenset[str]:
        """Activities whose commitments are time blocks (they yield to other events)."""
        return routine_activities(self.routine)

    def committed_days(self, commitment: Commitment, *, with_days_off: bool = False) -> list[date]:
        """Dates of the period the commitment is due on (days off removed unless asked)."""
        due = [self._due_weekday(commitment, w) for w in range(7)]
        off = frozenset() if with_days_off else self.days_off
        dates = zip(self.dates, self._weekdays, strict=True)
        return [d for d, weekday in dates if due[weekday] and d not in off]

    @cached_property
    def _weekdays(self) -> list[int]:
        return [d.weekday() for d in self.dates]

    def committed_weekdays(self, commitment: Commitment) -> int:
        """How many weekdays of a routine week the commitment is due on."""
        return sum(self._due_weekday(commitment, w) for w in range(7))

    def _due_weekday(self, commitment: Commitment, weekday: int) -> bool:
        if WEEKDAYS[weekday] not in commitment.window.days:
            return False
        return commitment.protected or bool(self.routine.working_spans(weekday))

    def window_intervals(self, commitment: Commitment) -> Intervals:
        window = commitment.window
        span = ((window.start, window.end),)
        return self.weekly_intervals(tuple(span if d in window.days else () for d in WEEKDAYS))

    @cached_property
    def working_week(self) -> WeekSpans:
        """The routine's working hours per weekday, Monday first."""
        return tuple(self.routine.working_spans(w) for w in range(7))

    @cached_property
    def working(self) -> Intervals:
        return self.weekly_intervals(self.working_week)

    def weekly_intervals(self, week: WeekSpans) -> Intervals:
        """Spans per weekday (Monday first) in the routine's zone, over the period's dates."""
        return Intervals.weekly(
            self.period.first - _SPAN_MARGIN,
            self.period.last + _SPAN_MARGIN,
            self.routine.zone,
            week,
        )

    def day_of(self, day_index: int) -> date:
        return self.dates[int(day_index)]
