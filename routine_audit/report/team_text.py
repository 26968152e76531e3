"""The team roll-up as a terminal table and as Markdown."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..wording import amount_text, change_text, count_text, days_text, duration_text, target_text
from . import RenderOptions
from .console import export, make_console, plain_table
from .markdown import escape
from .team_view import RankedGap, TeamReport
from .text import percent_text
from .view import RepReport

TOP = 10  # the roll-up shows this many of the biggest gaps
SURVIVAL_TITLE = "Plan survival"
SURVIVAL_COLUMNS = ("survival", "planned", "survived", "added", "lost blocks")


def render_team_terminal(team: TeamReport, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    console = make_console(options)
    console.print(Text(f"{team.team}: team roll-up {team.period.name}", style="bold"))
    console.print(f"{count_text(len(team.reps), 'rep')} audited, {len(team.failures)} failed")
    if team.nobody_judged:
        console.print(Text("Adherence", style="bold"))
        console.print(Text(team.nobody_judged))
    else:
        _print_tables(console, team)
    for report, why in team.apart:
        console.print(Text(f"{report.rep.name or report.rep.email}: {why}", style="yellow"))
    for failure in team.failures:
        console.print(Text(f"FAILED {failure.email}: {failure.message}", style="bold red"))
    return export(console, options)


def _print_tables(console: Console, team: TeamReport) -> None:
    """The adherence matrix, the biggest gaps and plan survival of the judged reps."""
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
    if team.survival_ranking:
        survival = plain_table("rep", *SURVIVAL_COLUMNS, title=SURVIVAL_TITLE)
        for report, _ in team.survival_ranking:
            survival.add_row(report.rep.name or report.rep.email, *survival_cells(report))
        console.print(survival)
        if team.not_ranked:
            console.print(Text(not_ranked_text(team)))


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
    lines += ["", "## Adherence", ""]
    if team.nobody_judged:
        lines.append(team.nobody_judged)
    else:
        lines += _tables_markdown(team, links)
    if team.apart:
        lines += ["", "## Not judged this week", ""]
        lines += [f"- **{escape(r.rep.name or r.rep.email)}**: {why}" for r, why in team.apart]
    return "\n".join(lines) + "\n"


def _tables_markdown(team: TeamReport, links: dict[str, str]) -> list[str]:
    """The adherence matrix, the biggest gaps and plan survival of the judged reps."""
    ids = team.commitment_ids
    lines = [_row("rep", *ids), "|---|" + "---|" * len(ids)]
    for report in team.judged:
        name = escape(report.rep.name or report.rep.email)
        link = links.get(report.rep.email)
        rep = f"[{name}]({link})" if link else name
        cells = [_cell(team.adherence(report.rep.email, c)) for c in ids]
        lines.append(_row(f"{rep}{_marks(report)}", *cells))
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
        lines.append(_row(*cells))
    return lines + _survival_markdown(team, links)


def _row(*cells: str) -> str:
    """One Markdown table row: as many cells as given, even when there is only one."""
    return "| " + " | ".join(cells) + " |"


def _marks(report: RepReport) -> str:
    """What the HTML team page marks beside a rep's name."""
    return " (incomplete data)" if report.incomplete else ""


def _top(team: TeamReport) -> list[RankedGap]:
    return [g for g in team.ranking if g.gap > 0][:TOP]


def _cell(adherence: float | None) -> str:
    return "" if adherence is None else percent_text(adherence)


def _change(gap: RankedGap) -> str:
    return change_text(gap.change, gap.previous_judged)


def survival_cells(report: RepReport) -> tuple[str, ...]:
    """A rep's plan figures in the roll-up: survival, planned, survived, added (summed
    over the commitments) and how many planned blocks lost time."""
    plan = report.plan
    assert plan is not None
    total = {
        name: sum(getattr(c, f"{name}_seconds") or 0 for c in plan.commitments)
        for name in ("planned", "survived", "added")
    }
    return (
        percent_text(plan.survival),
        duration_text(total["planned"]),
        duration_text(total["survived"]),
        duration_text(total["added"]),
        str(len(plan.lost)),
    )


def _survival_markdown(team: TeamReport, links: dict[str, str]) -> list[str]:
    """Reps ranked by how much of their plan survived, lowest first (issue 20)."""
    if not team.survival_ranking:
        return []
    lines = [
        "",
        f"## {SURVIVAL_TITLE}",
        "",
        "| rep | " + " | ".join(SURVIVAL_COLUMNS) + " |",
        "|---|" + "--:|" * len(SURVIVAL_COLUMNS),
    ]
    for report, _ in team.survival_ranking:
        name = escape(report.rep.name or report.rep.email)
        link = links.get(report.rep.email)
        rep = f"[{name}]({link})" if link else name
        lines.append(f"| {rep} | " + " | ".join(survival_cells(report)) + " |")
    if team.not_ranked:
        lines += ["", escape(not_ranked_text(team))]
    return lines


def not_ranked_text(team: TeamReport) -> str:
    """``Not ranked: Morgan Fixture (nothing planned).``"""
    reps = ", ".join(f"{r.rep.name or r.rep.email} ({why})" for r, why in team.not_ranked)
    return f"Not ranked: {reps}."
