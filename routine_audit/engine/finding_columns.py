"""Findings decided as columns, then made into objects in one pass.

A busy rep's year holds thousands of displaced blocks. The audit decides them
with numpy (which block lost how much to what); the ``Finding`` objects, their
evidence and wording are built from those columns at the end of the audit, in
one pass with the garbage collector paused.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from itertools import pairwise

import numpy as np

from ..finding_kinds import DISPLACED, LIMIT_BROKEN, PROTECTED_OVERLAP
from ..result import Evidence, Finding
from ..wording import clock_span_text, duration_text


class OccurrenceMoments:
    """Each occurrence's start and end (epoch seconds) and activity, as evidence on demand."""

    __slots__ = ("_columns", "_lists", "_local", "_tz")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, activities: np.ndarray, tz: tzinfo):
        self._columns = (starts, ends, activities)
        self._tz = tz
        self._lists: tuple[list, list, list] | None = None
        self._local: dict[int, tuple[datetime, datetime, str]] = {}

    def evidence(self, occ: int, seconds: int = 0) -> Evidence:
        """Occurrence ``occ`` as evidence (its local moments worked out once)."""
        known = self._local.get(occ)
        if known is None:
            if self._lists is None:
                self._lists = tuple(column.tolist() for column in self._columns)
            starts, ends, activities = self._lists
            known = (
                datetime.fromtimestamp(starts[occ], self._tz),
                datetime.fromtimestamp(ends[occ], self._tz),
                activities[occ],
            )
            self._local[occ] = known
        return Evidence(occ, known[0], known[1], known[2], seconds)


@dataclass(frozen=True, eq=False)  # array fields: identity, not elementwise, equality
class EvidenceGroups:
    """Occurrences with their seconds, in groups (group ``i``: rows ``bounds[i]`` up to
    ``bounds[i + 1]``)."""

    occs: np.ndarray
    seconds: np.ndarray
    bounds: np.ndarray

    @classmethod
    def from_runs(cls, occs: np.ndarray, seconds: np.ndarray, starts: np.ndarray) -> EvidenceGroups:
        """Groups that begin at rows ``starts`` (sorted, the first 0)."""
        return cls(occs, seconds, np.append(starts, len(occs)))

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def each(self, moments: OccurrenceMoments) -> list[tuple[tuple[Evidence, ...], int]]:
        """Per group: its evidence, and its seconds in all."""
        occs, seconds, bounds = self.occs.tolist(), self.seconds.tolist(), self.bounds.tolist()
        evidence = moments.evidence
        return [
            (
                tuple(evidence(occs[j], seconds[j]) for j in range(first, last)),
                sum(seconds[first:last]),
            )
            for first, last in pairwise(bounds)
        ]


# per kind, how a block's seconds went to the other events (a protected block may keep them)
_HOW = {DISPLACED: "lost {} to", PROTECTED_OVERLAP: "overlapped for {} by"}


@dataclass(frozen=True, eq=False)  # array fields: identity, not elementwise, equality
class DisplacedBlocks:
    """A commitment's blocks that lost time to other events (or, protected, that other
    events overlap): block ``i`` is occurrence ``victims[i]``, which lost (or shared)
    ``lost[i]`` seconds with the ``obstacles`` of group ``i``."""

    kind: str  # displaced, or protected_overlap
    commitment: str
    what: str  # "prospecting block", "protected time"
    victims: np.ndarray
    lost: np.ndarray
    obstacles: EvidenceGroups
    moments: OccurrenceMoments

    def __len__(self) -> int:
        return len(self.victims)

    def findings(self) -> list[Finding]:
        found = []
        groups = self.obstacles.each(self.moments)
        for occ, lost, (obstacles, _) in zip(
            self.victims.tolist(), self.lost.tolist(), groups, strict=True
        ):
            victim = self.moments.evidence(occ, lost)
            count = len(obstacles)
            detail = (
                f"{self.what} {clock_span_text(victim.start, victim.end)} "
                f"{_HOW[self.kind].format(duration_text(lost))} "
                f"{count} other event{'s' if count > 1 else ''}"
            )
            found.append(
                Finding(
                    self.kind, self.commitment, victim.start.date(), detail, (victim,), obstacles
                )
            )
        return found


@dataclass(frozen=True, eq=False)  # array fields: identity, not elementwise, equality
class BrokenLimits:
    """An agreed limit broken on ``days``: on day ``i``, the events of group ``i``."""

    limit: str
    what: str  # "after 18:00"
    days: tuple[date, ...]
    events: EvidenceGroups
    moments: OccurrenceMoments

    def __len__(self) -> int:
        return len(self.days)

    def findings(self) -> list[Finding]:
        return [
            Finding(
                LIMIT_BROKEN,
                self.limit,
                day,
                f"{duration_text(seconds)} booked {self.what}",
                evidence,
            )
            for day, (evidence, seconds) in zip(
                self.days, self.events.each(self.moments), strict=True
            )
        ]


class FindingParts:
    """An audit's findings in order, some parts as columns: ``build()`` lists them all."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[list[Finding] | DisplacedBlocks | BrokenLimits]):
        self.parts = tuple(part for part in parts if len(part))

    def build(self) -> list[Finding]:
        found: list[Finding] = []
        with _collector_paused():
            for part in self.parts:
                found.extend(part if isinstance(part, list) else part.findings())
        return found


_pauses = 0
_pauses_lock = threading.Lock()
_resume = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while findings are made: they hold no cycles, and a
    year's build makes a million objects, each allocation burst starting a pass over
    everything alive (a third of the build's time). Nested and threaded pauses resume
    the collector once, when the last ends, and only if it ran before the first."""
    global _pauses, _resume
    with _pauses_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
