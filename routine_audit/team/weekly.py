"""A team's weekly run, in stages: audit the reps, check the week ahead, record the
history, render the pages and the roll-up, write them (atomically), notify (mail).

Each stage is a small function over one ``RunState``: the team, the ``RunOptions``
and what the stages before it made. ``team audit``, the cron command ``run`` and the
demo are this run with different options. A new stage is one function and one entry
in ``STAGES``; a new file of the run's folder is one entry in ``FILES`` (a new page
per rep: one entry in ``pages.REP_PAGES``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_text_atomic
from ..config.team import Team
from ..parallel import fork_map, process_count
from ..period import Period
from ..report import build_report
from ..report.team_text import render_team_markdown
from ..survival import review_of
from ..visible import for_manager
from ..wording import count_text
from .notify import notify
from .options import RunOptions
from .pages import RepPages, default_folder, formats_made, rep_file_stem, rep_pages
from .rollup import build_team_report
from .runner import RepOutcome, audit_team, load_engine, team_period
from .state import REASONS, TREND_READ, RunState, TeamRun

if TYPE_CHECKING:
    from ..report.view import RepReport
    from ..survival import WeekPlan

__all__ = [
    "FILES",
    "REASONS",
    "STAGES",
    "RepPages",
    "RunOptions",
    "RunState",
    "TeamRun",
    "default_folder",
    "rep_file_stem",
    "run",
    "run_team",
]


def run_team(team: Team, **options) -> TeamRun:
    """Audit the team for one period (last week by default) and write its reports;
    ``options`` are ``RunOptions``' fields (``run(team, RunOptions(...))``)."""
    return run(team, RunOptions(**options))


def run(team: Team, options: RunOptions) -> TeamRun:
    """Every stage of ``STAGES`` in turn over one ``RunState``; the history (when the
    run records one) is open throughout and closed at the end, whatever happens."""
    from ..history import History, default_db_path

    period = team_period(team, week=options.week, start=options.start, end=options.end)
    # history is kept per ISO week; other periods are audited but not recorded
    keep = options.record and _is_week(period)
    history = History(options.db or team.db_path or default_db_path()) if keep else None
    state = RunState(team, options, period, history)
    try:
        for stage in STAGES:
            stage(state)
        return state.run
    finally:
        if history is not None:
            history.close()


def audit_reps(state: RunState) -> None:
    """Audit each rep (side by side); each fresh audit's pages are made where it was. A
    run that checks the week ahead audits it here too, from the same read of each
    calendar (read in the future tense where it was made)."""
    from .ahead import in_future_tense

    team, options, period = state.team, state.options, state.period

    def logged(outcome: RepOutcome) -> None:
        options.log(_log_line(team, period, outcome))
        if options.on_done is not None:
            options.on_done(outcome)

    finish = partial(
        _with_pages,
        audience=options.audience,
        files=options.out is not None,
        week=period.label,
        before=_trends_before(state.history, team, period, options.only),
    )
    plans = _week_plans(state)
    if plans is not None:  # each rep's plan travels with the audit to its pages
        finish = partial(_planned_then, plans=plans, finish=finish)
    outcomes = audit_team(
        team,
        period,
        only=options.only,
        tz=options.tz,
        on_done=logged,
        finish=finish,
        ahead=_week_ahead(state),
        read_ahead=partial(in_future_tense, team),
    )
    state.outcomes = [_with_plan(outcome, plans) for outcome in outcomes]


def preview_week_ahead(state: RunState) -> None:
    """Check the week after an ISO week as the week ahead (``options.preview``): each
    rep's audit of it (made beside the week's, ``audit_reps``), read in the future tense
    (team/ahead.py)."""
    from .ahead import check_week_ahead

    following = _week_ahead(state)
    if following is None:
        return
    state.ahead = check_week_ahead(
        state.team,
        following,
        only=state.options.only,
        tz=state.options.tz,
        audits=[outcome.ahead for outcome in state.outcomes],
    )


def _week_ahead(state: RunState) -> Period | None:
    """The week after the run's, when the run checks it (``options.preview``, an ISO week)."""
    period = state.period
    if not (state.options.preview and _is_week(period)):
        return None
    return Period(period.first + timedelta(days=7), period.last + timedelta(days=7), period.tz)


def propose_week_ahead(state: RunState) -> None:
    """Slots for each rep's gaps in the week ahead (issue 21), preferring the habitual
    times the history holds (this run's week included: after ``record_history``)."""
    from .proposals import propose_team

    options = state.options
    if state.ahead and (options.out is not None or options.mail):  # else nobody reads them
        state.proposals = propose_team(
            state.team, state.ahead, state.history, state.options.now, state.options.log
        )


def record_history(state: RunState) -> None:
    """Record the week's audits, and the week ahead's as previews, in one batch."""
    history, team = state.history, state.team
    if history is None:
        return
    with history.batch():
        for outcome in state.outcomes:
            if outcome.result is not None:
                history.record(team=team.name, week=state.period.label, result=outcome.result)
        for outcome in state.ahead:
            if outcome.result is not None:
                label = outcome.result.period.label
                history.record(team=team.name, week=label, result=outcome.result, kind="preview")
        _snapshot_plans(state)
        _record_plan_figures(state)


def render_reports(state: RunState) -> None:
    """Every audited rep's pages (with the trend as now recorded) and the roll-up."""
    from ..history import previous_week

    team, options, period, history = state.team, state.options, state.period, state.history
    audited = [(o, state.trend(o)) for o in state.outcomes if o.result is not None]
    state.pages = all_rep_pages(audited, options.audience, files=options.out is not None)
    reports = [p.report for p in state.pages]
    state.partial = options.whole_team and options.only is not None and history is not None
    shown: tuple[list[RepOutcome], list[RepReport]] = (state.outcomes, reports)
    if state.partial:
        from .recorded import whole_team as whole

        assert history is not None
        shown = whole(team, period, state.outcomes, reports, history)
    team_report = build_team_report(
        team.name,
        period,
        *shown,
        previous=(
            (lambda email: history.previous_adherence(email, period.label))
            if history is not None
            else (lambda email: {})
        ),
        previous_judged=(
            (lambda email: history.judged(email, previous_week(period.label)))
            if history is not None
            else (lambda email: True)
        ),
    )
    state.run = TeamRun(period, state.outcomes, team_report, preview=state.ahead)


def write_files(state: RunState) -> None:
    """Write every file of ``FILES`` to ``options.out`` (nothing without it)."""
    folder = state.options.out
    if folder is None:
        return
    state.run.folder = folder
    files = [file for make in FILES for file in make(state, folder)]
    folder.mkdir(parents=True, exist_ok=True)  # once, not by every writer at the same time
    # each write waits for its fsync (which releases the GIL): several at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        state.run.written = list(pool.map(lambda file: write_text_atomic(*file), files))


# the stages of a run, in order
STAGES: tuple[Callable[[RunState], None], ...] = (
    audit_reps,
    preview_week_ahead,
    record_history,
    propose_week_ahead,
    render_reports,
    write_files,
    notify,
)


def all_rep_pages(
    audited: list[tuple[RepOutcome, tuple]], audience: str, *, files: bool
) -> list[RepPages]:
    """Every rep's pages, in order: kept ones from the cache, the rest built side by side."""
    from ..caching import kept_pages

    keys = [_pages_key(outcome, audience, trend, files) for outcome, trend in audited]
    pages: list[RepPages | None] = []
    for (outcome, trend), key in zip(audited, keys, strict=True):
        made = outcome.pages
        if made is not None and made.trend == trend:  # made beside the audit, for this trend
            pages.append(made)
        else:
            pages.append(kept_pages(key))
    todo = [i for i, page in enumerate(pages) if page is None]
    build = partial(_build_and_keep, audience=audience, files=files)
    # the reports read the audits' tables: the engine (pandas) loaded once for the workers
    work = [(audited[i], keys[i]) for i in todo]
    built = fork_map(build, work, process_count(), before_fork=load_engine)
    for index, page in zip(todo, built, strict=True):
        pages[index] = page
    return [page for page in pages if page is not None]


def _build_and_keep(
    item: tuple[tuple[RepOutcome, tuple], str | None], *, audience: str, files: bool
) -> RepPages:
    """A rep's pages, kept in the cache by the worker that built them (side by side); the
    report in its envelope, so the roll-up reads it without decoding its rows."""
    from ..caching import keep_pages

    audited, key = item
    return keep_pages(key, _build_pages(audited, audience=audience, files=files))


def _pages_key(outcome: RepOutcome, audience: str, trend: tuple, files: bool) -> str | None:
    """The audit's key covers every input of the result; add what the pages add: the
    history they show (the trend, and the week's plan of issue 20) and, when files are
    made, which formats."""
    from ..caching import pages_key

    shown = trend if outcome.plan is None else (trend, outcome.plan)
    return pages_key(outcome.key, audience, shown, formats_made() if files else ())


def _build_pages(audited: tuple[RepOutcome, tuple], *, audience: str, files: bool) -> RepPages:
    outcome, trend = audited
    assert outcome.result is not None
    report = build_report(
        outcome.result, audience, trend=trend, plan=review_of(outcome.plan, outcome.result)
    )
    return rep_pages(report, trend, files=files)


def _with_pages(
    outcome: RepOutcome,
    *,
    audience: str,
    files: bool,
    week: str,
    before: dict[str, tuple] | None,
) -> RepOutcome:
    """``outcome`` with the rep's pages (kept ones, or built and kept), showing the trend
    the history will hold once this audit is recorded: ``before`` and the week's own."""
    from ..caching import kept_pages
    from ..history import recorded_trend

    assert outcome.result is not None
    trend: tuple = ()
    if before is not None:
        trend = (*before.get(outcome.member.email, ()), *recorded_trend(outcome.result, week))
    key = _pages_key(outcome, audience, trend, files)
    page = kept_pages(key)
    if page is None:
        page = _build_and_keep(((outcome, trend), key), audience=audience, files=files)
    return replace(outcome, pages=page)


def _rep_files(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """Each audited rep's own pages (``pages.REP_PAGES``)."""
    return [file for page in state.pages for file in page.files(folder)]


def _team_pages(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """The team page and the roll-up, linking each rep's page this run writes or the
    folder holds (a run for one rep keeps the others' pages)."""
    from ..report.html import render_team

    team = state.run.team_report
    own = {page.report.rep.email for page in state.pages}
    links = {
        r.rep.email: f"{rep_file_stem(r)}.html"
        for r in team.reps
        if r.rep.email in own or (folder / f"{rep_file_stem(r)}.html").exists()
    }
    md_links = {email: href.replace(".html", ".md") for email, href in links.items()}
    heatmap = _team_heatmap(state, folder, links)
    return [
        (folder / "index.html", render_team(team, links, heatmap=heatmap)),
        (folder / "rollup.md", render_team_markdown(team, links=md_links)),
    ]


def _team_heatmap(state: RunState, folder: Path, links: dict[str, str]):
    """The team page's reps × weeks heatmap from the history (none without one): overall,
    then each commitment, over the weeks a rep page's trend shows. A cell links to that
    week's rep page: this week's as the team page does; an earlier week's only where the
    run's folder is named after its week (as ``run`` names them) and the page is in the
    sibling folder of that week (``../2026-W44/<rep>.html``)."""
    from ..report.heatmap import team_heatmap
    from ..trends import CHART_WEEKS, team_panels
    from .pages import email_file_stem

    history, team, week = state.history, state.team, state.period.label
    if history is None:
        return None
    reps = [(member.email, member.name) for member in team.spec.reps]
    panels = team_panels(history, reps, weeks=CHART_WEEKS, until=week, team=team.name)
    dated = folder.name == week

    def href(email: str, shown: str) -> str:
        if shown == week:
            return links.get(email, "")
        page = f"{email_file_stem(email)}.html"
        if dated and (folder.parent / shown / page).is_file():
            return f"../{shown}/{page}"
        return ""

    return team_heatmap(panels, href)


def _team_tables(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """team.json and team.csv from the reps' pieces; a run for one rep of the team's
    week replaces that rep's entries and keeps the others' as the folder holds them."""
    from ..report import csv_report
    from ..report.json_report import render_fragments
    from .recorded import merged_csv, merged_json

    pages = state.pages
    if not pages:
        return []
    reports = [p.report for p in pages]
    team_json = render_fragments(reports, [p.json for p in pages])
    team_csv = csv_report.render_fragments(reports, [p.csv for p in pages])
    if state.partial:
        team_json = merged_json(folder / "team.json", team_json)
        team_csv = merged_csv(folder / "team.csv", team_csv)
    return [(folder / "team.json", team_json), (folder / "team.csv", team_csv)]


def _next_week(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """The week ahead: ``<rep>-week-ahead.html`` per rep; next-week.md, .json and .csv for
    the team (not for one rep: they would replace the team's)."""
    from ..caching.ahead import kept_files
    from .ahead import ahead_files

    audience, team_files = state.options.audience, not state.partial
    proposals = state.proposals
    return kept_files(
        [o.key for o in state.ahead if o.result is not None],
        folder,
        partial(
            ahead_files, state.ahead, audience, folder, team_files=team_files, proposals=proposals
        ),
        audience,
        team_files,
        sorted((proposals or {}).items()),  # the slots shown: they follow the history and now
    )


def _proposal_files(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """``<rep>-proposals.ics`` beside each rep's week-ahead page (issue 21)."""
    if not state.proposals:
        return []
    from .proposals import proposal_files

    return proposal_files(state.proposals, folder, state.options.now)


def _agendas(state: RunState, folder: Path) -> list[tuple[Path, str]]:
    """Each rep's 1:1 agenda, ``<rep>-agenda.md`` and ``.html`` (issue 22)."""
    from .agendas import agenda_files

    return agenda_files(state, folder)


# the files of a run's folder, in the order they are listed: (state, folder) -> files
FILES: tuple[Callable[[RunState, Path], list[tuple[Path, str]]], ...] = (
    _rep_files,
    _team_pages,
    _team_tables,
    _next_week,
    _proposal_files,
    _agendas,
)


# -- plan vs what survived (issue 20, part 2) -------------------------------------


def _snapshot_plans(state: RunState) -> None:
    """Store each rep's week-ahead blocks as a snapshot of that week's plan (the first
    one taken before the week's first working hour is the plan: survival.py)."""
    from ..survival import take_team_snapshots

    assert state.history is not None
    take_team_snapshots(state.history, state.team, state.ahead, taken_at=state.options.now)


def _record_plan_figures(state: RunState) -> None:
    """Each audited rep's plan figures per commitment (planned, survived, added seconds),
    beside the week's record: trends read survival across weeks from them (issue 22)."""
    assert state.history is not None
    for outcome in state.outcomes:
        if outcome.result is None or outcome.plan is None or outcome.plan.snapshot is None:
            continue  # no plan to compare with: no survival that week
        review = review_of(outcome.plan, outcome.result)
        if review is None:
            continue  # no calendar data, or busy/free only: nothing was matched
        state.history.record_plan_figures(
            team=state.team.name,
            week=state.period.label,
            rep=outcome.result.rep.email,
            rows=[
                (c.id, c.planned_seconds or 0, c.survived_seconds or 0, c.added_seconds or 0)
                for c in review.commitments
            ],
        )


def _week_plans(state: RunState) -> dict[str, WeekPlan] | None:
    """Each rep's plan of the audited week, as the history holds it (None: no history)."""
    from ..survival import WeekPlan, week_plan

    history, team, only = state.history, state.team, state.options.only
    if history is None:
        return None
    return {
        member.email: WeekPlan(
            week_plan(history, team=team.name, week=state.period.label, rep=member.email)
        )
        for member in team.spec.reps
        if only is None or member.email == only.lower()
    }


def _with_plan(outcome: RepOutcome, plans: dict[str, WeekPlan] | None) -> RepOutcome:
    """``outcome`` with its rep's plan (none without a history)."""
    if plans is None or outcome.result is None or outcome.plan is not None:
        return outcome
    return replace(outcome, plan=plans.get(outcome.member.email))


def _planned_then(
    outcome: RepOutcome,
    *,
    plans: dict[str, WeekPlan],
    finish: Callable[[RepOutcome], RepOutcome],
) -> RepOutcome:
    return finish(_with_plan(outcome, plans))


def _trends_before(history, team: Team, period: Period, only: str | None) -> dict | None:
    """Each rep's trend points in the weeks before ``period`` (None: no history kept)."""
    if history is None:
        return None
    from ..history import previous_week

    last = previous_week(period.label)
    return {
        member.email: tuple(history.trend(member.email, weeks=TREND_READ - 1, until=last))
        for member in team.spec.reps
        if only is None or member.email == only.lower()
    }


def _is_week(period: Period) -> bool:
    return period.label.count("-W") == 1


def _log_line(team: Team, period: Period, outcome: RepOutcome) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = f"{stamp} {team.slug} {period.label} {outcome.member.email}"
    if outcome.result is None:
        return f"{head} FAILED: {for_manager(outcome.error or '', 'error text')}"
    result = outcome.result
    note = " (some events unreadable)" if result.incomplete else ""
    if result.no_data:
        return f"{head} no calendar data: {result.coverage.apart_text()}{note}"
    counts = (
        f"{count_text(len(result.commitment_records), 'commitment')}, "
        f"{count_text(result.finding_count, 'finding')}"
    )
    return f"{head} ok: {counts}{note}"
