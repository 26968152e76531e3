"""A rep's trend from the history, as a terminal table (weeks as columns)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ..period import week_monday
from ..result import TrendPoint
from ..wording import day_text
from . import RenderOptions
from .console import export, make_console, plain_table
from .text import percent_text


def render_trend(rep: str, points: Sequence[TrendPoint], options: RenderOptions) -> str:
    console = make_console(options)
    console.print(Text(f"{rep}: adherence by week", style="bold"))
    weeks = sorted({p.week for p in points})
    commitments = list(dict.fromkeys(p.commitment for p in points))
    # each week under its label (which says the year), with the day it starts
    headers = [_week_header(week) for week in weeks]
    table = plain_table("commitment", *headers, right=headers)
    cells = {(p.commitment, p.week): p for p in points}
    for commitment in commitments:
        row = []
        for week in weeks:
            point = cells.get((commitment, week))
            row.append("" if point is None else percent_text(point.adherence))
        table.add_row(commitment, *row)
    console.print(table)
    return export(console, options)


def _week_header(week: str) -> str:
    """``2026-W45`` over ``from Mon 02 Nov``."""
    monday = week_monday(week)
    return week if monday is None else f"{week}\nfrom {day_text(monday)}"
