"""The week ahead's reading of an audit, remembered beside the audit it reads.

A team run reads each rep's audit of the coming week as the week ahead
(``engine.ahead.in_tense``: the kinds only a past week shows left out, the week
ahead's own added). The reading is a pure function of the audit and the routine,
both covered by the audit's key, so it is kept under that key in its envelope: a
warm run records the week ahead's figures and findings without decoding it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import store
from .envelope import Envelope, kept_audit, opened

if TYPE_CHECKING:
    from ..config.schema import Routine
    from ..result import AuditResult


def ahead_audit(
    result: AuditResult | Envelope[AuditResult], routine: Routine, key: str | None
) -> Envelope[AuditResult]:
    """``result`` (the audit kept under ``key``, None: not kept) read as the week ahead,
    in its envelope; from the store when it was read before."""
    from ..engine.ahead import in_tense

    entry = None if key is None or store.cache_dir() is None else store.key("ahead", key.encode())
    found = None if entry is None else store.load("ahead", entry)
    if isinstance(found, Envelope):
        return found
    kept = kept_audit(in_tense(opened(result), routine, "ahead"))
    if entry is not None:
        store.store("ahead", entry, kept)
    return kept
