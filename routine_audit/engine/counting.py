"""Which occurrences count as booked time: the table in docs/audit.md, vectorized."""

from __future__ import annotations

import numpy as np

from .timeline import Columns

# reason -> explanation, in the order they are checked (the first that applies is given)
NOT_COUNTED = {
    "cancelled": "cancelled",
    "declined": "declined by the rep",
    "free": "marked free (transparent)",
    "all-day": "all-day event",
    "out-of-office": "out of office (reduces capacity instead)",
    "working-location": "working-location marker",
}
# counted, but the report says so
HELD = {"tentative": "tentative", "needs_action": "not yet answered"}


def rep_responses(attendees: Columns, n: int, addresses: frozenset[str]) -> np.ndarray:
    """The rep's own answer per occurrence ('' where the rep is not an attendee)."""
    answer = np.full(n, "", dtype=object)
    mine = (attendees["is_self"].astype(bool) | np.isin(attendees["email"], list(addresses))) & (
        attendees["response"] != ""
    )
    rows = np.flatnonzero(mine)
    occs = attendees["occ"][rows]
    _, first = np.unique(occs, return_index=True)  # the first answer per occurrence wins
    answer[occs[first]] = attendees["response"][rows[first]]
    return answer


def counting_reasons(occurrences: Columns, rep_response: np.ndarray) -> tuple[np.ndarray, ...]:
    """``counted`` (bool) and ``reason`` (why not counted, or why counted with a note)."""
    status, event_type = occurrences["status"], occurrences["event_type"]
    checks = [
        ("cancelled", status == "cancelled"),
        ("declined", rep_response == "declined"),
        ("free", occurrences["transparent"].astype(bool)),
        ("all-day", occurrences["all_day"].astype(bool)),
        ("out-of-office", event_type == "outOfOffice"),
        ("working-location", event_type == "workingLocation"),
    ]
    reason = np.full(len(status), "", dtype=object)
    counted = np.ones(len(status), dtype=bool)
    for name, mask in reversed(checks):  # reversed: the first check in the table wins
        reason[mask] = name
        counted &= ~mask
    tentative = counted & ((status == "tentative") | (rep_response == "tentative"))
    needs_action = counted & ~tentative & (rep_response == "needs_action")
    reason[tentative] = "tentative"
    reason[needs_action] = "needs_action"
    return counted, reason
