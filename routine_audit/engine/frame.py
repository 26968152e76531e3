"""Normalized events to the engine's tables: one row per occurrence, one per attendee."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..model import Event

OCCURRENCE_COLUMNS = [
    "occ",
    "uid",
    "start_ts",
    "end_ts",
    "start",
    "end",
    "all_day",
    "summary",
    "description",
    "location",
    "calendar",
    "color",
    "status",
    "transparent",
    "private",
    "event_type",
    "organizer",
    "organized_by_self",
    "created_ts",
    "source",
]


def events_frame(events: Sequence[Event]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(occurrences, attendees); times as integer epoch seconds plus the aware originals."""
    occurrences = pd.DataFrame(
        {
            "occ": np.arange(len(events), dtype=np.int64),
            "uid": _text([e.uid for e in events]),
            "start_ts": np.array([int(e.start.timestamp()) for e in events], dtype=np.int64),
            "end_ts": np.array([int(e.end.timestamp()) for e in events], dtype=np.int64),
            "start": [e.start for e in events],
            "end": [e.end for e in events],
            "all_day": np.array([e.all_day for e in events], dtype=bool),
            "summary": _text([e.summary for e in events]),
            "description": _text([e.description for e in events]),
            "location": _text([e.location for e in events]),
            "calendar": _text([e.calendar for e in events]),
            "color": _text([e.color for e in events]),
            "status": _text([e.status.value for e in events]),
            "transparent": np.array([e.transparent for e in events], dtype=bool),
            "private": np.array([e.is_private for e in events], dtype=bool),
            "event_type": _text([e.event_type for e in events]),
            "organizer": _text([e.organizer for e in events]),
            "organized_by_self": np.array([e.organized_by_self for e in events], dtype=bool),
            "created_ts": pd.array(
                [int(e.created.timestamp()) if e.created else None for e in events],
                dtype="Int64",
            ),
            "source": _text([e.source for e in events]),
        },
        columns=OCCURRENCE_COLUMNS,
    )
    rows = [
        (i, a.email, a.response.value if a.response else "", a.is_self, a.is_resource)
        for i, e in enumerate(events)
        for a in e.attendees
    ]
    attendees = pd.DataFrame(
        rows, columns=["occ", "email", "response", "is_self", "is_resource"]
    ).astype(
        {"occ": np.int64, "email": object, "response": object, "is_self": bool, "is_resource": bool}
    )
    return occurrences, attendees


def _text(values: list[str]) -> np.ndarray:
    """A text column that stays text when empty (pandas would make it float)."""
    return np.array(values, dtype=object)
