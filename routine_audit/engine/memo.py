"""The audit, remembered: a re-run over unchanged inputs skips the reading and the engine.

Keys are digests of everything an audit reads (the routine and rules files'
paths and digests too: the result names them) and the package's version and
code, so a change to any input misses; the audit is a pure function of them. Two levels:

- by source: the files' digests (``Source.snapshot``), routine, rules and
  period. A hit skips reading the calendar as well as the engine.
- by data: the calendar data as read (for sources without a snapshot, such
  as the Google API and feeds, whose data must be fetched anyway).
"""

from __future__ import annotations

from ..config.schema import Routine, RuleSet
from ..model import CalendarData
from ..period import Period
from ..result import AuditResult
from ..sources.base import Source


def pinned(
    source: Source, routine: Routine, rules: RuleSet, period: Period
) -> tuple[str | None, Source]:
    """The key of this source's audit, and a source that reads exactly what the key
    describes; (None, ``source``) when the key cannot be known without reading."""
    from .. import cache

    if cache.cache_dir() is None:
        return None, source
    snapshot = source.snapshot()
    if snapshot is None:
        return None, source
    digest, held = snapshot
    return cache.key("source-audit", digest, *_settings(routine, rules, period)), held


def remembered_audit(key: str | None) -> AuditResult | None:
    """The audit stored under ``key``, if any."""
    from .. import cache

    return None if key is None else cache.load("source-audit", key)


def audit_source(source: Source, routine: Routine, rules: RuleSet, period: Period) -> AuditResult:
    """Read ``source`` for ``period`` and audit it, from the cache when possible."""
    key, held = pinned(source, routine, rules, period)
    found = remembered_audit(key)
    if found is not None:
        return found
    return audit_data(held.read(period, zone=routine.zone), routine, rules, period, key)


def audit_data(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period, key: str | None
) -> AuditResult:
    """Audit data read from a source, kept under the source's ``key`` (or by the data)."""
    from .. import cache

    if key is None:
        return audit_cached(data, routine, rules, period)
    from .audit import audit

    result = audit(data, routine, rules, period)
    cache.store("source-audit", key, result)
    return result


def audit_cached(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period
) -> AuditResult:
    """``audit``, read from the cache when the same inputs were audited before."""
    from .. import cache
    from .audit import audit

    if cache.cache_dir() is None:
        return audit(data, routine, rules, period)  # no key worth computing
    # repr, not pickle: pickle's bytes depend on which objects are shared (a fresh read
    # and the same read from the cache would differ); the records' reprs do not
    inputs = (data, *_settings(routine, rules, period))
    return cache.remembered(
        "audit", repr(inputs).encode(), (), lambda: audit(data, routine, rules, period)
    )


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
