"""What an audit returns: pandas tables for notebooks, plus the facts reports need."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from .coverage import Coverage
from .model import Problem
from .period import Period

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from .inputs import Inputs

T = TypeVar("T")
# between the identities of the events already taking a planned block's seconds
TAKEN_BY_SEPARATOR = "\x1e"


def _pickled_as_arguments(cls: type[T]) -> type[T]:
    """Pickle a slotted dataclass as its constructor's arguments: as quick as pickling
    a plain dataclass (slots alone make it twice as slow), and no field left out."""
    values = attrgetter(*(f.name for f in fields(cls)))
    cls.__reduce__ = lambda self: (cls, values(self))
    return cls


# a busy year holds thousands of findings and their evidence: slots make them smaller and
# quicker to make
@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Evidence:
    """One calendar block behind a finding. ``occ`` points into ``occurrences``."""

    occ: int
    start: datetime
    end: datetime
    activity: str
    seconds: int = 0  # the part of the block that matters for the finding


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Finding:
    """A gap or problem worth coaching on. ``detail`` never contains event content."""

    kind: str
    commitment: str | None
    day: date | None
    detail: str
    evidence: tuple[Evidence, ...] = ()
    # for conflicts: the events on the other side (what displaced the block)
    obstacles: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class HealthFigures:
    working_seconds: int
    booked_seconds: int
    other_seconds: int
    unclassified_share: float
    reactive_meetings: int
    meetings_with_created: int
    reactive_share: float | None
    fragmented_days: int
    # what reactive booking counted: the activities the routine measures in meetings
    reactive_activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class RepInfo:
    email: str
    name: str
    timezone: str
    share_titles: bool


@dataclass(frozen=True)
class TrendPoint:
    """One commitment's figures in one past (or the current) week, from the history."""

    week: str  # ISO week label, e.g. 2026-W45
    commitment: str
    target: float
    scheduled: float
    adherence: float | None


class PlannedRow(NamedTuple):
    """One committed block of a week as a plan snapshot stores it (``planned_rows``)."""

    identity: str
    start: int  # epoch seconds
    end: int
    activity: str
    commitment: str
    seconds: int  # counted inside the week
    taken_by: str  # identities of the events already taking some of its seconds


@dataclass
class AuditResult:
    """The audit of one rep over one period.

    Tables (pandas DataFrames):
    - ``occurrences``: one row per occurrence touching the period, with
      ``hours`` (inside the period), ``counted_hours`` (after overlaps),
      ``activity``, ``rule``, ``counted`` and ``reason``;
    - ``daily``: counted hours per date and activity;
    - ``commitments``: one row per commitment: target, scheduled, gap, adherence...;
    - ``commitment_days``: per commitment and date, scheduled vs target;
    - ``findings``: one row per finding (``finding_objects`` keeps the objects).
    """

    rep: RepInfo
    period: Period
    occurrences: pd.DataFrame
    daily: pd.DataFrame
    commitments: pd.DataFrame
    commitment_days: pd.DataFrame
    finding_objects: Sequence[Finding]
    health: HealthFigures
    problems: tuple[Problem, ...] = ()
    notes: list[str] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)  # what the data can tell
    inputs: Inputs | None = None  # the routine and rules it was judged against
    # (occ, by_occ, seconds): seconds of occurrence occ counted to by_occ instead (an
    # overlap), by occ then by_occ; occ numbers are the ``occurrences`` index
    displacements: tuple[tuple[int, int, int], ...] = ()

    @property
    def finding_list(self) -> Sequence[Finding]:
        """``finding_objects``' name before 0.2."""
        return self.finding_objects

    @property
    def finding_count(self) -> int:
        """How many findings (the log lines say it)."""
        return len(self.finding_objects)

    @cached_property
    def commitment_records(self) -> tuple[dict[str, object], ...]:
        """The commitments as plain rows (history, reports, log lines)."""
        return tuple(plain_records(self.commitments))

    @property
    def finding_rows(self) -> tuple[tuple[str, str | None, date | None, str], ...]:
        """(kind, commitment, day, detail) of each finding: what the history records."""
        return tuple((f.kind, f.commitment, f.day, f.detail) for f in self.finding_objects)

    @property
    def day_rows(self) -> tuple[tuple[str, date, float, float], ...]:
        """(commitment, date, target, scheduled) of each judged day (a daily target) of
        the ``per: day`` commitments: what the history records for trends (issue 22)."""
        daily = {str(row["id"]) for row in self.commitment_records if row.get("per") == "day"}
        table = self.commitment_days
        if not daily or table.empty:
            return ()
        return tuple(
            (commitment, day, float(target), float(scheduled))
            for commitment, day, target, scheduled in zip(
                table["commitment"].tolist(),
                table["date"].tolist(),
                table["target"].tolist(),
                table["scheduled"].tolist(),
                strict=True,
            )
            if commitment in daily and target > 0
        )

    @property
    def planned_rows(self) -> tuple[PlannedRow, ...]:
        """(identity, start, end (epoch seconds), activity, commitment, counted seconds,
        taken by) of each committed block: a counted occurrence whose activity is that of
        an ``hours`` or ``blocks`` commitment, once per such commitment, in time order.
        ``taken by``: the identities of the events already taking some of its seconds
        (joined by ``TAKEN_BY_SEPARATOR``; they are not obstacles to the plan). What a
        snapshot of the week's plan stores (survival.py); never shown."""
        from .unit_kinds import unit_kind

        commitments = [
            (str(row["id"]), row["activity"])
            for row in self.commitment_records
            if unit_kind(str(row["unit"])).routine_blocks
        ]
        table = self.occurrences
        if not commitments or table.empty:
            return ()
        rows = table[table["counted"] & table["activity"].isin([a for _, a in commitments])]
        identities = table["identity"].to_dict()
        taken_by: dict[int, list[str]] = {}
        for occ, by, _ in self.displacements:
            taken_by.setdefault(int(occ), []).append(str(identities[by]))
        return tuple(
            PlannedRow(
                identity,
                int(start.timestamp()),
                int(end.timestamp()),
                activity,
                commitment,
                round(hours * 3600),
                TAKEN_BY_SEPARATOR.join(sorted(set(taken_by.get(int(occ), ())))),
            )
            for occ, identity, start, end, activity, hours in zip(
                rows.index.tolist(),
                rows["identity"].tolist(),
                rows["start"].tolist(),
                rows["end"].tolist(),
                rows["activity"].tolist(),
                rows["counted_hours"].tolist(),
                strict=True,
            )
            for commitment, committed in commitments
            if committed == activity
        )

    @property
    def findings(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": f.kind,
                    "commitment": f.commitment,
                    "date": f.day,
                    "detail": f.detail,
                    "evidence": len(f.evidence) + len(f.obstacles),
                }
                for f in self.finding_objects
            ],
            columns=["kind", "commitment", "date", "detail", "evidence"],
        )

    @property
    def incomplete(self) -> bool:
        """True when some input could not be read (exit code 1)."""
        return any(p.skipped for p in self.problems)

    @property
    def no_data(self) -> bool:
        """True when the period holds no calendar data (empty or stale): not judged, exit 1."""
        return not self.coverage.judged


def plain_records(table: pd.DataFrame) -> list[dict[str, object]]:
    """The rows as dicts of plain Python values (no numpy scalars, None for NaN)."""
    columns = {name: [_plain(v) for v in table[name].tolist()] for name in table.columns}
    rows = zip(*columns.values(), strict=True)
    return [dict(zip(columns, values, strict=True)) for values in rows]


def _plain(value: object) -> object:
    """numpy scalars and NaN to plain Python values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
