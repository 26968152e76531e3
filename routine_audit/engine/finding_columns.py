"""Findings decided as columns, made into objects in one pass when first read.

A busy rep's year holds thousands of displaced blocks. The audit decides them
with numpy (which block lost how much to what) and returns them as a
``FindingSequence``: the ``Finding`` objects, their evidence and wording are built
from those columns, in one pass with the garbage collector paused, the first time
an item is read, after the audit's intermediate tables are gone. Counting them
builds nothing.
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

    def __reduce__(self) -> tuple:
        return OccurrenceMoments, (*self._columns, self._tz)  # not the moments worked out

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


Part = list[Finding] | DisplacedBlocks | BrokenLimits


class FindingParts:
    """An audit's findings in order, some parts as columns: ``build()`` lists them all."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Part]):
        self.parts = tuple(part for part in parts if len(part))

    def count(self) -> int:
        """How many findings ``build()`` makes, without making them."""
        return sum(len(part) for part in self.parts)

    def build(self) -> list[Finding]:
        found: list[Finding] = []
        with _collector_paused():
            for part in self.parts:
                found.extend(part if isinstance(part, list) else part.findings())
        return found


class FindingSequence(Sequence[Finding]):
    """An audit's findings, read-only: kept as columns (``FindingParts``) and listed
    once, whichever thread reads an item first; until then only their number is known.

    It equals a list (either way round) or another such sequence with the same findings.
    Pickled, it keeps the columns if no finding was read yet, else the list.
    """

    __slots__ = ("_built", "_count", "_lock", "_parts")

    def __init__(self, parts: FindingParts | list[Finding]):
        self._lock = threading.Lock()
        if isinstance(parts, FindingParts):
            self._parts: FindingParts | None = parts
            self._built: list[Finding] | None = None
            self._count = parts.count()
        else:
            self._parts, self._built, self._count = None, list(parts), len(parts)

    @property
    def built(self) -> bool:
        """Whether the Finding objects are made (reading any of them makes them all)."""
        return self._built is not None

    def _list(self) -> list[Finding]:
        found = self._built
        if found is None:
            with self._lock:
                found = self._built
                if found is None:  # no other thread made them meanwhile
                    assert self._parts is not None
                    found = self._parts.build()
                    self._built = found
                    self._parts = None  # the columns (and the moments they hold) go
        return found

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]  (an int or a slice, as a list)
        return self._list()[index]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._list())

    def __reversed__(self) -> Iterator[Finding]:
        return reversed(self._list())

    def __contains__(self, value: object) -> bool:
        return value in self._list()

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        return self._list().index(value, start, len(self) if stop is None else stop)

    def count(self, value: object) -> int:
        return self._list().count(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingSequence):
            other = other._list() if len(other) == len(self) else None
        elif not isinstance(other, list):
            return NotImplemented
        return other is not None and len(other) == len(self) and self._list() == other

    __hash__ = None  # type: ignore[assignment]  (mutable contents, as a list)

    def __reduce__(self) -> tuple:
        with self._lock:
            kept = self._built if self._built is not None else self._parts
        return FindingSequence, (kept,)

    def __repr__(self) -> str:
        found = self._built
        if found is None:
            return f"FindingSequence({self._count} findings, not built yet)"
        return f"FindingSequence({found!r})"


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
