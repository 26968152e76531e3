"""The week ahead: before the week, is every commitment blocked out?

The coming week's calendar is audited like any week (docs/audit.md is the contract)
and read in the future tense: per commitment, what is already blocked out against the
target, the committed days with nothing booked, the blocks shorter than the minimum,
the time already lost to meetings booked on top of routine blocks and the protected
time already overlapped; the findings (limits already broken, invitations not yet
answered inside committed windows...) come with forward-looking questions.

    import routine_audit as ra

    ahead = ra.plan_week("calendar.ics", routine, rules)      # next week by default
    for c in ahead.commitments:
        print(c.id, c.planned, c.target, c.days_without_block)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from .coverage import Coverage, Status
from .finding_kinds import PROTECTED_OVERLAP, UNANSWERED_INVITATION
from .period import Period
from .result import AuditResult, Finding
from .unit_kinds import unit_kind

if TYPE_CHECKING:
    from .config.schema import Routine, RuleSet
    from .pipeline import CalendarSpec


@dataclass(frozen=True)
class AheadCommitment:
    """One commitment in the week ahead. ``planned``, ``target`` and ``gap`` are in the
    commitment's unit (hours, blocks or meetings), like the audit's commitments."""

    id: str
    activity: str
    unit: str
    per: str
    direction: str
    protected: bool
    planned: float  # what is already on the calendar (the audit's ``scheduled``)
    target: float
    gap: float  # target - planned for a min (a limit: planned - limit); > 0 is a problem
    days_without_block: tuple[date, ...]  # committed days with nothing of it booked yet
    short_blocks: int  # runs shorter than min_block
    lost_to_meetings_seconds: int  # routine blocks' seconds meetings booked on top take
    protected_overlapped_seconds: int  # a protected block's seconds others overlap
    unanswered_invitations: int  # invitations not yet answered inside its window
    # the week's calendar shows only busy/free blocks: what is blocked out cannot be seen
    busy_free: bool = False

    @property
    def counts_days(self) -> bool:
        """Whether it has days without a block: a ``min`` commitment that reserves time
        or is due each day (a limit, or a weekly count of meetings, has none)."""
        return self.direction == "min" and (
            unit_kind(self.unit).routine_blocks or self.per == "day"
        )

    @property
    def loses_to_meetings(self) -> bool:
        """Whether time lost to meetings applies: a ``min`` commitment of routine blocks
        (meetings are not displaced by meetings; a limit loses nothing it needs)."""
        return self.direction == "min" and unit_kind(self.unit).routine_blocks

    @property
    def blocked_out(self) -> bool:
        """Nothing left to book: the target is planned (a limit: not planned past it);
        never when the calendar shows only busy/free blocks."""
        return not self.busy_free and self.gap <= unit_kind(self.unit).tolerance


@dataclass(frozen=True)
class WeekAhead:
    """The week ahead of one rep: its figures per commitment, its findings (future
    tense kinds only) and the audit they come from (``result``, for the reports)."""

    week: str  # the period's label, an ISO week such as 2026-W47
    period: Period
    commitments: tuple[AheadCommitment, ...]
    findings: tuple[Finding, ...]
    coverage: Coverage
    result: AuditResult

    def commitment(self, commitment_id: str) -> AheadCommitment:
        return next(c for c in self.commitments if c.id == commitment_id)


def week_ahead(result: AuditResult) -> WeekAhead:
    """The week ahead from an audit of the coming week read in the future tense
    (``audit(..., tense="ahead")``, or ``engine.ahead.in_tense``)."""
    records = result.commitment_records
    routine_activities = {
        str(r["activity"]) for r in records if unit_kind(str(r["unit"])).routine_blocks
    }
    table = result.occurrences
    activity = table["activity"].to_dict()
    lost: dict[str, int] = {}
    for occ, by, seconds in result.displacements:
        if activity[by] not in routine_activities:  # a meeting (or other event) on top
            lost[activity[occ]] = lost.get(activity[occ], 0) + int(seconds)
    overlapped: dict[str, int] = {}
    invitations: dict[str, int] = {}
    for f in result.finding_objects:
        if f.kind == PROTECTED_OVERLAP and f.evidence and f.commitment:
            overlapped[f.commitment] = overlapped.get(f.commitment, 0) + f.evidence[0].seconds
        elif f.kind == UNANSWERED_INVITATION and f.commitment:
            invitations[f.commitment] = invitations.get(f.commitment, 0) + 1
    busy_free = result.coverage.status is Status.FREE_BUSY
    committed = committed_days(result)
    commitments = tuple(
        AheadCommitment(
            id=str(r["id"]),
            activity=str(r["activity"]),
            unit=str(r["unit"]),
            per=str(r["per"]),
            direction=str(r["direction"]),
            protected=bool(r["protected"]),
            planned=float(r["scheduled"]),  # type: ignore[arg-type]
            target=float(r["target"]),  # type: ignore[arg-type]
            gap=float(r["gap"]),  # type: ignore[arg-type]
            days_without_block=() if busy_free else _days_without(committed, r),
            short_blocks=int(r["short_blocks"]),  # type: ignore[call-overload]
            lost_to_meetings_seconds=(
                lost.get(str(r["activity"]), 0) if str(r["activity"]) in routine_activities else 0
            ),
            protected_overlapped_seconds=overlapped.get(str(r["id"]), 0),
            unanswered_invitations=invitations.get(str(r["id"]), 0),
            busy_free=busy_free,
        )
        for r in records
    )
    return WeekAhead(
        week=result.period.label,
        period=result.period,
        commitments=commitments,
        findings=tuple(result.finding_objects),
        coverage=result.coverage,
        result=result,
    )


def committed_days(result: AuditResult) -> dict[str, list[tuple[date, float, float]]]:
    """Commitment id -> its committed days (a target above 0) as (day, scheduled,
    target), in the table's order: the columns read once for every commitment (the
    figures here and the proposals read them)."""
    days = result.commitment_days
    found: dict[str, list[tuple[date, float, float]]] = {}
    for commitment, day, scheduled, target in zip(
        days["commitment"].tolist(),
        days["date"].tolist(),
        days["scheduled"].tolist(),
        days["target"].tolist(),
        strict=True,
    ):
        if target > 0:
            found.setdefault(str(commitment), []).append((day, float(scheduled), float(target)))
    return found


def _days_without(
    committed: dict[str, list[tuple[date, float, float]]], record: dict[str, object]
) -> tuple[date, ...]:
    """The committed days with nothing of the commitment booked (no counted time; for
    ``blocks``, no block of at least ``min_block`` starting that day; for ``meetings``,
    no meeting): for ``min`` commitments that reserve time or are due each day; a
    weekly count of meetings may fall on any day, and a limit needs no block."""
    if record["direction"] != "min":
        return ()
    if not (unit_kind(str(record["unit"])).routine_blocks or record["per"] == "day"):
        return ()
    return tuple(d for d, scheduled, _ in committed.get(str(record["id"]), ()) if scheduled <= 0)


def audit_ahead(
    calendar: CalendarSpec, routine: Routine, rules: RuleSet | None, period: Period
) -> AuditResult:
    """Read ``calendar`` for ``period`` and audit it as the week ahead (the audit itself
    may come from the cache: the week ahead's reading is added to it)."""
    from .engine.ahead import in_tense
    from .pipeline import audit_calendar

    return in_tense(audit_calendar(calendar, routine, rules, period), routine, "ahead")


def plan_week(
    source: CalendarSpec,
    routine: Routine,
    rules: RuleSet | None = None,
    week: str = "next",
    now: datetime | None = None,
    *,
    tz: str | None = None,
) -> WeekAhead:
    """The week ahead of one rep: ``week`` is ``next`` (the default), ``this`` or an ISO
    week such as ``2026-W47``, worked out from ``now`` (default: the clock) in the
    routine's zone (or ``tz``); ``rules`` None: the routine's own, else the defaults."""
    from .errors import UsageError
    from .pipeline import period_for

    if (week or "").strip().lower() == "last":
        raise UsageError(
            "`week` last is behind us: the week ahead is this week, next week or an ISO week",
            hint="use next (the default), this, or an ISO week such as 2026-W47",
            names=("week",),
        )
    today = None if now is None else now.astimezone(routine.zone).date()
    period = period_for(routine, tz=tz, week=week or "next", today=today)
    return week_ahead(audit_ahead(source, routine, rules, period))


def record_week_ahead(history, *, team: str, result: AuditResult) -> None:
    """Keep a week ahead (an ISO week) in the history, as that week's ``preview`` audit
    (replacing an earlier one of the same team, week and rep)."""
    if result.period.label.count("-W") != 1:
        return  # the history is kept per ISO week
    history.record(team=team, week=result.period.label, result=result, kind="preview")
