"""The team roll-up: reps and commitments ranked by the size of their gap."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..period import Period
from ..report.team_view import RankedGap, RepFailure, TeamReport
from ..report.view import RepReport
from .runner import RepOutcome


def build_team_report(
    team_name: str,
    period: Period,
    outcomes: Sequence[RepOutcome],
    reports: Sequence[RepReport],
    *,
    previous: Callable[[str], dict[str, float | None]] = lambda email: {},
    previous_judged: Callable[[str], bool] = lambda email: True,
) -> TeamReport:
    """The roll-up view; ``previous(email)`` gives last week's adherence per commitment,
    ``previous_judged(email)`` False when last week is recorded without calendar data."""
    failures = tuple(
        RepFailure(o.member.email, o.member.name, o.error or "") for o in outcomes if not o.ok
    )
    ranking: list[RankedGap] = []
    for report in reports:
        if not report.coverage.commitments_judged:
            continue  # listed apart (TeamReport.apart), never ranked as a gap
        before, judged = previous(report.rep.email), previous_judged(report.rep.email)
        ranking.extend(
            RankedGap.of(report, c, before.get(c.id), judged) for c in report.commitments
        )
    ranking.sort(key=_size_of_gap, reverse=True)
    return TeamReport(team_name, period, tuple(reports), failures, tuple(ranking))


def _size_of_gap(gap: RankedGap) -> float:
    """Gaps compared across units: the share of the target that is missing (or over)."""
    if gap.target <= 0:
        return 0.0
    return max(gap.gap, 0.0) / gap.target
