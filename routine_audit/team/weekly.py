"""A team's weekly run: audit every rep, preview the week ahead, record history,
write the reports (atomically) and optionally mail them. ``team audit`` and the
cron command ``run`` are both this function with different options."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from ..atomic import write_text_atomic
from ..config.team import Team
from ..errors import ExitCode
from ..parallel import fork_map, process_count
from ..period import Period
from ..report import build_report, render
from ..report.team_text import render_team_markdown
from ..report.team_view import TeamReport
from ..report.view import RepReport
from ..units import count_text
from ..visible import for_manager
from .rollup import build_team_report
from .runner import RepOutcome, audit_team, load_engine, team_period

TREND_WEEKS = 8


@dataclass
class TeamRun:
    """What a run did: outcomes, the roll-up, files written, mail results."""

    period: Period
    outcomes: list[RepOutcome]
    team_report: TeamReport
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    preview: list[RepOutcome] = field(default_factory=list)
    mail_errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if not any(o.ok for o in self.outcomes):
            return ExitCode.NOTHING
        return ExitCode.PARTIAL if self.reasons() else ExitCode.OK

    def reasons(self) -> list[str]:
        """Why the run is not a clean 0, one part per cause (emails only: these go to
        stderr and the log), e.g. ``failed: lee@x.example``; empty when nothing is amiss."""
        causes: dict[str, list[str]] = {cause: [] for cause in REASONS}
        for outcome in self.outcomes:
            result = outcome.result
            if result is None:
                causes["failed"].append(outcome.member.email)
                continue
            if result.incomplete:
                causes["input skipped"].append(outcome.member.email)
            if result.no_data:
                causes["no calendar data"].append(outcome.member.email)
        causes["mail not sent"] = [error.partition(": ")[0] for error in self.mail_errors]
        return [f"{cause}: {', '.join(who)}" for cause, who in causes.items() if who]


# every cause of exit code 1 (``TeamRun.reasons``), as the README's `run` table lists them
REASONS = {
    "failed": "the rep could not be audited (their own FAILED log line says why)",
    "input skipped": "some of the rep's events or files could not be read and were left out",
    "no calendar data": "the rep's week held no calendar data (empty or stale): not judged",
    "mail not sent": "the server refused or could not be reached for this recipient",
}


def run_team(
    team: Team,
    *,
    week: str | None = None,
    start: str | None = None,
    end: str | None = None,
    tz: str | None = None,
    only: str | None = None,
    out: Path | None = None,
    db: Path | None = None,
    audience: str = "manager",
    record: bool = True,
    preview: bool = True,
    mail: bool = False,
    resend: bool = False,
    whole_team: bool = False,
    log: Callable[[str], None] = lambda line: None,
    on_done: Callable[[RepOutcome], None] | None = None,
) -> TeamRun:
    """Audit the team for one period (last week by default) and write its reports.

    With ``only`` and ``whole_team`` (``run --rep``), only that rep is audited and
    mailed, but the roll-up and the team page show the whole team: the other reps as
    the history recorded them for the week (see ``team.recorded``)."""
    from ..history import History, default_db_path, previous_week

    period = team_period(team, week=week, start=start, end=end)

    def logged(outcome: RepOutcome) -> None:
        log(_log_line(team, period, outcome))
        if on_done is not None:
            on_done(outcome)

    # history is kept per ISO week; other periods are audited but not recorded
    keep = record and _is_week(period)
    history = History(db or team.db_path or default_db_path()) if keep else None
    try:
        # each fresh audit's pages are made where it was, side by side with the other reps'
        finish = partial(
            _with_pages,
            audience=audience,
            files=out is not None,
            week=period.label,
            before=_trends_before(history, team, period, only),
        )
        outcomes = audit_team(team, period, only=only, tz=tz, on_done=logged, finish=finish)
        ahead: list[RepOutcome] = []
        if preview and _is_week(period):
            following = Period(
                period.first + timedelta(days=7), period.last + timedelta(days=7), period.tz
            )
            ahead = audit_team(team, following, only=only, tz=tz)
        if history is not None:
            with history.batch():
                for outcome in outcomes:
                    if outcome.result is not None:
                        history.record(team=team.name, week=period.label, result=outcome.result)
                for outcome in ahead:
                    if outcome.result is not None:
                        label = outcome.result.period.label
                        history.record(
                            team=team.name, week=label, result=outcome.result, kind="preview"
                        )
        audited = [(o, _trend(history, o, period)) for o in outcomes if o.result is not None]
        pages = all_rep_pages(audited, audience, files=out is not None)
        reports = [p.report for p in pages]
        partial_run = whole_team and only is not None and history is not None
        shown: tuple[list[RepOutcome], list[RepReport]] = (outcomes, reports)
        if partial_run:
            from .recorded import whole_team as whole

            shown = whole(team, period, outcomes, reports, history)
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
        run = TeamRun(period, outcomes, team_report, preview=ahead)
        if out is not None:
            run.folder = out
            run.written = _write(out, team_report, pages, ahead, audience, partial=partial_run)
        if mail and history is not None:
            rollup = only is None  # a run for one rep mails that rep alone
            run.mail_errors = _mail(team, run, history, resend=resend, log=log, rollup=rollup)
        return run
    finally:
        if history is not None:
            history.close()


def default_folder(team: Team, period: Period) -> Path:
    """``<output_dir>/<ISO week>/``."""
    return team.output_dir / period.label


def rep_file_stem(report: RepReport) -> str:
    """The rep's pages' file name: the address, made safe even if it were not validated
    (it can never name a folder or leave the output folder)."""
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", report.rep.email.replace("@", "-at-"))
    return stem.lstrip(".") or "rep"


@dataclass(frozen=True)
class RepPages:
    """One rep's report view, and its HTML and Markdown pages when files are written."""

    report: RepReport
    html: str = ""
    markdown: str = ""
    json: str = ""  # the rep's entry of team.json
    csv: str = ""  # the rep's lines of team.csv
    trend: tuple = ()  # the history the pages show


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
    """The audit's key covers every input of the result; add what the pages add."""
    from ..caching import pages_key

    return pages_key(outcome.key, audience, trend, files)


def _build_pages(audited: tuple[RepOutcome, tuple], *, audience: str, files: bool) -> RepPages:
    outcome, trend = audited
    assert outcome.result is not None
    report = build_report(outcome.result, audience, trend=trend)
    if not files:
        return RepPages(report, trend=trend)
    from ..report import csv_report, json_report

    return RepPages(
        report,
        render(report, "html"),
        render(report, "markdown"),
        json_report.rep_fragment(report),
        csv_report.rep_fragment(report),
        trend,
    )


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


def _trends_before(history, team: Team, period: Period, only: str | None) -> dict | None:
    """Each rep's trend points in the weeks before ``period`` (None: no history kept)."""
    if history is None:
        return None
    from ..history import previous_week

    last = previous_week(period.label)
    return {
        member.email: tuple(history.trend(member.email, weeks=TREND_WEEKS - 1, until=last))
        for member in team.spec.reps
        if only is None or member.email == only.lower()
    }


def _write(
    folder: Path,
    team: TeamReport,
    pages: list[RepPages],
    ahead: list[RepOutcome],
    audience: str,
    *,
    partial: bool = False,
) -> list[Path]:
    """The run's files; ``partial``: a run for one rep of the team's week, whose other
    reps' pages, team.json and team.csv entries and previews the folder keeps."""
    from ..report import csv_report
    from ..report.html import render_team
    from ..report.json_report import render_fragments
    from .recorded import merged_csv, merged_json

    own = {page.report.rep.email for page in pages}
    links = {
        r.rep.email: f"{rep_file_stem(r)}.html"
        for r in team.reps
        if r.rep.email in own or (folder / f"{rep_file_stem(r)}.html").exists()
    }
    files: list[tuple[Path, str]] = []
    for page in pages:
        stem = rep_file_stem(page.report)
        files.append((folder / f"{stem}.html", page.html))
        files.append((folder / f"{stem}.md", page.markdown))
    files.append((folder / "index.html", render_team(team, links)))
    md_links = {email: href.replace(".html", ".md") for email, href in links.items()}
    files.append((folder / "rollup.md", render_team_markdown(team, links=md_links)))
    if pages:
        team_json = render_fragments([p.report for p in pages], [p.json for p in pages])
        team_csv = csv_report.render_fragments([p.report for p in pages], [p.csv for p in pages])
        if partial:
            team_json = merged_json(folder / "team.json", team_json)
            team_csv = merged_csv(folder / "team.csv", team_csv)
        files.append((folder / "team.json", team_json))
        files.append((folder / "team.csv", team_csv))
    previews = [build_report(o.result, audience) for o in ahead if o.result is not None]
    if previews and not partial:  # one rep's preview would replace the team's
        files.append((folder / "next-week.md", render(previews, "markdown")))
    folder.mkdir(parents=True, exist_ok=True)  # once, not by every writer at the same time
    # each write waits for its fsync (which releases the GIL): several at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda file: write_text_atomic(*file), files))


def _trend(history, outcome: RepOutcome, period: Period):
    if history is None or outcome.result is None:
        return ()
    return tuple(history.trend(outcome.member.email, weeks=TREND_WEEKS, until=period.label))


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


def _mail(team: Team, run: TeamRun, history, *, resend: bool, log, rollup: bool) -> list[str]:
    """Send each week's mail once (unless ``resend``); the one-line errors of what failed."""
    from ..mail import MailSettings, Message, rep_message, rollup_message, send
    from ..report.html import render_team

    section = team.spec.mail
    if section is None:
        return []
    settings = MailSettings(
        host=section.host,
        port=section.port,
        security=section.security,
        sender=section.sender,
        username_env=section.username_env,
        password_env=section.password_env,
    )
    week = run.period.label
    pending: list[tuple[Message, str]] = []

    def due(recipient: str, kind: str) -> bool:
        if resend or not history.mail_sent(
            team=team.name, week=week, recipient=recipient, kind=kind
        ):
            return True
        log(f"mail to {recipient} ({kind}, {week}) was sent before; not sent again (--resend)")
        return False

    served = _served(team, run, log)
    manager = team.spec.manager
    if rollup and section.to_manager and manager is not None and due(manager.email, "rollup"):
        message = rollup_message(
            manager.email,
            f"{team.name}: routine audit {week}",
            render_team_markdown(run.team_report),
            render_team(run.team_report, {}),
            _manager_links(run, served),
        )
        pending.append((message, "rollup"))
    if section.to_reps:
        for outcome in run.outcomes:
            email = outcome.member.email
            if outcome.result is None or not due(email, "rep"):
                continue
            own = build_report(outcome.result, "owner", trend=_trend(history, outcome, run.period))
            text, html = render(own, "markdown"), render(own, "html")
            links = _rep_links(own, served)
            pending.append((rep_message(email, week, own.coverage, text, html, links), "rep"))
    kinds = {id(message): kind for message, kind in pending}

    def sent(message: Message) -> None:
        # recorded the moment the server took it: a run killed later never sends it again
        kind = kinds[id(message)]
        history.mark_mail_sent(team=team.name, week=week, recipient=message.to, kind=kind)
        log(f"mail sent to {message.to}")

    errors = []
    results = send(settings, [message for message, _ in pending], on_sent=sent)
    for message, error in results:
        if error is not None:
            errors.append(f"{message.to}: {error}")
            log(f"mail to {message.to} FAILED: {for_manager(error, 'server text')}")
    return errors


def _served(team: Team, run: TeamRun, log: Callable[[str], None]) -> Callable[[str], str | None]:
    """The served address of a file this run wrote (None: not written, or no
    ``report_url``). The addresses are ``<report_url>/<ISO week>/<file>``, where the
    team's output_dir is served: a run told to write elsewhere (``--out``) says that
    its links may not match."""
    written = set(run.written)
    if team.spec.report_url is None or run.folder is None:
        return lambda name: None
    week = run.period.label
    expected = default_folder(team, run.period)
    if run.folder.resolve() != expected.resolve():
        log(
            f"warning: report_url: the reports were written to {run.folder}, not {expected}; "
            f"the mail links to {team.page_url(week, 'index.html')}, which may not be them"
        )

    def url(name: str) -> str | None:
        return team.page_url(week, name) if run.folder / name in written else None

    return url


def _manager_links(run: TeamRun, served: Callable[[str], str | None]):
    """The team page, then each rep's page (all manager-audience, as ``run`` writes them)."""
    from ..mail import Links

    pages = [("Team page", served("index.html"))]
    for report in run.team_report.reps:
        pages.append((report.rep.name or report.rep.email, served(f"{rep_file_stem(report)}.html")))
    return Links("The reports online:", tuple((n, u) for n, u in pages if u is not None))


def _rep_links(own: RepReport, served: Callable[[str], str | None]):
    """The rep's own page and no other; it is written for the manager's eyes, and says so."""
    from ..mail import Links

    url = served(f"{rep_file_stem(own)}.html")
    pages = () if url is None else (("Your page", url),)
    return Links("Online, as your manager sees it:", pages)
