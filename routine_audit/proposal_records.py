"""What a proposal is (``routine_audit/proposals.py`` makes them): the records alone.

They import nothing of the engine: a team run that keeps a rep's proposals reads them
back (and writes their .ics file) without loading it; ``routine_audit.proposals``
re-exports them under their old home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

GRID = 15 * 60  # slots start and end on the quarter hours of the routine's clock


@dataclass(frozen=True)
class ProposedBlock:
    """One proposed block: its times (in the routine's zone), the title the rep's rules
    classify to the commitment's activity, why it is proposed, and its slot (the
    committed day and the block's number on it: what its UID is made from)."""

    commitment: str
    activity: str
    start: datetime
    end: datetime
    title: str
    reason: str
    slot: str  # e.g. 2026-11-11#1
    description: str = ""

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class Unplaced:
    """What of a commitment could not be proposed, and why (``short`` in its unit)."""

    commitment: str
    short: float
    reason: str


@dataclass(frozen=True)
class Proposals:
    """The proposals for one rep's week ahead."""

    rep: str
    week: str
    blocks: tuple[ProposedBlock, ...]
    unplaced: tuple[Unplaced, ...]

    def for_commitment(self, commitment: str) -> tuple[ProposedBlock, ...]:
        return tuple(b for b in self.blocks if b.commitment == commitment)


def reason_text(item: Unplaced, unit: str) -> str:
    """``prospecting: 1 h 30 min not proposed: only 30 min free inside the window on
    Wed 11 Nov``."""
    from .wording import amount_text

    return f"{item.commitment}: {amount_text(item.short, unit)} not proposed: {item.reason}"
