"""The audit, remembered: a re-run over unchanged inputs skips the engine.

The key is a digest of everything ``audit`` reads (the calendar data as read,
the routine, the rules, the period and its zone) and the package version, so a
change to any of them misses; the audit is a pure function of these.
"""

from __future__ import annotations

from ..config.schema import Routine, RuleSet
from ..model import CalendarData
from ..period import Period
from ..result import AuditResult
from .audit import audit


def audit_cached(
    data: CalendarData, routine: Routine, rules: RuleSet, period: Period
) -> AuditResult:
    """``audit``, read from the cache when the same inputs were audited before."""
    from .. import cache

    if cache.cache_dir() is None:
        return audit(data, routine, rules, period)  # no key worth computing
    # repr, not pickle: pickle's bytes depend on which objects are shared (a fresh read
    # and the same read from the cache would differ); the records' reprs do not
    inputs = (
        data,
        routine.model_dump(mode="json"),
        rules.model_dump(mode="json"),
        period.first,
        period.last,
        period.tz.key,
    )
    return cache.remembered(
        "audit", repr(inputs).encode(), (), lambda: audit(data, routine, rules, period)
    )
