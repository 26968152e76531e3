"""Which occurrences count as booked time: the table in docs/audit.md, vectorized."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def rep_responses(attendees: pd.DataFrame, n: int, addresses: frozenset[str]) -> np.ndarray:
    """The rep's own answer per occurrence ('' where the rep is not an attendee)."""
    answer = np.full(n, "", dtype=object)
    if attendees.empty:
        return answer
    mine = attendees[attendees["is_self"] | attendees["email"].isin(addresses)]
    mine = mine[mine["response"] != ""]
    if not mine.empty:
        first = mine.drop_duplicates("occ")
        answer[first["occ"].to_numpy()] = first["response"].to_numpy()
    return answer


def counting_reasons(occurrences: pd.DataFrame, rep_response: np.ndarray) -> pd.DataFrame:
    """``counted`` (bool) and ``reason`` (why not counted, or why counted with a note)."""
    checks = [
        ("cancelled", occurrences["status"].to_numpy() == "cancelled"),
        ("declined", rep_response == "declined"),
        ("free", occurrences["transparent"].to_numpy()),
        ("all-day", occurrences["all_day"].to_numpy()),
        ("out-of-office", occurrences["event_type"].to_numpy() == "outOfOffice"),
        ("working-location", occurrences["event_type"].to_numpy() == "workingLocation"),
    ]
    reason = np.full(len(occurrences), "", dtype=object)
    counted = np.ones(len(occurrences), dtype=bool)
    for name, mask in reversed(checks):  # reversed: the first check in the table wins
        reason[mask] = name
        counted &= ~mask
    tentative = counted & (
        (occurrences["status"].to_numpy() == "tentative") | (rep_response == "tentative")
    )
    needs_action = counted & ~tentative & (rep_response == "needs_action")
    reason[tentative] = "tentative"
    reason[needs_action] = "needs_action"
    return pd.DataFrame({"counted": counted, "reason": reason}, index=occurrences.index)
