"""Speed behind one seam: the store, the remembered reads and audits, the kept pages.

Everything here wraps the domain from outside: ``remembering`` a source, a
remembered ``audit`` and read-and-audit (``audit_source``), the envelope a stored
record is kept in, and a team run's kept pages. Keys cover every input and the
package's own code, so nothing kept can be stale. No module of ``engine``,
``sources``, ``report`` or ``config`` imports this package.
"""

from __future__ import annotations

from .audits import (
    audit,
    audit_data,
    audit_source,
    pinned,
    pinned_periods,
    remembered_audit,
)
from .envelope import Envelope, kept_audit, kept_report, opened
from .pages import keep_pages, kept_pages, pages_key
from .sources import remembering
from .store import ENV, CacheWarning, cache_dir

__all__ = [
    "ENV",
    "CacheWarning",
    "Envelope",
    "audit",
    "audit_data",
    "audit_source",
    "cache_dir",
    "keep_pages",
    "kept_audit",
    "kept_pages",
    "kept_report",
    "opened",
    "pages_key",
    "pinned",
    "pinned_periods",
    "remembered_audit",
    "remembering",
]
