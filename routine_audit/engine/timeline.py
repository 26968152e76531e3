"""The timeline: clip to the period, split at local midnight, give every second one owner.

All times are integer epoch seconds. The overlap resolution is vectorized:
the period is cut at every segment boundary into elementary intervals, and
each interval goes to the covering segment with the best (lowest) rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from ..period import Period

# a table as named columns of equal length: the engine's working form, without pandas' overhead
Columns = dict[str, np.ndarray]


@lru_cache(maxsize=64)
def local_midnights(period: Period) -> np.ndarray:
    """Epoch seconds of every local midnight from the period's start to its end (read-only:
    kept for the next audit of the same period)."""
    days = [*period.days, period.last + timedelta(days=1)]
    midnights = np.array(
        [int(datetime.combine(d, time(), period.tz).timestamp()) for d in days], dtype=np.int64
    )
    midnights.flags.writeable = False
    return midnights


def split_at_midnight(
    occ: np.ndarray, start: np.ndarray, end: np.ndarray, midnights: np.ndarray
) -> Columns:
    """Clip [start, end) to the period and cut it at local midnights.

    Returns one row per piece: ``occ``, ``day`` (index into the period's days),
    ``seg_start``, ``seg_end``.
    """
    s = np.maximum(start, midnights[0])
    e = np.minimum(end, midnights[-1])
    keep = e > s
    occ, s, e = occ[keep], s[keep], e[keep]
    first_day = np.searchsorted(midnights, s, side="right") - 1
    last_day = np.searchsorted(midnights, e, side="left") - 1
    counts = last_day - first_day + 1
    row = np.repeat(np.arange(len(occ)), counts)
    day = first_day[row] + _offsets(counts)
    return {
        "occ": occ[row],
        "day": day,
        "seg_start": np.maximum(s[row], midnights[day]),
        "seg_end": np.minimum(e[row], midnights[day + 1]),
    }


@dataclass(frozen=True)
class Ownership:
    """Who owns each second: per segment, and the pieces and conflicts behind it."""

    counted_seconds: np.ndarray  # per segment
    pieces: Columns  # seg, start, end: owned elementary intervals in time order
    conflicts: Columns  # seg (lost time), by_seg (took it), seconds; by seg then by_seg


def resolve_overlaps(seg_start: np.ndarray, seg_end: np.ndarray, rank: np.ndarray) -> Ownership:
    """Give each elementary interval to the covering segment with the lowest ``rank``.

    ``rank`` must be a permutation of 0..n-1 (a strict priority order).
    """
    n = len(seg_start)
    if n == 0:
        none = np.zeros(0, dtype=np.int64)
        empty = {"seg": none, "start": none, "end": none}
        return Ownership(none, empty, {"seg": none, "by_seg": none, "seconds": none})
    bounds = _distinct(np.concatenate([seg_start, seg_end]))
    first = np.searchsorted(bounds, seg_start)
    counts = np.searchsorted(bounds, seg_end) - first
    seg = np.repeat(np.arange(n), counts)
    interval = first[seg] + _offsets(counts)
    best = np.full(len(bounds), n, dtype=np.int64)
    np.minimum.at(best, interval, rank[seg])
    won = rank[seg] == best[interval]
    length = bounds[interval + 1] - bounds[interval]
    counted = np.bincount(seg[won], weights=length[won], minlength=n).astype(np.int64)

    by_rank = np.empty(n, dtype=np.int64)
    by_rank[rank] = np.arange(n)
    lost = ~won
    lost_seg, by_seg, seconds = seg[lost], by_rank[best[interval[lost]]], length[lost]
    order = np.lexsort((by_seg, lost_seg))
    lost_seg, by_seg, seconds = lost_seg[order], by_seg[order], seconds[order]
    pairs = run_starts(lost_seg, by_seg)
    conflicts = {
        "seg": lost_seg[pairs],
        "by_seg": by_seg[pairs],
        "seconds": np.add.reduceat(seconds, pairs) if len(pairs) else seconds,
    }
    # each interval has at most one owner: in time order without sorting
    owner = np.full(len(bounds), -1, dtype=np.int64)
    owner[interval[won]] = seg[won]
    owned = np.flatnonzero(owner >= 0)
    pieces = {"seg": owner[owned], "start": bounds[owned], "end": bounds[owned + 1]}
    return Ownership(counted, pieces, conflicts)


def merge_blocks(pieces: Columns, activity: np.ndarray, day: np.ndarray) -> Columns:
    """Runs of owned time of one activity, back-to-back pieces merged, also across local
    midnight: a block belongs to the ``day`` its first piece is on (the day it starts).

    ``activity`` and ``day`` are per piece. Returns activity, day, start, end,
    seconds and the first piece's ``seg``.
    """
    if not len(pieces["start"]):
        none = np.zeros(0, dtype=np.int64)
        return {
            "activity": np.zeros(0, dtype=object),
            **dict.fromkeys(("day", "start", "end", "seconds", "seg"), none),
        }
    start, end = pieces["start"], pieces["end"]
    names, codes = sorted_codes(np.asarray(activity, dtype=object))
    order = np.lexsort((start, codes))  # by activity, then start (stable)
    s, e, a, d = start[order], end[order], codes[order], np.asarray(day)[order]
    new_block = np.ones(len(order), dtype=bool)
    new_block[1:] = (a[1:] != a[:-1]) | (s[1:] != e[:-1])
    first = np.flatnonzero(new_block)
    block_end = np.maximum.reduceat(e, first)
    return {
        "activity": names[a[first]],
        "day": d[first],
        "start": s[first],  # sorted by start within a block: the first is the minimum
        "end": block_end,
        "seconds": block_end - s[first],
        "seg": pieces["seg"][order][first],
    }


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for a column of a few distinct strings:
    hashed, not sorted row by row (comparing Python strings is what costs)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # a None is an error below
    uniques = np.asarray(uniques, dtype=values.dtype)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[codes]


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Where each run of equal consecutive key tuples begins (keys sorted together)."""
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    changed = np.zeros(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        changed |= key[1:] != key[:-1]
    return np.concatenate(([0], np.flatnonzero(changed) + 1))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique hashes integers first: slower here)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _offsets(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for each entry of ``counts``, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts
