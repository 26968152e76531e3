"""The team roll-up view: every rep's report, the reps that failed, and the gaps ranked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..period import Period
from ..visible import visible
from .view import CommitmentView, RepReport


@dataclass(frozen=True)
class RepFailure:
    """A rep whose calendar could not be audited, and why (one line, no secrets)."""

    email: str
    name: str
    message: str

    def __post_init__(self) -> None:  # server text in an error: never raw in a page or mail
        object.__setattr__(self, "message", visible(self.message))


@dataclass(frozen=True)
class RankedGap:
    """One rep's commitment, ranked by the size of its gap."""

    rep_email: str
    rep_name: str
    commitment: str
    activity: str
    unit: str
    direction: str
    target: float
    scheduled: float
    gap: float
    adherence: float | None
    previous_adherence: float | None  # the week before, from the history
    previous_judged: bool = True  # False: the week before is recorded without calendar data

    @classmethod
    def of(
        cls,
        report: RepReport,
        c: CommitmentView,
        previous: float | None = None,
        previous_judged: bool = True,
    ) -> RankedGap:
        """One commitment of a rep's report, with last week's adherence if known."""
        return cls(
            rep_email=report.rep.email,
            rep_name=report.rep.name or report.rep.email,
            commitment=c.id,
            activity=c.activity,
            unit=c.unit,
            direction=c.direction,
            target=c.target,
            scheduled=c.scheduled,
            gap=c.gap,
            adherence=c.adherence,
            previous_adherence=previous,
            previous_judged=previous_judged,
        )

    @property
    def change(self) -> float | None:
        """Week-over-week change in adherence (positive: better)."""
        if self.adherence is None or self.previous_adherence is None:
            return None
        return self.adherence - self.previous_adherence


@dataclass(frozen=True)
class TeamReport:
    team: str
    period: Period
    reps: tuple[RepReport, ...]
    failures: tuple[RepFailure, ...]
    ranking: tuple[RankedGap, ...]  # biggest relative gap first

    @cached_property
    def apart(self) -> tuple[tuple[RepReport, str], ...]:
        """Reps whose commitments this week's data cannot show (coverage), listed apart
        from the ranking, with why: ``no calendar data this week; newest event …``."""
        return tuple(
            (report, report.coverage.apart_text())
            for report in self.reps
            if not report.coverage.commitments_judged
        )

    @cached_property
    def judged(self) -> tuple[RepReport, ...]:
        """The reps of the adherence matrix: those whose commitments are judged (the
        others are listed apart)."""
        return tuple(report for report in self.reps if report.coverage.commitments_judged)

    @property
    def nobody_judged(self) -> str:
        """The line a roll-up shows in place of an empty adherence matrix, else ``""``."""
        if self.judged:
            return ""
        if not self.reps:
            return "No rep could be audited: there is no adherence to show."
        return "No rep's commitments could be judged with this period's calendar data."

    @cached_property
    def commitment_ids(self) -> tuple[str, ...]:
        """Every commitment id across the team, in first-seen order."""
        seen: dict[str, None] = {}
        for report in self.reps:
            for c in report.commitments:
                seen.setdefault(c.id, None)
        return tuple(seen)

    @cached_property
    def survival_ranking(self) -> tuple[tuple[RepReport, float], ...]:
        """Reps whose week had a plan, by the share of its planned time that survived,
        lowest first (then by name): the roll-up's "Plan survival" (issue 20)."""
        found = [
            (report, report.plan.survival)
            for report in self.judged
            if report.plan is not None and report.plan.survival is not None
        ]
        return tuple(
            sorted(found, key=lambda pair: (pair[1], pair[0].rep.name or pair[0].rep.email))
        )

    @cached_property
    def not_ranked(self) -> tuple[tuple[RepReport, str], ...]:
        """When some rep is ranked by plan survival, the judged reps with a history who
        are not, and why (``no plan recorded``, ``nothing planned``): said, not left out
        silently."""
        if not self.survival_ranking:
            return ()
        return tuple(
            (
                report,
                "no plan recorded before the week's work began"
                if report.plan.snapshot_at is None
                else "nothing planned",
            )
            for report in self.judged
            if report.plan is not None and report.plan.survival is None
        )

    def adherence(self, email: str, commitment: str) -> float | None:
        return self._adherence.get(email, {}).get(commitment)

    @cached_property
    def _adherence(self) -> dict[str, dict[str, float | None]]:
        """email -> commitment id -> adherence (the first report and commitment of each)."""
        table: dict[str, dict[str, float | None]] = {}
        for report in self.reps:
            if report.rep.email not in table:
                row: dict[str, float | None] = {}
                for c in report.commitments:
                    row.setdefault(c.id, c.adherence)
                table[report.rep.email] = row
        return table
