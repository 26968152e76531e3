"""Normalized events (or a caller's tables) to the engine's columns: one row per
occurrence, one per attendee."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..model import Event
from .timeline import Columns

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
    "categories",
    "status",
    "transparent",
    "private",
    "event_type",
    "organizer",
    "organized_by_self",
    "created_ts",
    "source",
    "identity",
]


def events_columns(events: Sequence[Event]) -> tuple[Columns, Columns]:
    """(occurrences, attendees); times as integer epoch seconds plus the aware originals."""
    occurrences = {
        "occ": np.arange(len(events), dtype=np.int64),
        "uid": _text([e.uid for e in events]),
        "start_ts": np.array([int(e.start.timestamp()) for e in events], dtype=np.int64),
        "end_ts": np.array([int(e.end.timestamp()) for e in events], dtype=np.int64),
        "start": _text([e.start for e in events]),
        "end": _text([e.end for e in events]),
        "all_day": np.array([e.all_day for e in events], dtype=bool),
        "summary": _text([e.summary for e in events]),
        "description": _text([e.description for e in events]),
        "location": _text([e.location for e in events]),
        "calendar": _text([e.calendar for e in events]),
        "color": _text([e.color for e in events]),
        # one text per occurrence ("" for none): rules that ask for categories split it
        "categories": _text([CATEGORY_SEPARATOR.join(e.categories) for e in events]),
        "status": _text([e.status.value for e in events]),
        "transparent": np.array([e.transparent for e in events], dtype=bool),
        "private": np.array([e.is_private for e in events], dtype=bool),
        "event_type": _text([e.event_type for e in events]),
        "organizer": _text([e.organizer for e in events]),
        "organized_by_self": np.array([e.organized_by_self for e in events], dtype=bool),
        "created_ts": np.array(
            [int(e.created.timestamp()) if e.created else np.nan for e in events],
            dtype=np.float64,
        ),
        "source": _text([e.source for e in events]),
        # the stable identity (UID + instance) a plan's blocks are matched by; never shown
        "identity": _text([IDENTITY_SEPARATOR.join(e.key) for e in events]),
    }
    rows = [
        (i, a.email, a.response.value if a.response else "", a.is_self, a.is_resource)
        for i, e in enumerate(events)
        for a in e.attendees
    ]
    attendees = {
        "occ": np.array([r[0] for r in rows], dtype=np.int64),
        "email": _text([r[1] for r in rows]),
        "response": _text([r[2] for r in rows]),
        "is_self": np.array([r[3] for r in rows], dtype=bool),
        "is_resource": np.array([r[4] for r in rows], dtype=bool),
    }
    return occurrences, attendees


IDENTITY_SEPARATOR = "\x1f"  # between the UID and the instance key of ``identity``
CATEGORY_SEPARATOR = "\x1f"  # between an occurrence's categories in ``categories``


def _text(values: list) -> np.ndarray:
    """An object column (numpy would make datetimes its own type, and tuples 2-D)."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


# optional columns of a caller's occurrence table, and the value a missing one takes
_DEFAULTS: dict[str, object] = {
    "uid": "",
    "all_day": False,
    "summary": "",
    "description": "",
    "location": "",
    "calendar": "",
    "color": "",
    "categories": "",
    "status": "confirmed",
    "transparent": False,
    "private": False,
    "event_type": "default",
    "organizer": "",
    "organized_by_self": False,
    "source": "",
    "identity": "",
}


def occurrence_table(
    occurrences: pd.DataFrame, attendees: pd.DataFrame | None = None
) -> tuple[Columns, Columns]:
    """A caller's table of occurrences (and attendees) as the engine's columns.

    ``start`` and ``end`` are required and must be time-zone aware; ``created``
    (aware, may be missing) and the columns of ``_DEFAULTS`` are optional
    (``identity``, when missing, is the ``uid`` of a single event).
    Raises ``UsageError`` naming what is wrong.
    """
    from ..errors import UsageError

    missing = [c for c in ("start", "end") if c not in occurrences.columns]
    if missing:
        raise UsageError(
            f"the occurrence table has no {' or '.join(missing)} column",
            hint="give start and end as time-zone aware datetimes",
        )
    n = len(occurrences)
    columns: dict[str, object] = {"occ": np.arange(n, dtype=np.int64)}
    for name in ("start", "end"):
        moments = _aware(occurrences[name], name)
        if moments.isna().any():
            row = int(np.flatnonzero(moments.isna().to_numpy())[0])
            raise UsageError(f"row {row} has no {name}", hint=f"every occurrence needs its {name}")
        columns[f"{name}_ts"] = _epoch_seconds(moments)
        columns[name] = moments.array
    if (columns["end_ts"] < columns["start_ts"]).any():
        raise UsageError("an occurrence ends before it starts", hint="check the end column")
    for name, default in _DEFAULTS.items():
        if name not in occurrences.columns:
            columns[name] = np.full(n, default, dtype=bool if isinstance(default, bool) else object)
        elif isinstance(default, bool):
            columns[name] = occurrences[name].fillna(default).to_numpy(dtype=bool)
        else:
            text = occurrences[name].fillna(default).astype(str)
            if name == "organizer":  # addresses compare case-insensitively, as sources give them
                text = text.str.lower()
            elif name == "categories":  # a list of names per row, or one name
                text = occurrences[name].map(_joined)
            columns[name] = text.to_numpy(dtype=object)
    if "identity" not in occurrences.columns:  # a single event's identity: its UID
        uid = columns["uid"]
        columns["identity"] = np.where(uid != "", uid + IDENTITY_SEPARATOR, "").astype(object)
    created = np.full(n, np.nan)
    if "created" in occurrences.columns:
        moments = _aware(occurrences["created"], "created")
        known = moments.notna().to_numpy()
        created[known] = _epoch_seconds(moments[known])
    columns["created_ts"] = created
    return {name: columns[name] for name in OCCURRENCE_COLUMNS}, _attendee_table(attendees, n)


def _joined(value: object) -> str:
    """A caller's categories cell (a list of names, one name, or missing) as one text."""
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return CATEGORY_SEPARATOR.join(str(v) for v in value)
    return "" if value is None or value != value else str(value)


def _aware(values: pd.Series, name: str) -> pd.Series:
    from ..errors import UsageError

    naive = False
    try:
        moments = pd.to_datetime(values, utc=False)
        naive = moments.notna().any() and getattr(moments.dt, "tz", None) is None
    except (ValueError, TypeError):
        try:  # several zones in one column: aware, unless some values are not
            moments = pd.to_datetime(values, utc=True)
        except (ValueError, TypeError) as exc:
            raise UsageError(
                f"the {name} column holds something that is not a time: {exc}"
            ) from None
        naive = any(
            getattr(v, "tzinfo", "") is None for v in values if v is not None and v is not pd.NaT
        )
    if naive:
        raise UsageError(
            f"the {name} column has times without a time zone",
            hint=f"localize it first, e.g. frame[{name!r}].dt.tz_localize('Europe/Berlin')",
        )
    return moments


def _epoch_seconds(moments: pd.Series) -> np.ndarray:
    if not len(moments):
        return np.zeros(0, dtype=np.int64)
    utc = moments.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]")
    return utc.astype("int64").to_numpy()


def _attendee_table(attendees: pd.DataFrame | None, n: int) -> Columns:
    from ..errors import UsageError

    if attendees is None or (attendees.empty and not len(attendees.columns)):
        attendees = pd.DataFrame(columns=["occ", "email"])
    if "occ" not in attendees.columns or "email" not in attendees.columns:
        raise UsageError("the attendee table needs occ (the occurrence's row) and email columns")
    occ = attendees["occ"].to_numpy(dtype=np.int64)
    if len(occ) and (occ.min() < 0 or occ.max() >= n):
        raise UsageError("the attendee table names an occurrence row that does not exist")
    return {
        "occ": occ,
        "email": attendees["email"].fillna("").astype(str).str.lower().to_numpy(dtype=object),
        "response": _column(attendees, "response", "").astype(str).to_numpy(dtype=object),
        "is_self": _column(attendees, "is_self", False).astype(bool).to_numpy(),
        "is_resource": _column(attendees, "is_resource", False).astype(bool).to_numpy(),
    }


def _column(frame: pd.DataFrame, name: str, default: object) -> pd.Series:
    if name in frame.columns:
        return frame[name].fillna(default)
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)
