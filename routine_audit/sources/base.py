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

    def snapshot(self) -> tuple[bytes, Source] | None:
        """What the source holds now: a digest of it, and a source that reads exactly that.

        Reading the snapshot gives the same data for the same digest (and the same
        period and zone), whatever happens to the files afterwards. None when that is
        not cheap to know (feeds, APIs): the data must be read.
        """
        return None
