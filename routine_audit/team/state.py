"""A team run's state while its stages run (``RunState``), and what it did (``TeamRun``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExitCode
from ..period import Period
from ..report.team_view import TeamReport
from ..trends import CHART_READ, CHART_WEEKS
from .options import RunOptions
from .pages import RepPages
from .runner import RepOutcome

if TYPE_CHECKING:
    from ..config.team import Team
    from ..history import History

TREND_WEEKS = CHART_WEEKS  # the weeks a rep's trend shows, this one included
TREND_READ = CHART_READ  # and what it reads: the weeks before, for the rolling line


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

    def exit_line(self) -> str | None:
        """The one line a run that does not exit 0 ends with (stderr and the log), e.g.
        ``routine-audit: exit 1: failed: lee@x.example``; None for a clean run."""
        reasons = self.reasons()
        if self.exit_code == ExitCode.OK or not reasons:
            return None
        return f"routine-audit: exit {int(self.exit_code)}: {'; '.join(reasons)}"

    def summary(self) -> str:
        """The scheduled run's last log line: how many reps were audited, who failed,
        where the reports are."""
        failed = [o.member.email for o in self.outcomes if not o.ok]
        return (
            f"done: {sum(o.ok for o in self.outcomes)} of {len(self.outcomes)} reps audited"
            + (f"; failed: {', '.join(failed)}" if failed else "")
            + f"; reports in {self.folder}"
        )


# every cause of exit code 1 (``TeamRun.reasons``), as the README's `run` table lists them
REASONS = {
    "failed": "the rep could not be audited (their own FAILED log line says why)",
    "input skipped": "some of the rep's events or files could not be read and were left out",
    "no calendar data": "the rep's week held no calendar data (empty or stale): not judged",
    "mail not sent": "the server refused or could not be reached for this recipient",
}


@dataclass
class RunState:
    """A run in progress: what it was asked (``options``) and what its stages made."""

    team: Team
    options: RunOptions
    period: Period
    history: History | None = None  # None: nothing is recorded (not a week, or not asked)
    outcomes: list[RepOutcome] = field(default_factory=list)
    ahead: list[RepOutcome] = field(default_factory=list)  # the week ahead's audits
    proposals: dict = field(default_factory=dict)  # rep email -> Proposals (issue 21)
    pages: list[RepPages] = field(default_factory=list)  # of the reps audited
    partial: bool = False  # one rep of the team's week: the others as the history has them
    run: TeamRun = field(init=False)  # made by the render stage

    def trend(self, outcome: RepOutcome) -> tuple:
        """The rep's trend points up to this week, as the history holds them."""
        if self.history is None or outcome.result is None:
            return ()
        email, week = outcome.member.email, self.period.label
        return tuple(self.history.trend(email, weeks=TREND_READ, until=week))
