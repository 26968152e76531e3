"""The one small interface every calendar source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from zoneinfo import ZoneInfo

from ..model import CalendarData
from ..period import Period


class Source(ABC):
    """Yields normalized events for a period.

    ``zone`` is the rep's routine zone: floating times and all-day dates are
    taken in it. Sources raise ``SourceError`` only when nothing at all could be
    read; partial problems go into ``CalendarData.problems``.
    """

    name: str = ""

    @abstractmethod
    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        """Every occurrence that overlaps ``period``."""

    def fingerprint(self) -> bytes | None:
        """A digest of everything ``read`` would read, when that is cheap to know.

        Two reads with the same fingerprint (and the same period and zone) give
        the same data. None means unknown (feeds, APIs): the data must be read.
        """
        return None

    def read_matches_fingerprint(self) -> bool:
        """Whether the last ``read`` read exactly what the last ``fingerprint`` described."""
        return False
