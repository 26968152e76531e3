"""A source seen through the store: what it parses is remembered by content.

Sources know nothing of the store. A source with a costly, pure step says so by
taking a replacement for it (``IcsSource.reading_with``: how one document becomes
events); this module hands it one that asks the store first. A changed file, period
or zone has another key, so a remembered read is always the read it would make.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .store import remembered

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..model import Event, Problem
    from ..period import Period
    from ..sources.base import Source
    from ..sources.ics import Document

_ICS = "routine_audit.sources.ics"


def remembering(source: Source) -> Source:
    """``source``, its documents' reads remembered (the same answers, sooner); as it is
    when it has no such step."""
    ics = sys.modules.get(_ICS)  # not loaded: the source cannot be an .ics one
    if ics is not None and isinstance(source, ics.IcsSource):
        return source.reading_with(read_document)
    return source


def read_document(
    document: Document, period: Period, zone: ZoneInfo
) -> tuple[list[Event], list[Problem]]:
    """``sources.ics.read_document``, remembered by the document's content digest, name,
    period and zone."""
    ics = sys.modules[_ICS]
    parts = (document.name, period.first, period.last, period.tz.key, zone.key)
    return remembered(
        "ics", document.digest, parts, lambda: ics.read_document(document, period, zone)
    )
