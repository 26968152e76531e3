"""The envelope: a kept record, with what warm runs read at hand and the rest encoded.

The store keeps audits and report views; a warm team run reads many of them and
uses only their small facts (figures, finding count, commitment rows, coverage,
what the history records), so decoding their big tables and findings up front
would be most of its time (and would load pandas). An envelope holds those facts
as plain values and the whole record pickled once; it reads as the record, and
reading anything else decodes the record, once, whichever thread asks first. The
records themselves stay plain dataclasses: the envelope is around them, not in them.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# one lock for every envelope: decoding holds the GIL anyway, and it is rare on warm runs
_DECODING = threading.Lock()

# what a warm run reads of an audit (log lines, history, roll-up, exit codes, trends)
AUDIT_AT_HAND = (
    "rep",
    "period",
    "coverage",
    "inputs",
    "incomplete",
    "no_data",
    "finding_count",
    "commitment_records",
    "finding_rows",
    "planned_rows",  # what a snapshot of the week ahead's plan stores (issue 20)
    "day_rows",  # the per-day figures the history keeps for trends (issue 22)
)
# what a warm run reads of a rep's report view (roll-up, team page, team.json and .csv)
REPORT_AT_HAND = (
    "rep",
    "audience",
    "period",
    "commitments",
    "incomplete",
    "titles_shown",
    "coverage",
    "judged",
    "trend",
    "plan",  # the roll-up ranks reps by plan survival (issue 20)
)


class Envelope(Generic[T]):
    """``record`` kept with the values of ``at_hand`` beside it.

    Those names read without decoding; any other attribute is the record's own,
    decoded on first use (``open()`` gives the record itself). Pickling keeps the
    facts and the record's bytes, encoded once: a record stored and then sent to
    another process is pickled once, and arrives still encoded.
    """

    __slots__ = ("_encoded", "_facts", "_record", "_type")

    def __init__(self, record: T, at_hand: tuple[str, ...]) -> None:
        self._facts: dict[str, Any] = {name: getattr(record, name) for name in at_hand}
        self._record: T | None = record
        self._encoded: bytes | None = None
        self._type: type = type(record)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        """The record's class, without decoding it: a team run's results are still
        ``isinstance`` of ``AuditResult`` and ``RepReport`` (``render`` takes one), as
        they were before the envelope; ``type()`` still says ``Envelope``."""
        return self._type

    @property
    def opened(self) -> bool:
        """Whether the record is decoded (or was never encoded)."""
        return self._record is not None

    def open(self) -> T:
        """The whole record, decoded on first use."""
        record = self._record
        if record is not None:
            return record
        with _DECODING:
            if self._record is None:  # another thread may have decoded it meanwhile
                assert self._encoded is not None
                self._record = decode(self._encoded)
            return self._record

    def __getattr__(self, name: str) -> Any:  # only for names not found the usual way
        if name.startswith("__") or name in Envelope.__slots__:
            raise AttributeError(name)  # pickle and copy probe dunders: never decode for them
        facts = self._facts
        if name in facts:
            return facts[name]
        return getattr(self.open(), name)

    def __reduce__(self) -> tuple[Any, ...]:
        if self._encoded is None:
            self._encoded = pickle.dumps(self._record, pickle.HIGHEST_PROTOCOL)
        return (_restored, (self._facts, self._encoded, self._type))

    def __repr__(self) -> str:
        state = "open" if self.opened else "encoded"
        return f"Envelope({', '.join(self._facts)}; {state})"


def decode(encoded: bytes) -> Any:
    """A record from its bytes (our own owner-only store, or our own worker: trusted)."""
    return pickle.loads(encoded)


def _restored(facts: dict[str, Any], encoded: bytes, kind: type) -> Envelope[Any]:
    envelope: Envelope[Any] = Envelope.__new__(Envelope)
    envelope._facts = facts
    envelope._record = None
    envelope._encoded = encoded
    envelope._type = kind
    return envelope


def kept_audit(result: T) -> Envelope[T]:
    """An audit result in its envelope (see ``AUDIT_AT_HAND``)."""
    return result if isinstance(result, Envelope) else Envelope(result, AUDIT_AT_HAND)


def kept_report(report: T) -> Envelope[T]:
    """A rep's report view in its envelope (see ``REPORT_AT_HAND``)."""
    return report if isinstance(report, Envelope) else Envelope(report, REPORT_AT_HAND)


def opened(record: T | Envelope[T]) -> T:
    """The record itself, whether or not it came in an envelope."""
    return record.open() if isinstance(record, Envelope) else record
