"""The team roll-up as a terminal table and as Markdown."""

from __future__ import annotations

from rich.text import Text

from ..wording import amount_text, change_text, count_text, days_text, target_text
from . import RenderOptions
from .console import export, make_console, plain_table
from .markdown import escape
from .team_view import RankedGap, TeamReport
from .text import percent_text
from .view import RepReport

TOP = 10  # the roll-up shows this many of the biggest gaps


def render_team_terminal(team: TeamReport, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    console = make_console(options)
    console.print(Text(f"{team.team}: team roll-up {team.period.name}", style="bold"))
    console.print(f"{count_text(len(team.reps), 'rep')} audited, {len(team.failures)} failed")
    matrix = plain_table("rep", *team.commitment_ids, title="Adherence")
    for report in team.judged:
        cells = [_cell(team.adherence(report.rep.email, c)) for c in team.commitment_ids]
        matrix.add_row((report.rep.name or report.rep.email) + _marks(report), *cells)
    console.print(matrix)
    ranking = plain_table(
        "rep",
        "commitment",
        "scheduled",
        "target",
        "adherence",
        "vs last week",
        title="Biggest gaps",
    )
    for gap in _top(team):
        ranking.add_row(
            gap.rep_name,
            gap.commitment,
            amount_text(gap.scheduled, gap.unit),
            target_text(gap.target, gap.unit, gap.direction),
            percent_text(gap.adherence),
            _change(gap),
        )
    console.print(ranking)
    for report, why in team.apart:
        console.print(Text(f"{report.rep.name or report.rep.email}: {why}", style="yellow"))
    for failure in team.failures:
        console.print(Text(f"FAILED {failure.email}: {failure.message}", style="bold red"))
    return export(console, options)


def render_team_markdown(team: TeamReport, links: dict[str, str] | None = None) -> str:
    links = links or {}
    lines = [f"# {escape(team.team)}: team roll-up {team.period.name}", ""]
    lines.append(
        f"{days_text(team.period.first, team.period.last)}; "
        f"{count_text(len(team.reps), 'rep')} audited, {len(team.failures)} failed."
    )
    if team.failures:
        lines += ["", "## Could not be audited", ""]
        lines += [f"- **{escape(f.email)}**: {escape(f.message)}" for f in team.failures]
    ids = team.commitment_ids
    lines += ["", "## Adherence", "", "| rep | " + " | ".join(ids) + " |"]
    lines.append("|---|" + "---|" * len(ids))
    for report in team.judged:
        name = escape(report.rep.name or report.rep.email)
        link = links.get(report.rep.email)
        rep = f"[{name}]({link})" if link else name
        cells = [_cell(team.adherence(report.rep.email, c)) for c in ids]
        lines.append(f"| {rep}{_marks(report)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Biggest gaps",
        "",
        "| rep | commitment | scheduled | target | adherence | vs last week |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for gap in _top(team):
        cells = [
            escape(gap.rep_name),
            gap.commitment,
            amount_text(gap.scheduled, gap.unit),
            target_text(gap.target, gap.unit, gap.direction),
            percent_text(gap.adherence),
            _change(gap),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if team.apart:
        lines += ["", "## Not judged this week", ""]
        lines += [f"- **{escape(r.rep.name or r.rep.email)}**: {why}" for r, why in team.apart]
    return "\n".join(lines) + "\n"


def _marks(report: RepReport) -> str:
    """What the HTML team page marks beside a rep's name."""
    return " (incomplete data)" if report.incomplete else ""


def _top(team: TeamReport) -> list[RankedGap]:
    return [g for g in team.ranking if g.gap > 0][:TOP]


def _cell(adherence: float | None) -> str:
    return "" if adherence is None else percent_text(adherence)


def _change(gap: RankedGap) -> str:
    return change_text(gap.change, gap.previous_judged)
