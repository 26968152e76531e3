"""Recurring series expanded in bounded time: each examines at most ``MAX_CANDIDATES``.

dateutil, under recurring-ical-events, looks for a rule's next match up to the year
9999 however rarely the rule can match (``FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30``
never does: some three million days examined, seconds of CPU), and has no limit of
its own (dateutil/dateutil#1393). Its loop asks an ``_iterinfo`` for the days of
each period it examines (an hour of an hourly rule, a day, a week, a month, a
year), once per period; a series expanded here runs a copy of that loop whose
``_iterinfo`` counts those periods against the series' budget, and the series
stops, reported, when the budget is spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FunctionType, MethodType
from typing import Any

from dateutil import rrule as _dateutil

from .limits import MAX_CANDIDATES, MAX_READ_CANDIDATES

_BUDGET = "_routine_audit_budget"  # the attribute a bounded rule carries


class SeriesTooCostlyError(Exception):
    """A series examined ``MAX_CANDIDATES`` candidate times in one read, or the read's
    series together ``MAX_READ_CANDIDATES`` (``whole_read``)."""

    def __init__(self, message: str, *, whole_read: bool = False) -> None:
        super().__init__(message)
        self.whole_read = whole_read


class _Budget:
    """Candidate times left to a series, and to the whole read (``read``): many series
    each under their own limit must not add up to hours."""

    __slots__ = ("left", "read")

    def __init__(self, candidates: int, read: _Budget | None = None) -> None:
        self.left = candidates
        self.read = read

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise SeriesTooCostlyError(
                f"examined {MAX_CANDIDATES:,} candidate times", whole_read=self.read is None
            )
        if self.read is not None:
            self.read.spend()


def read_budget() -> _Budget:
    """The candidate times one read's series may examine together."""
    return _Budget(MAX_READ_CANDIDATES)


class _CountingInfo(_dateutil._iterinfo):
    """dateutil's per-iteration helper; each day set asked for is one period examined.
    (No ``__slots__`` here: the base's ``__init__`` walks ``self.__slots__``.)"""

    def ydayset(self, year: int, month: int, day: int) -> Any:
        getattr(self.rrule, _BUDGET).spend()
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> Any:
        getattr(self.rrule, _BUDGET).spend()
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> Any:
        getattr(self.rrule, _BUDGET).spend()
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> Any:
        getattr(self.rrule, _BUDGET).spend()
        return super().ddayset(year, month, day)


# dateutil's own loop, run with the counting helper; dateutil itself is left as it is
_plain_iter = _dateutil.rrule._iter
_counted_iter = FunctionType(
    _plain_iter.__code__,
    {**vars(_dateutil), "_iterinfo": _CountingInfo},
    _plain_iter.__name__,
    _plain_iter.__defaults__,
    _plain_iter.__closure__,
)


@dataclass
class Expansion:
    """What a bounded expansion found, and which series it stopped."""

    components: list[Any] = field(default_factory=list)
    too_costly: list[str] = field(default_factory=list)  # UIDs, in file order
    read_spent: list[str] = field(default_factory=list)  # UIDs met after the read's budget
    over: bool = False  # more occurrences than the ``limit`` asked for


def bound(query: Any, read: _Budget | None = None) -> Any:
    """Give each series of a recurring-ical-events query its own budget, all drawing on
    ``read`` (a fresh ``read_budget()`` if not given); return the query.

    A series that spends it ends there for the rest of the query's life: its
    occurrences found so far stay, later ones are not looked for.
    """
    read = read_budget() if read is None else read
    query.series = [_Bounded(series, read) for series in query.series]
    return query


def expand(
    query: Any, start: Any, stop: Any, *, limit: int, read: _Budget | None = None
) -> Expansion:
    """The occurrences between ``start`` and ``stop``, as recurring-ical-events gives
    them, with the series that spent their budget left out whole. Stops collecting
    after ``limit`` + 1 occurrences (``over``)."""
    start, stop = query.to_datetime(start), query.to_datetime(stop)
    found = Expansion()
    keep = query.keep_recurrence_attributes
    for series in bound(query, read).series:
        occurrences = list(series.between(start, stop))
        if series.spent:
            (found.read_spent if series.whole_read else found.too_costly).append(str(series.uid))
            continue
        found.components.extend(o.as_component(keep) for o in occurrences)
        if len(found.components) > limit:
            found.over = True
            break
    return found


class _Bounded:
    """One series whose rules examine at most ``MAX_CANDIDATES`` periods in all."""

    def __init__(self, series: Any, read: _Budget) -> None:
        self.series = series
        self.spent = False
        self.whole_read = False
        budget = _Budget(MAX_CANDIDATES, read)
        for rule in getattr(series.recurrence, "rrules", ()):
            if type(rule) is _dateutil.rrule:
                _give(rule, budget)

    @property
    def uid(self) -> Any:
        return self.series.uid

    def between(self, start: Any, stop: Any) -> Iterator[Any]:
        if self.spent:
            return
        try:
            yield from self.series.between(start, stop)
        except SeriesTooCostlyError as exc:
            # the rule's cache lock stays taken: this series is never iterated again
            self.spent = True
            self.whole_read = exc.whole_read


def _give(rule: Any, budget: _Budget) -> None:
    setattr(rule, _BUDGET, budget)
    rule._iter = MethodType(_counted_iter, rule)
    if rule._cache is not None:  # the cached generator was made before: make it again
        rule._cache_gen = rule._iter()
