"""The audit, remembered: a re-run over unchanged inputs skips the reading and the engine.

Keys are digests of everything an audit reads (the routine and rules files'
paths and digests too: the result names them) and the package's version and
code, so a change to any input misses; the audit is a pure function of them. Two levels:

- by source: the files' digests (``Source.snapshot``), routine, rules and
  period. A hit skips reading the calendar as well as the engine.
- by data: the calendar data as read (for sources without a snapshot, such
  as the Google API and feeds, whose data must be fetched anyway).

A stored audit is kept in its envelope (``envelope.py``): a team run reads its
figures without decoding its tables. The engine and the sources know none of this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import store
from .envelope import Envelope, kept_audit
from .sources import remembering

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..config.schema import Routine, RuleSet
    from ..model import CalendarData
    from ..period import Period
    from ..result import AuditResult
    from ..sources.base import Source


def pinned(
    source: Source, routine: Routine, rules: RuleSet, period: Period
) -> tuple[str | None, Source]:
    """The key of this source's audit, and a source that reads exactly what the key
    describes (its reads remembered); (None, the source) when the key cannot be known
    without reading."""
    keys, held = pinned_periods(source, routine, rules, (period,))
    return keys[0], held


def pinned_periods(
    source: Source, routine: Routine, rules: RuleSet, periods: Sequence[Period]
) -> tuple[list[str | None], Source]:
    """``pinned`` for several periods of one source (a run's week and the week ahead):
    the files read and hashed once, one key per period."""
    if store.cache_dir() is None:
        return [None] * len(periods), source
    source = remembering(source)
    snapshot = source.snapshot()
    if snapshot is None:
        return [None] * len(periods), source
    digest, held = snapshot
    keys: list[str | None] = [
        store.key("source-audit", digest, *_settings(routine, rules, period)) for period in periods
    ]
    return keys, held


def remembered_audit(key: str | None) -> Envelope[AuditResult] | None:
    """The audit stored under ``key``, if any (in its envelope)."""
    found = None if key is None else store.load("source-audit", key)
    return found if isinstance(found, Envelope) else None


def audit_source(source: Source, routine: Routine, rules: RuleSet, period: Period) -> AuditResult:
    """Read ``source`` for ``period`` and audit it, from the store when possible."""
    key, held = pinned(source, routine, rules, period)
    found = remembered_audit(key)
    if found is None:
        found = audit_data(held.read(period, zone=routine.zone), routine, rules, period, key)
    return found.open()


def audit_data(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period, key: str | None
) -> Envelope[AuditResult]:
    """Audit data read from a source, kept under the source's ``key`` (or by the data);
    in its envelope, which sends it to another process with its tables still encoded."""
    if key is None:
        return _audit_by_data(data, routine, rules, period)
    from ..engine.audit import audit as engine_audit

    kept = kept_audit(engine_audit(data, routine, rules, period))
    store.store("source-audit", key, kept)
    return kept


def audit(data: CalendarData, routine: Routine, rules: RuleSet, period: Period) -> AuditResult:
    """``engine.audit``, read from the store when the same inputs were audited before."""
    return _audit_by_data(data, routine, rules, period).open()


def _audit_by_data(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period
) -> Envelope[AuditResult]:
    from ..engine.audit import audit as engine_audit

    if store.cache_dir() is None:  # no key worth computing
        return kept_audit(engine_audit(data, routine, rules, period))
    # repr, not pickle: pickle's bytes depend on which objects are shared (a fresh read
    # and the same read from the store would differ); the records' reprs do not
    inputs = (data, *_settings(routine, rules, period))
    found = store.remembered(
        "audit",
        repr(inputs).encode(),
        (),
        lambda: kept_audit(engine_audit(data, routine, rules, period)),
    )
    if not isinstance(found, Envelope):  # not ours (a stray entry): audit afresh
        return kept_audit(engine_audit(data, routine, rules, period))
    return found


def _settings(routine: Routine, rules: RuleSet, period: Period) -> tuple[object, ...]:
    from ..inputs import inputs_of

    return (
        routine.model_dump(mode="json"),
        rules.model_dump(mode="json"),
        inputs_of(routine, rules),  # the result names the files it was judged against
        period.first,
        period.last,
        period.tz.key,
    )
