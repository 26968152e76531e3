"""Units as one table: how a commitment's amount is measured, judged and written.

One entry per unit a commitment may be counted in (hours, blocks, meetings). The
config's ``Unit`` enum is made from it, the engine measures by its ``measure`` and reads
its tolerance and flags, and the reports write amounts by its nouns. An unknown unit
fails loudly (``unit_kind``); nothing falls into another unit's branch.

This module imports nothing of the package: config, engine and reports all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PERS = ("day", "week")  # every ``per`` a commitment may have


class Measure(StrEnum):
    """How the engine counts a unit's scheduled amount per day (engine/measure.py)."""

    TIME = "time"  # the activity's counted seconds that day, in hours
    BLOCKS = "blocks"  # its merged runs of at least min_block, on the day they start
    MEETINGS = "meetings"  # its held occurrences, each once, on the day it starts


@dataclass(frozen=True)
class UnitKind:
    """One unit.

    ``routine_blocks``: the activity's events are routine blocks: they yield to other
    events (and may be displaced by them), have a window to keep to, and a ``min_block``.
    ``whole``: targets are whole numbers (half up, at least 1 on an available day) and
    reports give its figures as whole numbers. ``nouns``: amounts are counted
    (``3 blocks``); None: they are time (``2 h 30 min``). ``missing``: what a committed
    day without any lacks, ``{activity}`` and ``{at_least}`` (`` of at least 60 min``,
    or nothing without a ``min_block``) filled in. ``reactive``: the activity's meetings
    are the ones reactive booking counts.
    """

    name: str
    measure: Measure
    tolerance: float  # a gap this small (in the unit) is met
    routine_blocks: bool
    per: tuple[str, ...]  # the ``per`` values it allows
    whole: bool
    nouns: tuple[str, str] | None  # (one, several)
    missing: str
    reactive: bool = False

    def __post_init__(self) -> None:
        problems = [
            *([] if self.per and set(self.per) <= set(PERS) else [f"per {self.per}"]),
            *([] if self.tolerance > 0 else ["no tolerance"]),
            *([] if "{activity}" in self.missing else ["missing does not name {activity}"]),
        ]
        if problems:
            raise ValueError(f"unit {self.name!r}: {'; '.join(problems)}")

    @property
    def is_time(self) -> bool:
        """Its amount is time: it must fit its window and the working hours, and the
        daily table carries its hours target."""
        return self.measure is Measure.TIME

    def missing_text(self, activity: str, min_block: int) -> str:
        at_least = f" of at least {min_block} min" if min_block else ""
        return self.missing.format(activity=activity, at_least=at_least)


def _units(*units: UnitKind) -> dict[str, UnitKind]:
    return {unit.name: unit for unit in units}


UNITS: dict[str, UnitKind] = _units(
    UnitKind(
        "hours",
        Measure.TIME,
        tolerance=1 / 60,  # a minute
        routine_blocks=True,
        per=("day", "week"),
        whole=False,
        nouns=None,
        missing="no {activity} time on the calendar",
    ),
    UnitKind(
        "blocks",
        Measure.BLOCKS,
        tolerance=1e-6,
        routine_blocks=True,
        per=("day", "week"),
        whole=True,
        nouns=("block", "blocks"),
        # a day may hold time of the activity and still no block: pieces shorter than
        # min_block, or the end of a block that started the day before
        missing="no {activity} block{at_least} starts this day",
    ),
    UnitKind(
        "meetings",
        Measure.MEETINGS,
        tolerance=1e-6,
        routine_blocks=False,
        per=("day", "week"),  # "two client meetings every weekday"
        whole=True,
        nouns=("meeting", "meetings"),
        missing="no {activity} on the calendar",
        reactive=True,
    ),
)


class UnknownUnitError(ValueError):
    """A unit the table does not hold: a bug in our code (the config refuses it first)."""


def unit_kind(name: str) -> UnitKind:
    """The table entry of unit ``name``; an unknown unit fails loudly."""
    try:
        return UNITS[name]
    except KeyError:
        raise UnknownUnitError(
            f"unknown unit {name!r}: add it to UNITS in routine_audit/unit_kinds.py"
        ) from None
