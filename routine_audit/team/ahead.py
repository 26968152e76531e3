"""A team's week ahead: every rep's coming week checked against their commitments
(``team plan``, and ``run`` for the week after the one it audits), the roll-up line per
commitment ("prospecting blocked out for 3 of 4 reps") and the run's week-ahead files.

The week ahead's audits are the team's ordinary audits of that week (read, cached and
failing one rep at a time like any), each read in the future tense."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..ahead import WeekAhead, week_ahead
from ..period import Period
from ..unit_kinds import unit_kind
from ..wording import count_text
from .runner import RepOutcome, audit_team

if TYPE_CHECKING:
    from ..config.team import Team
    from ..report.ahead_view import AheadReport

AHEAD_PAGE = "-week-ahead.html"  # a rep's week-ahead page: <rep>-week-ahead.html


def check_week_ahead(
    team: Team,
    period: Period,
    *,
    only: str | None = None,
    tz: str | None = None,
    audits: Sequence[RepOutcome | None] | None = None,
) -> list[RepOutcome]:
    """Each rep's (or ``only``'s) audit of ``period`` read as the week ahead; a rep whose
    calendar cannot be read fails alone, as in any team audit. ``audits``: those audits
    already made (``run`` makes them beside the audited week's, from the same read; one
    already read in the future tense stays as it is)."""
    if audits is None or any(outcome is None for outcome in audits):
        audits = audit_team(team, period, only=only, tz=tz)
    return [in_future_tense(team, o) for o in audits if o is not None]


def in_future_tense(team: Team, outcome: RepOutcome) -> RepOutcome:
    """``outcome``'s audit read as the week ahead (kept beside the audit, so a warm run
    decodes neither). Its outcome's cache key is the reading's own: what derives from
    the week ahead is not what derives from the same week's audit."""
    from ..caching.ahead import ahead_audit, ahead_key

    if outcome.result is None or outcome.tense == "ahead":
        return outcome
    try:
        routine = team.member_routine(outcome.member)
    except Exception as exc:  # noqa: BLE001  (the audit read it: only a bug lands here)
        return RepOutcome(outcome.member, None, f"internal error ({type(exc).__name__})")
    result = ahead_audit(outcome.result, routine, outcome.key)
    key = ahead_key(outcome.key)
    return replace(outcome, result=result, key=key, pages=None, tense="ahead")  # type: ignore[arg-type]


def weeks_ahead(outcomes: Sequence[RepOutcome]) -> list[WeekAhead]:
    """The week ahead of each rep whose audit succeeded, in team-file order."""
    from ..caching import opened

    return [week_ahead(opened(o.result)) for o in outcomes if o.result is not None]


def ahead_reports(
    outcomes: Sequence[RepOutcome], audience: str, proposals: dict | None = None
) -> list[AheadReport]:
    """The week-ahead views; ``proposals`` (rep email -> Proposals): their slots too."""
    from ..report.ahead_view import build_ahead

    made = proposals or {}
    return [
        build_ahead(ahead, audience, proposals=made.get(ahead.result.rep.email))
        for ahead in weeks_ahead(outcomes)
    ]


@dataclass(frozen=True)
class BlockedOut:
    """One commitment across the team: how many reps have it blocked out already."""

    commitment: str
    activity: str
    blocked_out: int
    reps: int
    missing: tuple[str, ...]  # the reps (emails) who have not
    verb: str = "blocked out"  # meetings: booked; a limit: within the limit
    no_data: int = 0  # of the reps, those with no events that week (counted as not done)
    busy_free: int = 0  # those whose calendar shows only busy/free blocks (not done either)

    @property
    def text(self) -> str:
        """``prospecting blocked out for 3 of 4 reps``; a limit: ``admin within the
        limit for 4 of 4 reps``; reps with no events that week are said apart
        (``... for 2 of 4 reps; 1 has no events that week yet``): for a limit, not being
        counted within it must not read as being over it."""
        reps = count_text(self.reps, "rep")
        text = f"{self.commitment} {self.verb} for {self.blocked_out} of {reps}"
        if self.no_data:
            has = "has" if self.no_data == 1 else "have"
            text += f"; {self.no_data} {has} no events that week yet"
        if self.busy_free:
            text += f"; {self.busy_free} with busy/free blocks only"
        return text


def blocked_out(aheads: Sequence[WeekAhead]) -> list[BlockedOut]:
    """Per commitment id (in the order the reps' routines first name them), how many of
    the reps who have it already have it blocked out (a limit: are within it). Reps
    without calendar data for that week count as not blocked out."""
    order: dict[str, list[tuple[str, bool, str, str, bool, bool]]] = {}
    for ahead in aheads:
        email = ahead.result.rep.email
        judged = ahead.coverage.judged
        busy_free = judged and not ahead.coverage.commitments_judged
        for c in ahead.commitments:
            done = c.blocked_out and judged
            verb = "blocked out" if unit_kind(c.unit).routine_blocks else "booked"
            verb = "within the limit" if c.direction == "max" else verb
            order.setdefault(c.id, []).append((email, done, c.activity, verb, judged, busy_free))
    return [
        BlockedOut(
            commitment=cid,
            activity=rows[0][2],
            blocked_out=sum(row[1] for row in rows),
            reps=len(rows),
            missing=tuple(row[0] for row in rows if not row[1]),
            verb=rows[0][3],
            no_data=sum(not row[4] for row in rows),
            busy_free=sum(row[5] for row in rows),
        )
        for cid, rows in order.items()
    ]


def rollup_markdown(aheads: Sequence[WeekAhead], week: str) -> str:
    """The roll-up's "next week" section: one line per commitment."""
    from ..report.markdown import escape

    lines = [f"## Next week ({week})", ""]
    rows = blocked_out(aheads)
    lines += [f"- {escape(row.text)}" for row in rows] or ["- no rep's week ahead was checked"]
    return "\n".join(lines) + "\n"


def rollup_html(aheads: Sequence[WeekAhead], week: str) -> str:
    from markupsafe import escape

    rows = blocked_out(aheads)
    items = "".join(f"<li>{escape(row.text)}</li>" for row in rows)
    return (
        f'<section class="next-week"><h2>Next week ({escape(week)})</h2><ul>{items}</ul></section>'
    )


def ahead_files(
    outcomes: Sequence[RepOutcome],
    audience: str,
    folder: Path,
    *,
    team_files: bool = True,
    proposals: dict | None = None,
) -> list[tuple[Path, str]]:
    """The week ahead's files: ``<rep>-week-ahead.html`` per rep; with ``team_files``,
    next-week.md (every rep, future tense), next-week.json and next-week.csv."""
    from ..report.ahead_view import render_ahead
    from .pages import rep_file_stem

    reports = ahead_reports(outcomes, audience, proposals)
    files = [
        (folder / f"{rep_file_stem(r.report)}{AHEAD_PAGE}", render_ahead(r, "html"))
        for r in reports
    ]
    if reports and team_files:
        files += [
            (folder / f"next-week.{suffix}", render_ahead(reports, fmt))
            for suffix, fmt in (("md", "markdown"), ("json", "json"), ("csv", "csv"))
        ]
    return files


# -- team plan -----------------------------------------------------------------------


@dataclass
class TeamAhead:
    """What ``team plan`` did: each rep's week ahead (or why it failed), the files."""

    team: str
    period: Period
    outcomes: list[RepOutcome]
    reports: list[AheadReport]
    written: list[Path]

    @property
    def exit_code(self):
        from ..errors import ExitCode

        if not any(o.ok for o in self.outcomes):
            return ExitCode.NOTHING
        troubled = any(
            o.result is None or o.result.incomplete or o.result.no_data for o in self.outcomes
        )
        return ExitCode.PARTIAL if troubled else ExitCode.OK

    def render(self, fmt: str = "table") -> str:
        """The team's week ahead: the roll-up lines, then each rep's commitments
        (``markdown``: as Markdown; ``table``: plain text)."""
        from ..report.ahead_view import commitment_line
        from ..report.markdown import escape

        mark = fmt == "markdown"
        say = escape if mark else (lambda text: text)
        aheads = [r.ahead for r in self.reports]
        lines = [f"{'# ' if mark else ''}{say(self.team)}: the week ahead {self.period.name}", ""]
        lines += [f"- {say(row.text)}" for row in blocked_out(aheads)]
        for report in self.reports:
            name = report.rep.name or report.rep.email
            lines += ["", f"{'## ' if mark else ''}{say(name)}"]
            if not report.report.coverage.judged:
                lines.append(
                    "- no events on the calendar for that week yet: nothing is blocked out"
                )
            lines += [f"- {say(commitment_line(c))}" for c in report.commitments]
        failed = [o for o in self.outcomes if o.result is None]
        if failed:
            lines += ["", f"{'## ' if mark else ''}Not checked"]
            lines += [f"- {say(o.member.email)}: {say(o.error or '')}" for o in failed]
        return "\n".join(lines) + "\n"


def plan_team(
    team: Team,
    *,
    week: str | None = "next",
    only: str | None = None,
    tz: str | None = None,
    out: Path | None = None,
    db: Path | None = None,
    audience: str = "manager",
    record: bool = True,
    today=None,
) -> TeamAhead:
    """Check every rep's (or ``only``'s) week ahead: ``week`` next (the default), this,
    or an ISO week, in the team's zone. ``out``: write the week-ahead files there;
    ``record``: keep each week ahead in the history (``db``, else the team file's, else
    the user data dir), as ``run`` does."""
    from ..atomic import write_text_atomic
    from ..errors import UsageError
    from .runner import team_period

    if (week or "").strip().lower() == "last":
        raise UsageError(
            "`week` last is behind us: the week ahead is this week, next week or an ISO week",
            hint="use next (the default), this, or an ISO week such as 2026-W47",
            names=("week",),
        )
    period = team_period(team, week=week or "next", today=today)
    outcomes = check_week_ahead(team, period, only=only, tz=tz)
    if record:
        record_weeks_ahead(team, outcomes, db)
    written: list[Path] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        files = ahead_files(outcomes, audience, out, team_files=only is None)
        written = [write_text_atomic(path, text) for path, text in files]
    return TeamAhead(team.name, period, outcomes, ahead_reports(outcomes, audience), written)


def record_weeks_ahead(team: Team, outcomes: Sequence[RepOutcome], db: Path | None) -> None:
    """Keep each rep's week ahead in the history (``db``, else the team file's), and a
    snapshot of its plan (survival.py)."""
    from ..ahead import record_week_ahead
    from ..history import History, default_db_path
    from ..survival import take_team_snapshots

    with History(db or team.db_path or default_db_path()) as history, history.batch():
        for outcome in outcomes:
            if outcome.result is not None:
                record_week_ahead(history, team=team.name, result=outcome.result)
        take_team_snapshots(history, team, outcomes)
