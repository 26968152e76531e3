"""The team page's reps × weeks heatmap (issue 22): overall adherence and each
commitment's, one panel each, every cell linking to that week's rep page where one is
known. Plain records built from trends.py's ``TeamTrends``; report/html.py draws them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..trends import TeamTrends


@dataclass(frozen=True)
class HeatCell:
    week: str
    judged: bool
    coverage: str | None  # why a gap is one (trends.py); "ok" when judged
    adherence: float | None
    href: str  # "" when no page of that week is known


@dataclass(frozen=True)
class HeatRow:
    rep: str
    name: str | None
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class HeatPanel:
    commitment: str | None  # None: overall adherence
    rows: tuple[HeatRow, ...]


@dataclass(frozen=True)
class TeamHeatmap:
    weeks: tuple[str, ...]
    panels: tuple[HeatPanel, ...]  # overall first, then each commitment


def team_heatmap(
    panels: Sequence[TeamTrends], href: Callable[[str, str], str]
) -> TeamHeatmap | None:
    """The heatmap of ``panels`` (one ``TeamTrends`` each, over the same weeks);
    ``href(email, week)``: the relative address of that week's rep page, or ""."""
    if not panels or not panels[0].weeks:
        return None
    # from the first week any rep has recorded: a new team's page is not mostly dashes
    recorded = [
        i
        for i in range(len(panels[0].weeks))
        if any(row.cells[i].coverage is not None for row in panels[0].rows)
    ]
    first = recorded[0] if recorded else len(panels[0].weeks) - 1
    return TeamHeatmap(
        panels[0].weeks[first:],
        tuple(
            HeatPanel(
                trends.commitment,
                tuple(
                    HeatRow(
                        row.rep,
                        row.name,
                        tuple(
                            HeatCell(
                                c.week, c.judged, c.coverage, c.adherence, href(row.rep, c.week)
                            )
                            for c in row.cells[first:]
                        ),
                    )
                    for row in trends.rows
                ),
            )
            for trends in panels
        ),
    )
