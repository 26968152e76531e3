"""A rep's proposals for the week ahead, kept: a warm run neither decodes the week
ahead's audit nor loads the engine to propose the same slots again.

Proposals (``routine_audit/proposals.py``) are a pure function of the week ahead's
reading of the audit (kept under ``ahead.ahead_key``, which covers the calendar, the
routine, the rules and the period), the habits the history holds for the rep before
that week, the code, and ``now`` as far as the proposer reads it (``now_seen``). They
are kept under a digest of those: a changed calendar, routine, rule or habit misses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from ..proposal_records import GRID, Proposals
from . import store

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..period import Period

KIND = "proposals"


def kept_proposals(
    key: str | None,
    period: Period,
    zone: ZoneInfo,
    habits: Mapping[str, Sequence[datetime]] | None,
    now: datetime | None,
    make: Callable[[], Proposals],
) -> Proposals:
    """The proposals ``make`` gives for the week-ahead reading kept under ``key`` (None:
    not kept) of ``period``, on the routine's clock ``zone``, with ``habits`` and
    ``now``; from the store when they were made before."""
    entry = proposals_key(key, period, zone, habits, now)
    found = None if entry is None else store.load(KIND, entry)
    if isinstance(found, Proposals):
        return found
    made = make()
    if entry is not None:
        store.store(KIND, entry, made)
    return made


def proposals_key(
    key: str | None,
    period: Period,
    zone: ZoneInfo,
    habits: Mapping[str, Sequence[datetime]] | None,
    now: datetime | None,
) -> str | None:
    """The key of the proposals (None: the reading has no key, or the store is off)."""
    if key is None or store.cache_dir() is None:
        return None
    shown = sorted((commitment, tuple(times)) for commitment, times in (habits or {}).items())
    return store.key(KIND, key.encode(), shown, now_seen(now, period, zone))


def now_seen(now: datetime | None, period: Period, zone: ZoneInfo) -> tuple[str, int]:
    """What the proposer reads of ``now`` for a week ``period`` on the clock ``zone``:
    one value for every ``now`` that gives the same proposals.

    The proposer reads ``now`` as whole epoch seconds, in two ways: the committed days
    whose end (the next midnight) is not after it are over, and nothing is proposed
    before it (its free runs are then trimmed inwards to the quarter hours from each
    day's midnight). Its slots lie inside the days ``period.first``..``period.last``, so
    every ``now`` before the first day's midnight reads as none at all, and every one
    from the last day's end on as the whole week over. Inside day D, trimming at ``now``
    or at the next quarter hour of D's clock ``q`` leaves the same slots, and D is open
    at both; when ``q`` is D's end, the last second of D stands for it (D still open).
    """
    if now is None:
        return ("before", 0)
    moment = int(now.timestamp())
    day = period.first
    if moment <= _midnight(day, zone):
        return ("before", 0)
    while day <= period.last:
        start, end = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
        if start <= moment < end:
            quarter = start + -(-(moment - start) // GRID) * GRID
            return ("at", min(quarter, end - 1))
        day += timedelta(days=1)
    if moment >= _midnight(period.last + timedelta(days=1), zone):
        return ("after", 0)
    return ("exact", moment)  # a clock whose days do not follow each other: as read


def _midnight(day, zone: ZoneInfo) -> int:
    """The start of ``day`` on the routine's clock, as the proposer reckons it."""
    return int(datetime.combine(day, time(), zone).timestamp())
