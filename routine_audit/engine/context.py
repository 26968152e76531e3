"""The tables one audit computes once and every measure and finding reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property

import numpy as np
import pandas as pd

from ..config.schema import WEEKDAYS, Commitment, Routine, Unit
from ..period import Period
from ..result import Evidence
from .windows import Intervals


@dataclass
class AuditContext:
    period: Period
    routine: Routine
    occurrences: pd.DataFrame  # indexed by occ; activity, counted, reason, counted_seconds...
    segments: pd.DataFrame  # occ, day, seg_start, seg_end, activity, counted_seconds
    pieces: pd.DataFrame  # owned elementary intervals: seg, start, end, activity, day
    blocks: pd.DataFrame  # merged owned runs: activity, day, start, end, seconds, seg
    conflicts: pd.DataFrame  # seg, by_seg, seconds (seg lost seconds to by_seg)
    days_off: frozenset[date]

    @cached_property
    def dates(self) -> list[date]:
        return self.period.days

    @cached_property
    def _occurrence_moments(self) -> tuple[list[int], list[int], list[str]]:
        occ = self.occurrences  # indexed 0..n-1 in row order
        return occ["start_ts"].tolist(), occ["end_ts"].tolist(), occ["activity"].tolist()

    @cached_property
    def _local_evidence(self) -> dict[int, tuple[datetime, datetime, str]]:
        return {}

    def evidence(self, occ: int, seconds: int = 0) -> Evidence:
        """The occurrence ``occ`` as evidence (its local moments worked out once)."""
        known = self._local_evidence.get(occ)
        if known is None:
            starts, ends, activities = self._occurrence_moments
            tz = self.period.tz
            known = (
                datetime.fromtimestamp(starts[occ], tz),
                datetime.fromtimestamp(ends[occ], tz),
                activities[occ],
            )
            self._local_evidence[occ] = known
        return Evidence(occ, known[0], known[1], known[2], seconds)

    @cached_property
    def segment_columns(self) -> dict[str, np.ndarray]:
        """The segments' columns as plain arrays: many small lookups without pandas' overhead."""
        return _columns(self.segments, ("occ", "day", "activity", "counted_seconds"))

    @cached_property
    def block_columns(self) -> dict[str, np.ndarray]:
        return _columns(self.blocks, ("activity", "day", "start", "end", "seconds", "seg"))

    @cached_property
    def piece_columns(self) -> dict[str, np.ndarray]:
        return _columns(self.pieces, ("activity", "day", "start", "end", "seg"))

    @cached_property
    def routine_activities(self) -> frozenset[str]:
        """Activities whose commitments are time blocks (they yield to other events)."""
        return frozenset(
            c.activity for c in self.routine.commitments if c.unit in (Unit.HOURS, Unit.BLOCKS)
        )

    def committed_days(self, commitment: Commitment, *, with_days_off: bool = False) -> list[date]:
        """Dates of the period the commitment is due on (days off removed unless asked)."""
        return [
            d
            for d in self.dates
            if self._due_weekday(commitment, d.weekday())
            and (with_days_off or d not in self.days_off)
        ]

    def committed_weekdays(self, commitment: Commitment) -> int:
        """How many weekdays of a routine week the commitment is due on."""
        return sum(self._due_weekday(commitment, w) for w in range(7))

    def _due_weekday(self, commitment: Commitment, weekday: int) -> bool:
        if WEEKDAYS[weekday] not in commitment.window.days:
            return False
        return commitment.protected or bool(self.routine.working_spans(weekday))

    def window_intervals(self, commitment: Commitment) -> Intervals:
        window = commitment.window

        def spans(day: date) -> list[tuple[time, time]]:
            return [(window.start, window.end)] if WEEKDAYS[day.weekday()] in window.days else []

        return self._intervals(spans)

    @cached_property
    def working(self) -> Intervals:
        return self._intervals(lambda day: self.routine.working_spans(day.weekday()))

    def _intervals(self, spans) -> Intervals:
        # two days either side: the routine's zone may be up to 26 hours from the audit zone
        from datetime import timedelta

        return Intervals.build(
            self.period.first - timedelta(days=2),
            self.period.last + timedelta(days=2),
            self.routine.zone,
            spans,
        )

    def day_of(self, day_index: np.ndarray | int) -> date | list[date]:
        if isinstance(day_index, int | np.integer):
            return self.dates[int(day_index)]
        return [self.dates[int(i)] for i in day_index]

    def evidence_rows(self, occ_ids: np.ndarray) -> pd.DataFrame:
        return self.occurrences.loc[occ_ids]


def _columns(frame: pd.DataFrame, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    return {
        name: frame[name].to_numpy(dtype=object if name == "activity" else np.int64)
        for name in names
    }
