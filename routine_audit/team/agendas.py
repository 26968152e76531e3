"""The 1:1 agenda in a team: ``<rep>-agenda.md`` and ``.html`` beside each rep's report
in a run's folder, and ``agenda_for`` (``routine-audit agenda``) for one rep and week.

A run makes each rep's report part (report/agenda_view.py) where it makes the rep's
pages, and keeps it with them (``pages.REP_PAGES["agenda"]``); writing the agenda then
only adds what the history and the week ahead hold, so a warm run decodes nothing more.
Agendas are the manager's: a run for the owner's view writes none.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..agreed import AgreedAction, agreed_actions, due_by, team_member
from ..report.agenda_render import render_html, render_markdown
from ..report.agenda_view import Agenda, Recorded, ReportPart, assemble
from .pages import rep_file_stem

if TYPE_CHECKING:
    from ..config.team import Member, Team
    from ..history import History
    from ..proposals import Proposals
    from .runner import RepOutcome
    from .state import RunState

AGENDA_SUFFIXES = {"markdown": "-agenda.md", "html": "-agenda.html"}


def agenda_files(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """Each audited rep's agenda, Markdown and HTML (none for the owner's view)."""
    if state.options.audience != "manager":
        return []
    team = state.team
    actions = agreed_actions(state.history, team=team.name) if state.history else []
    ahead = {o.member.email: o for o in state.ahead}
    members = {m.email: m for m in team.spec.reps}
    files = []
    for page in state.pages:
        piece = page.formats.get("agenda")
        member = members.get(page.report.rep.email)
        if not piece or member is None:
            continue
        part = ReportPart.from_json(piece)
        agenda = team_agenda(
            team,
            member,
            part,
            actions,
            ahead.get(member.email),
            _proposal_lines(state, member),
            recorded_since(state.history, team, member.email, actions, part.week),
        )
        stem = rep_file_stem(page.report)
        files += [
            (folder / f"{stem}{AGENDA_SUFFIXES['markdown']}", render_markdown(agenda)),
            (folder / f"{stem}{AGENDA_SUFFIXES['html']}", render_html(agenda)),
        ]
    return files


def team_agenda(
    team: Team,
    member: Member,
    part: ReportPart,
    actions: list[AgreedAction],
    ahead: RepOutcome | None,
    proposals: tuple[str, ...] | None = None,
    recorded: Recorded | None = None,
) -> Agenda:
    """A member's agenda from the report's part, the team's agreed actions (beside the
    weeks ``recorded`` since), the rep's week ahead (None: not checked) and its
    proposals."""
    return assemble(
        part,
        accountability=team.member_routine(member).accountability,
        actions=due_by(actions, member.email, part.week),
        readiness=readiness(ahead),
        proposals=proposals,
        recorded=recorded,
    )


def recorded_since(
    history: History | None, team: Team, rep: str, actions: list[AgreedAction], week: str
) -> Recorded | None:
    """The judged weeks the history holds of ``rep`` from their oldest action due in
    ``week``'s agenda to ``week``: (week, commitment) -> (adherence, survival). None
    without a history; an empty mapping when no action is due (nothing is read)."""
    if history is None:
        return None
    due = [a for a in due_by(actions, rep, week) if a.commitment is not None]
    if not due:
        return {}
    found: Recorded = {}
    first = min(a.week for a in due)
    for recorded in history.recorded_weeks(first=first, last=week, rep=rep, team=team.name):
        if recorded.coverage != "ok":
            continue  # a gap: no figure
        plans = {row[0]: (row[1], row[2]) for row in recorded.plan}
        for commitment, *_rest, adherence in recorded.commitments:
            planned, survived = plans.get(commitment, (0, 0))
            found[(recorded.week, commitment)] = (
                adherence,
                survived / planned if planned else None,
            )
    return found


def readiness(ahead: RepOutcome | None) -> tuple[str, ...] | None:
    """The week ahead, one line per commitment (None: not checked, or it failed)."""
    if ahead is None or ahead.result is None:
        return None
    from ..ahead import week_ahead
    from ..caching import opened
    from ..caching.ahead import derived
    from ..report.ahead_view import commitment_line

    def lines() -> tuple[str, ...]:
        figures = week_ahead(opened(ahead.result))
        return tuple(commitment_line(c) for c in figures.commitments)

    return derived(ahead.key, "readiness", lines)


def _proposal_lines(state: RunState, member: Member) -> tuple[str, ...] | None:
    """The run's proposals for the rep's week ahead (issue 21: ``state.proposals``), as
    lines; None when none were made."""
    proposed = state.proposals.get(member.email)
    if proposed is None:
        return None
    units = {c.id: str(c.unit) for c in state.team.member_routine(member).commitments}
    return proposal_lines(proposed, units)


def proposal_lines(proposed: Proposals, units: dict[str, str]) -> tuple[str, ...]:
    """Each proposed slot, one line (``Fri 13 Nov 13:00–13:45 follow-up: 45 min of
    follow-up still to book on Fri 13 Nov``), then what could not be proposed and why."""
    from ..proposal_records import reason_text
    from ..wording import clock_text, day_text

    return (
        *(
            f"{day_text(b.start.date())} {clock_text(b.start)}–{clock_text(b.end)} "
            f"{b.commitment}: {b.reason}"
            for b in proposed.blocks
        ),
        *(reason_text(u, units.get(u.commitment, "hours")) for u in proposed.unplaced),
    )


# ---------------------------------------------------------------- one rep, on demand


def agenda_for(
    team: Team,
    rep: str,
    *,
    week: str | None = None,
    db: str | Path | None = None,
    today: date | None = None,
) -> Agenda:
    """``rep``'s agenda for ``week`` (default: last week), as a run would write it: the
    rep's week audited afresh (or from the cache), the history (``db``, else the team's)
    for the trend, the plan and what was agreed, and the week after checked as the week
    ahead, with slots proposed for its gaps from now on. Without a history file the
    agenda has no trend, plan or agreed actions."""
    from ..history import History, default_db_path
    from ..period import Period
    from .ahead import check_week_ahead
    from .proposals import propose_team
    from .runner import team_period

    member = team_member(team, rep)
    period = team_period(team, week=week, today=today)
    following = Period(period.first + timedelta(days=7), period.last + timedelta(days=7), period.tz)
    path = Path(db) if db is not None else (team.db_path or default_db_path())
    history = History(path, create=False) if path.exists() else None
    try:
        part = _report_part(team, member, period, history)
        actions = agreed_actions(history, team=team.name) if history is not None else []
        recorded = recorded_since(history, team, member.email, actions, part.week)
        ahead = check_week_ahead(team, following, only=member.email)
        proposed = propose_team(team, ahead, history).get(member.email)
    finally:
        if history is not None:
            history.close()
    units = {c.id: str(c.unit) for c in team.member_routine(member).commitments}
    return team_agenda(
        team,
        member,
        part,
        actions,
        ahead[0] if ahead else None,
        None if proposed is None else proposal_lines(proposed, units),
        recorded,
    )


def _report_part(team: Team, member: Member, period, history: History | None) -> ReportPart:
    from ..errors import ConfigError
    from ..history import previous_week, recorded_trend
    from ..report import build_report
    from ..report.agenda_view import report_part
    from ..survival import WeekPlan, review_of, week_plan
    from .runner import audit_team
    from .state import TREND_READ

    (outcome,) = audit_team(team, period, only=member.email)
    if outcome.result is None:
        raise ConfigError(f"{member.email} could not be audited: {outcome.error}")
    result = outcome.result
    trend: tuple = ()
    plan = None
    if history is not None:
        # the weeks a run's report reads (state.trend): its streaks are the run's
        before = history.trend(
            member.email, weeks=TREND_READ - 1, until=previous_week(period.label)
        )
        trend = (*before, *recorded_trend(result, period.label))
        plan = WeekPlan(week_plan(history, team=team.name, week=period.label, rep=member.email))
    report = build_report(result, "manager", trend=trend, plan=review_of(plan, result))
    return report_part(report)
