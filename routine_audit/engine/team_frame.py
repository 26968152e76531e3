"""A whole team's calendars given as one table: one audit per rep."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from ..config.schema import Routine, RuleSet
from ..errors import UsageError
from ..period import Period
from ..result import AuditResult
from .audit import audit_tables, table_extent
from .frame import occurrence_table
from .timeline import Columns


def audit_frames(
    occurrences: pd.DataFrame,
    routines: Routine | Mapping[Hashable, Routine],
    rules: RuleSet,
    period: Period,
    *,
    attendees: pd.DataFrame | None = None,
    by: str = "rep",
) -> dict[Hashable, AuditResult]:
    """Audit every rep of a team table: the rows of each value of the ``by`` column.

    ``occurrences`` and ``attendees`` are as for ``audit_frame`` plus the ``by``
    column (``occ`` in ``attendees`` numbers rows of the whole table).
    ``routines`` is one routine for everyone, or one per rep: then every rep it
    names gets a result (one without rows, an audit of an empty calendar) and a
    row of a rep it does not name is an error. Each rep's result is what
    ``audit_frame`` gives for their rows alone.
    """
    if by not in occurrences.columns:
        raise UsageError(f"the occurrence table has no {by!r} column", hint="say which one: by=")
    table, people = occurrence_table(occurrences, attendees)  # other columns are ignored
    if isinstance(routines, Mapping):
        keys = pd.Index(list(routines))
        codes = keys.get_indexer(occurrences[by]).astype(np.int64)  # -1: not a key
        unknown = (codes < 0) & occurrences[by].notna().to_numpy()
        if unknown.any():
            rep = occurrences[by].iloc[int(np.flatnonzero(unknown)[0])]
            raise UsageError(f"no routine for {by} {rep!r}", hint="give one routine per rep")
    else:
        codes, keys = pd.factorize(occurrences[by], sort=True)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise UsageError(f"row {row} has no {by}", hint=f"every occurrence needs its {by}")
    order = np.argsort(codes, kind="stable")  # each rep's rows, in table order
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    # attendees follow their occurrence's rep; occ becomes the row's place among its rep's rows
    place = np.empty(len(codes), dtype=np.int64)
    place[order] = np.arange(len(codes)) - bounds[codes[order]]
    owner = codes[people["occ"]]
    by_owner = np.argsort(owner, kind="stable")
    people_bounds = np.searchsorted(owner[by_owner], np.arange(len(keys) + 1))
    return {
        key: _audit_share(
            table,
            people,
            place,
            routines[key] if isinstance(routines, Mapping) else routines,
            order[bounds[i] : bounds[i + 1]],
            by_owner[people_bounds[i] : people_bounds[i + 1]],
            rules,
            period,
        )
        for i, key in enumerate(keys.tolist())
    }


def _audit_share(
    table: Columns,
    people: Columns,
    place: np.ndarray,
    routine: Routine,
    rows: np.ndarray,
    guests: np.ndarray,
    rules: RuleSet,
    period: Period,
) -> AuditResult:
    columns = {name: values[rows] for name, values in table.items()}
    columns["occ"] = np.arange(len(rows), dtype=np.int64)
    mine = {name: values[guests] for name, values in people.items()}
    mine["occ"] = place[people["occ"][guests]]
    return audit_tables(
        columns, mine, routine, rules, period, (), extent=table_extent(columns, period)
    )
