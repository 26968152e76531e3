"""Trends from the history (trends.py) as a terminal table, CSV or JSON: the team as reps
× weeks, or one rep's commitments × weeks with rolling figures and streaks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.text import Text

from ..period import week_monday
from ..trends import WINDOWS, CommitmentTrend, RepTrends, TeamTrends
from ..wording import day_text
from . import RenderOptions
from .console import export, make_console, plain_table
from .csv_safe import write_csv
from .text import percent_text

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# what a gap reads, by why the week has no figure (docs/audit.md, "Trends")
GAP_WORDS: dict[str | None, str] = {
    None: "not recorded",
    "empty": "no data",
    "stale": "no data",
    "free_busy": "busy/free",
    "absent": "not in routine",
}
SHARE_DIGITS = 4  # shares in CSV and JSON


def gap_text(coverage: str | None) -> str:
    return GAP_WORDS[coverage]


# ---------------------------------------------------------------- the team


def render_team_trends(team: TeamTrends, title: str, fmt: str, options: RenderOptions) -> str:
    return TEAM_FORMATS[fmt](team, title, options)


def _team_table(team: TeamTrends, title: str, options: RenderOptions) -> str:
    console = make_console(options)
    what = "overall adherence" if team.commitment is None else f"{team.commitment} adherence"
    console.print(Text(f"{title}: {what} by week", style="bold"))
    headers = [_week_header(w) for w in team.weeks]
    table = plain_table("rep", *headers, right=headers)
    for row in team.rows:
        table.add_row(
            row.name or row.rep,
            *(percent_text(c.adherence) if c.judged else gap_text(c.coverage) for c in row.cells),
        )
    console.print(table)
    if team.commitment is None:
        console.print(Text("overall: the mean of the week's commitments' adherence", style="dim"))
    return export(console, options)


def _team_csv(team: TeamTrends, title: str, options: RenderOptions) -> str:
    return write_csv(
        ("rep", "name", "week", "commitment", "judged", "coverage", "adherence"),
        [
            (
                row.rep,
                row.name or "",
                cell.week,
                team.commitment or "",
                "yes" if cell.judged else "no",
                cell.coverage or "",
                _share(cell.adherence),
            )
            for row in team.rows
            for cell in row.cells
        ],
    )


def _team_json(team: TeamTrends, title: str, options: RenderOptions) -> str:
    document = {
        "team": title,
        "commitment": team.commitment,
        "weeks": list(team.weeks),
        "reps": [
            {
                "rep": row.rep,
                "name": row.name,
                "weeks": [
                    {
                        "week": c.week,
                        "judged": c.judged,
                        "coverage": c.coverage,
                        "adherence": _share(c.adherence),
                    }
                    for c in row.cells
                ],
            }
            for row in team.rows
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


TEAM_FORMATS: dict[str, Callable[[TeamTrends, str, RenderOptions], str]] = {
    "table": _team_table,
    "csv": _team_csv,
    "json": _team_json,
}


# ---------------------------------------------------------------- one rep


def render_rep_trends(found: RepTrends, fmt: str, options: RenderOptions) -> str:
    return REP_FORMATS[fmt](found, options)


def _rep_table(found: RepTrends, options: RenderOptions) -> str:
    console = make_console(options)
    console.print(Text(f"{found.rep}: adherence by week", style="bold"))
    headers = [_week_header(w) for w in found.weeks]
    table = plain_table("commitment", *headers, right=headers)
    for c in found.commitments:
        table.add_row(
            c.id,
            *(percent_text(w.adherence) if w.judged else gap_text(w.coverage) for w in c.weeks),
        )
    console.print(table)
    columns = [f"{n} wk" for n in WINDOWS]
    summary = plain_table(
        "commitment",
        *columns,
        "survival",
        "streak",
        "fails most",
        right=[*columns, "streak"],
        title=f"as of {found.weeks[-1]}: rolling adherence, plan survival, weeks met",
    )
    for c in found.commitments:
        summary.add_row(
            c.id,
            *(_rolling_text(r.adherence, r.weeks_with_adherence, r.weeks) for r in c.rolling),
            " / ".join(_rolling_text(r.survival, r.weeks_with_plan, r.weeks) for r in c.rolling),
            f"{c.streak} (best {c.best_streak})",
            _fails_text(c),
        )
    console.print(summary)
    console.print(
        Text(
            "rolling: the judged weeks of the last 4, 8, 12 calendar weeks; survival over "
            "the same windows; streak: judged weeks met in a row (weeks without data skipped)",
            style="dim",
        )
    )
    return export(console, options)


def _rolling_text(share: float | None, counted: int, weeks: int) -> str:
    """``92%``, or ``92% (3)`` when only 3 weeks of the window had a figure; ``–``: none."""
    if share is None:
        return "–"
    return percent_text(share) if counted == weeks else f"{percent_text(share)} ({counted})"


def _fails_text(c: CommitmentTrend) -> str:
    """``Mon, Thu (3 of 9)``; ``–`` for a weekly commitment (its days are not judged)."""
    if not c.weekdays:
        return "–"
    most = c.fails_most
    if not most:
        return "none"
    day = next(d for d in c.weekdays if d.weekday == most[0])
    return f"{', '.join(WEEKDAYS[d] for d in most)} ({day.failed} of {day.judged})"


def _rep_csv(found: RepTrends, options: RenderOptions) -> str:
    header = (
        "rep", "commitment", "week", "judged", "coverage", "adherence", "met", "survival",
        *(f"rolling_{n}" for n in WINDOWS),
    )  # fmt: skip
    return write_csv(
        header,
        [
            (
                found.rep,
                c.id,
                w.week,
                "yes" if w.judged else "no",
                w.coverage or "",
                _share(w.adherence),
                "" if w.met is None else ("yes" if w.met else "no"),
                _share(w.survival),
                *(_share(v) for v in (w.rolling or (None,) * len(WINDOWS))),
            )
            for c in found.commitments
            for w in c.weeks
        ],
    )


def _rep_json(found: RepTrends, options: RenderOptions) -> str:
    document = {
        "rep": found.rep,
        "name": found.name,
        "weeks": list(found.weeks),
        "commitments": [_commitment_json(c) for c in found.commitments],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _commitment_json(c: CommitmentTrend) -> dict[str, Any]:
    return {
        "id": c.id,
        "unit": c.unit,
        "weeks": [
            {
                "week": w.week,
                "judged": w.judged,
                "coverage": w.coverage,
                "adherence": _share(w.adherence),
                "met": w.met,
                "planned_hours": None if w.planned is None else round(w.planned / 3600, 2),
                "survived_hours": None if w.survived is None else round(w.survived / 3600, 2),
                "survival": _share(w.survival),
                "rolling_adherence": {
                    str(n): _share(v) for n, v in zip(WINDOWS, w.rolling, strict=True)
                }
                if w.rolling
                else None,
            }
            for w in c.weeks
        ],
        "rolling": [
            {
                "weeks": r.weeks,
                "adherence": _share(r.adherence),
                "weeks_with_adherence": r.weeks_with_adherence,
                "survival": _share(r.survival),
                "weeks_with_plan": r.weeks_with_plan,
            }
            for r in c.rolling
        ],
        "streak": c.streak,
        "best_streak": c.best_streak,
        "weekdays": [
            {"weekday": WEEKDAYS[d.weekday], "judged": d.judged, "failed": d.failed}
            for d in c.weekdays
        ],
        "fails_most": [WEEKDAYS[d] for d in c.fails_most],
    }


REP_FORMATS: dict[str, Callable[[RepTrends, RenderOptions], str]] = {
    "table": _rep_table,
    "csv": _rep_csv,
    "json": _rep_json,
}


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, SHARE_DIGITS)


def _week_header(week: str) -> str:
    """``2026-W45`` over ``from Mon 02 Nov``."""
    monday = week_monday(week)
    return week if monday is None else f"{week}\nfrom {day_text(monday)}"


__all__ = ["render_rep_trends", "render_team_trends"]
