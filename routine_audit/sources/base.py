"""The one small interface every calendar source implements.

A source is one class (usually one module) and one registry entry (see
``routine_audit.sources``). It declares:

- ``name`` (what ``--source`` and a team file's ``calendar: {type: NAME}`` say);
- ``networked``: whether reading waits on the network (a team run then reads in threads);
- ``Settings``: a pydantic model of what a calendar entry holds besides ``type:``
  (validated with the usual one-line errors, located by field);
- ``open(settings, context)``: the source, from its settings plus what a team's sources
  share (the folder relative paths resolve against, the shared credentials);
- ``read(period, zone=...)``: every occurrence that overlaps the period, normalized
  (``read_periods`` reads several periods; a source that can, in one go).

What it can tell: each ``Event`` carries a stable identity (``Event.key``: the
iCalendar UID with RECURRENCE-ID; a source with ids of its own also fills
``source_id`` and ``series_id``), its creation time where known (``created``,
declared by ``tells_created``), and ``CalendarData.free_busy`` says whether the
reader sees only busy/free blocks (declared by ``tells_free_busy``).
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from ..model import CalendarData
from ..period import Period

T = TypeVar("T")


class SourceSettings(BaseModel):
    """What one calendar entry holds for a source: a team file's ``calendar:`` mapping
    without its ``type:``, or the ``--source-option KEY=VALUE`` pairs of a command."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # settings a team file's entry must give, though a command may leave them out (e.g.
    # CalDAV's calendar: `routine-audit calendars` lists those to choose from)
    entry_requires: ClassVar[tuple[str, ...]] = ()


class SharedCredentials:
    """What the sources of one run share: the team file's section for a source (its
    ``google:`` access), and whatever is loaded once for all reps (a sign-in).

    Thread-safe: a team run opens sources from many threads."""

    def __init__(self, sections: Mapping[str, Any] | None = None) -> None:
        self._sections = dict(sections or {})
        self._loaded: dict[Any, Any] = {}
        self._lock = Lock()

    def section(self, name: str) -> Any:
        """The team file's settings for the source ``name`` (None: there are none)."""
        return self._sections.get(name)

    def once(self, key: Any, make: Callable[[], T]) -> T:
        """``make()``, called once per run for ``key`` (the reps share what it loads)."""
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = make()
            return self._loaded[key]


@dataclass(frozen=True)
class SourceContext:
    """What a source is opened with besides its own settings."""

    folder: Path | None = None  # relative paths resolve here (a team file's); None: as given
    credentials: SharedCredentials = field(default_factory=SharedCredentials)
    owner: str | None = None  # the rep whose calendar it is (a service account acts as them)

    def resolve(self, value: str) -> str:
        """A path from the settings, against ``folder``; URLs untouched."""
        if "://" in value or self.folder is None:
            return value
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else self.folder / path)


class Source(ABC):
    """Yields normalized events for a period.

    ``zone`` is the rep's routine zone: floating times and all-day dates are
    taken in it. Sources raise ``SourceError`` only when nothing at all could be
    read; partial problems go into ``CalendarData.problems``.
    """

    name: ClassVar[str] = ""
    networked: ClassVar[bool] = False
    Settings: ClassVar[type[SourceSettings]] = SourceSettings
    tells_created: ClassVar[bool] = False  # events carry ``created`` where the calendar has it
    tells_free_busy: ClassVar[bool] = False  # ``CalendarData.free_busy`` is True or False
    # an optional package this source needs: (module, install extra)
    requires: ClassVar[tuple[str, str] | None] = None

    @classmethod
    def open(cls, settings: SourceSettings, context: SourceContext) -> Source:
        """The source for one calendar entry (credentials are loaded here, not on read)."""
        raise NotImplementedError(f"the {cls.name} source cannot be opened from settings")

    @classmethod
    def is_networked(cls, settings: SourceSettings) -> bool:
        """Whether this entry is read over the network (default: ``networked``)."""
        return cls.networked

    @classmethod
    def local_files(cls, settings: SourceSettings) -> list[tuple[str, str, str]]:
        """(field, path, what) of each local file the entry names: ``rules check`` and a
        team run's loader say which are missing before anything is read."""
        return []

    @classmethod
    def inventory(
        cls, settings: SourceSettings, context: SourceContext
    ) -> list[tuple[str, bool | None]]:
        """(noun, found) of each calendar the entry names, for ``rules check``'s summary
        ("2 .ics calendars found, 1 feed (--online reads them)"): found is whether a
        local one exists, None for one only ``--online`` reads."""
        return [(f"{cls.name} calendar", None if cls.is_networked(settings) else True)]

    @classmethod
    def missing_variables(cls, settings: SourceSettings) -> list[str]:
        """Warnings for credential variables the entry names that are not set in this
        environment (``rules check``: cron's environment differs, so not an error)."""
        return []

    @classmethod
    def missing_package(cls) -> str | None:
        """A warning when the package this source needs (``requires``: the module and the
        install extra) is not installed here; found without importing it."""
        if cls.requires is None:
            return None
        module, extra = cls.requires
        if importlib.util.find_spec(module) is not None:
            return None
        return (
            f"a {cls.name} calendar needs the {module} package, not installed here: "
            f"pip install 'routine-audit[{extra}]'"
        )

    @classmethod
    def preload(cls, settings: SourceSettings, context: SourceContext) -> None:
        """Load what the reps share (a sign-in) before a team run forks its workers."""
        return

    @classmethod
    def calendars(cls, settings: SourceSettings, context: SourceContext) -> list[dict[str, Any]]:
        """The calendars the account can read (``routine-audit calendars``): dicts with
        ``id``, ``accessRole``, ``summary`` and ``primary``."""
        from ..errors import UsageError

        raise UsageError(f"the {cls.name} source cannot list calendars")

    @classmethod
    def no_calendars(cls, settings: SourceSettings) -> str:
        """What ``routine-audit calendars`` says when ``calendars`` found none (one line)."""
        return "the account can read no calendar"

    @abstractmethod
    def read(self, period: Period, *, zone: ZoneInfo) -> CalendarData:
        """Every occurrence that overlaps ``period``."""

    def read_periods(
        self, periods: Sequence[Period], *, zone: ZoneInfo
    ) -> tuple[CalendarData, ...]:
        """``read`` of each period, in order (a run's audited week and the week ahead).

        A source that can read them at once (one parse, one request) does so, and says
        of each period what its own ``read`` would: the same occurrences meeting it,
        problems, coverage. Here: one read per period."""
        return tuple(self.read(period, zone=zone) for period in periods)

    def snapshot(self) -> tuple[bytes, Source] | None:
        """What the source holds now: a digest of it, and a source that reads exactly that.

        Reading the snapshot gives the same data for the same digest (and the same
        period and zone), whatever happens to the files afterwards. None when that is
        not cheap to know (feeds, APIs): the data must be read.
        """
        return None
