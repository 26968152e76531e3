"""Plan vs what survived: the week ahead's committed blocks, stored before the week
begins (a snapshot), compared with what the week's audit found.

docs/audit.md ("Plan vs what survived") defines every outcome and figure. In short:
``take_snapshot`` stores the planned blocks of an audit of the week ahead; the first
snapshot taken before the week's first working hour is the plan (``week_plan``), never
replaced. ``plan_vs_survived`` gives each planned block one outcome (``OUTCOMES``, first
match wins) and each commitment its planned, survived and added seconds, its survival
and the share of its time that was planned ahead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from .result import TAKEN_BY_SEPARATOR, AuditResult, Evidence
from .unit_kinds import unit_kind

if TYPE_CHECKING:
    from .config.schema import Routine
    from .config.team import Team
    from .history import History
    from .period import Period
    from .team.runner import RepOutcome

# a planned block's outcome, in the order they are tried: the first that holds is its own
OUTCOMES = ("deleted", "cancelled", "declined", "moved", "shortened", "displaced", "held")
# where ``planned_ahead`` comes from
SOURCES = ("snapshot", "created", "none")
HOUR = 3600


@dataclass(frozen=True)
class PlannedBlock:
    """One committed block of the week ahead, for one commitment, as a snapshot saw it."""

    identity: str  # UID and instance (Event.key): matched, never shown
    start: datetime
    end: datetime
    activity: str
    commitment: str
    seconds: int  # counted inside the week when the snapshot was taken
    # identities of the events already taking some of its seconds then: never obstacles
    taken_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlanSnapshot:
    """One snapshot of a rep's week ahead; ``before_start``: taken before the week's first
    working hour (only such a snapshot can be the plan)."""

    week: str
    rep: str
    taken_at: datetime
    before_start: bool
    blocks: tuple[PlannedBlock, ...]


@dataclass(frozen=True)
class WeekPlan:
    """What a history holds of a rep's week: its plan, or None when no snapshot taken
    before the week began is recorded. A team run with a history gives each audited rep
    one; without a history there is none, and the reports show no plan section."""

    snapshot: PlanSnapshot | None


@dataclass(frozen=True)
class BlockOutcome:
    """What became of one planned block. ``obstacles``: the events that took counted
    seconds from it in the actual week (``occ`` points into the actual audit's
    occurrences), each with the seconds it took."""

    start: datetime  # as planned
    end: datetime
    activity: str
    commitment: str
    outcome: str  # one of OUTCOMES
    planned_seconds: int
    survived_seconds: int
    obstacles: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class CommitmentSurvival:
    """One commitment's plan figures, in seconds (None: no plan to compare with)."""

    id: str
    activity: str
    unit: str
    planned_seconds: int | None
    survived_seconds: int | None
    added_seconds: int | None
    survival: float | None  # survived / planned; None when nothing was planned
    planned_ahead: float | None  # share of the week's counted time planned ahead
    limit: bool = False  # a `max` commitment: its lost time is no failure (not in survival)


@dataclass(frozen=True)
class PlanReview:
    """The audited week against its plan (``source`` says where ``planned_ahead`` comes
    from: ``snapshot``, ``created`` or ``none``)."""

    week: str
    snapshot_at: datetime | None
    source: str
    commitments: tuple[CommitmentSurvival, ...]
    blocks: tuple[BlockOutcome, ...]

    @property
    def survival(self) -> float | None:
        """The rep's survival: survived over planned seconds summed over the commitments
        that are not limits (None without a plan, or when nothing was planned)."""
        return rep_survival(self.snapshot_at, self.commitments)

    @property
    def lost(self) -> tuple[BlockOutcome, ...]:
        """The planned blocks that did not survive whole, in time order."""
        return tuple(b for b in self.blocks if b.survived_seconds < b.planned_seconds)


def rep_survival(snapshot_at: datetime | None, commitments: Iterable[Any]) -> float | None:
    """Survived over planned seconds, summed over the commitments that are not limits
    (losing time planned against a limit is no failure); None without a plan (no
    ``snapshot_at``) or when nothing was planned."""
    counted = [c for c in commitments if not c.limit]
    planned = sum(c.planned_seconds or 0 for c in counted)
    survived = sum(c.survived_seconds or 0 for c in counted)
    return None if snapshot_at is None or not planned else survived / planned


# ---------------------------------------------------------------- snapshots


def planned_blocks(result: AuditResult) -> tuple[PlannedBlock, ...]:
    """The committed blocks of an audit (of the week ahead): each counted occurrence whose
    activity is that of an ``hours`` or ``blocks`` commitment, once per such commitment,
    with its counted seconds inside the period (after overlaps: time a meeting already
    took is not planned). See ``AuditResult.planned_rows``."""
    return tuple(_planned(row, result.period.tz) for row in result.planned_rows)


def _planned(row: tuple[str, int, int, str, str, int, str], tz: tzinfo) -> PlannedBlock:
    """A planned block from its stored row (times in epoch seconds)."""
    identity, start, end, activity, commitment, seconds, taken_by = row
    return PlannedBlock(
        identity,
        datetime.fromtimestamp(start, tz),
        datetime.fromtimestamp(end, tz),
        activity,
        commitment,
        seconds,
        frozenset(taken_by.split(TAKEN_BY_SEPARATOR)) - {""},
    )


def take_snapshot(
    history: History,
    *,
    team: str,
    result: AuditResult,
    routine: Routine,
    rep: str | None = None,
    taken_at: datetime | None = None,
) -> PlanSnapshot:
    """Store the planned blocks of ``result`` (an audit of an ISO week ahead) in
    ``history`` as a snapshot taken ``taken_at`` (default now). The first snapshot taken
    before the week's first working hour (``routine``'s working hours, in its zone) is
    the week's plan; later ones are kept but never used."""
    taken_at = datetime.now(UTC) if taken_at is None else taken_at
    if taken_at.tzinfo is None:
        raise ValueError("taken_at must be time-zone aware")
    rows = result.planned_rows  # at hand in a kept audit: no decoding on warm runs
    starts = first_working_hour(routine, result.period)
    snapshot = PlanSnapshot(
        week=result.period.label,
        rep=rep or result.rep.email,
        taken_at=taken_at,
        before_start=taken_at < starts,
        blocks=tuple(_planned(row, result.period.tz) for row in rows),
    )
    history.add_plan_snapshot(
        team=team,
        week=snapshot.week,
        rep=snapshot.rep,
        taken_at=taken_at,
        before_start=snapshot.before_start,
        blocks=list(rows),
    )
    return snapshot


def take_team_snapshots(
    history: History,
    team: Team,
    outcomes: Iterable[RepOutcome],
    *,
    taken_at: datetime | None = None,
) -> list[PlanSnapshot]:
    """``take_snapshot`` for each audited rep of a team's week-ahead audits (``run``'s
    record stage; ``team plan``), each judged by the rep's routine."""
    taken_at = datetime.now(UTC) if taken_at is None else taken_at
    return [
        take_snapshot(
            history,
            team=team.name,
            result=outcome.result,
            routine=team.member_routine(outcome.member),
            taken_at=taken_at,
        )
        for outcome in outcomes
        if outcome.result is not None
    ]


def week_plan(history: History, *, team: str, week: str, rep: str) -> PlanSnapshot | None:
    """The plan of ``rep``'s ``week``: the first snapshot taken before the week's first
    working hour (None when there is none)."""
    found = history.first_plan(team=team, week=week, rep=rep)
    if found is None:
        return None
    taken_at, rows = found
    return PlanSnapshot(
        week=week,
        rep=rep,
        taken_at=taken_at,
        before_start=True,
        blocks=tuple(_planned(row, UTC) for row in rows),
    )


def own_review(history: History, actual: AuditResult) -> PlanReview | None:
    """A rep's own week against the plan they recorded with `plan --db` (snapshots under
    no team name): what `audit --db` shows; None when the week cannot show it."""
    week = actual.period.label
    plan = week_plan(history, team="", week=week, rep=actual.rep.email)
    return review_of(WeekPlan(plan), actual)


def first_working_hour(routine: Routine, period: Period) -> datetime:
    """When the period's work begins: the start of working hours on its first working day
    (a weekday with working hours, not in the routine's ``holidays``), in the routine's
    zone; the period's start when it has no working day."""
    for day in _days(period.first, period.last):
        spans = routine.working_spans(day.weekday())
        if spans and day not in routine.holidays:
            return datetime.combine(day, spans[0][0], routine.zone)
    return period.start


# ---------------------------------------------------------------- the review


def plan_vs_survived(plan: PlanSnapshot | None, actual: AuditResult) -> PlanReview:
    """The audited week against its plan; without one (``plan`` None) only what creation
    times allow (``planned_ahead`` from ``created``, or nothing: source ``none``)."""
    tz = actual.period.tz
    rows = _rows(actual)
    by_identity: dict[str, _Row] = {}
    for row in rows:  # the first occurrence of an identity stands for it
        if row.identity:
            by_identity.setdefault(row.identity, row)
    by_occ = {row.occ: row for row in rows}
    taken = _taken_from(actual, by_occ)
    planned = plan.blocks if plan is not None else ()
    outcomes = tuple(
        _outcome(block, by_identity.get(block.identity), taken, by_occ, tz)
        for block in sorted(planned, key=lambda b: (b.start, b.end))
    )
    in_plan = {block.identity for block in planned}
    source = _source(plan, rows, actual)
    commitments = tuple(
        _commitment(row, plan, outcomes, rows, in_plan, source, actual)
        for row in _block_commitment_rows(actual)
    )
    return PlanReview(
        week=actual.period.label,
        snapshot_at=plan.taken_at if plan is not None else None,
        source=source,
        commitments=commitments,
        blocks=outcomes,
    )


def review_of(plan: WeekPlan | None, actual: AuditResult) -> PlanReview | None:
    """The review a report shows: none without a history (``plan`` None) or when the week
    cannot show its commitments (no calendar data, or busy/free blocks only)."""
    if plan is None or not actual.coverage.commitments_judged:
        return None
    return plan_vs_survived(plan.snapshot, actual)


@dataclass(frozen=True)
class _Row:
    occ: int
    identity: str
    start: datetime
    end: datetime
    activity: str
    reason: str
    counted: int  # counted seconds inside the period
    created: datetime | None


def _rows(result: AuditResult) -> list[_Row]:
    table = result.occurrences
    if table.empty:
        return []
    identities = table["identity"].tolist() if "identity" in table.columns else [""] * len(table)
    return [
        _Row(
            occ,
            identity or "",
            _when(start),
            _when(end),
            activity,
            reason or "",
            round(hours * HOUR),
            _created(created),
        )
        for occ, identity, start, end, activity, reason, hours, created in zip(
            table.index.tolist(),
            identities,
            table["start"].tolist(),
            table["end"].tolist(),
            table["activity"].tolist(),
            table["reason"].tolist(),
            table["counted_hours"].tolist(),
            table["created"].tolist(),
            strict=True,
        )
    ]


def _when(value: Any) -> datetime:
    """A pandas Timestamp as a plain datetime."""
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


def _created(value: Any) -> datetime | None:
    """A creation time, or None when the source does not know it (NaT)."""
    return None if value is None or value != value else _when(value)  # NaT != NaT


def _taken_from(actual: AuditResult, rows: dict[int, _Row]) -> dict[int, tuple[Evidence, ...]]:
    """occ -> the events that took its counted seconds, each with the seconds it took,
    in the order they start."""
    taken: dict[int, list[Evidence]] = {}
    for occ, by, seconds in actual.displacements:
        row = rows[by]
        taken.setdefault(occ, []).append(Evidence(by, row.start, row.end, row.activity, seconds))
    return {occ: tuple(sorted(found, key=lambda e: e.start)) for occ, found in taken.items()}


def _outcome(
    block: PlannedBlock,
    row: _Row | None,
    taken: dict[int, tuple[Evidence, ...]],
    rows: dict[int, _Row],
    tz: tzinfo,
) -> BlockOutcome:
    start, end = block.start.astimezone(tz), block.end.astimezone(tz)
    if row is None:
        return BlockOutcome(
            start, end, block.activity, block.commitment, "deleted", block.seconds, 0
        )
    kept = row.counted if row.activity == block.activity else 0  # reclassified: nothing kept
    survived = min(kept, block.seconds)
    return BlockOutcome(
        start,
        end,
        block.activity,
        block.commitment,
        _which(block, row),
        block.seconds,
        survived,
        # what took its time, when it lost some of its plan (a meeting already on top
        # when the plan was taken was never planned: not an obstacle)
        tuple(e for e in taken.get(row.occ, ()) if rows[e.occ].identity not in block.taken_by)
        if survived < block.seconds
        else (),
    )


def _which(block: PlannedBlock, row: _Row) -> str:
    """The first outcome that holds (the block's identity is in the actual week)."""
    if row.reason in ("cancelled", "declined"):
        return row.reason
    if row.start != block.start:
        return "moved"
    if row.end < block.end:
        return "shortened"
    if row.counted < block.seconds:
        return "displaced"
    return "held"


def _source(plan: PlanSnapshot | None, rows: list[_Row], actual: AuditResult) -> str:
    if plan is not None:
        return "snapshot"
    activities = {activity for _, activity, _, _ in _block_commitment_rows(actual)}
    timed = [r for r in rows if r.activity in activities and r.counted > 0]
    if timed and all(r.created is not None for r in timed):
        return "created"
    return "none"


def _commitment(
    commitment: tuple[str, str, str, str],
    plan: PlanSnapshot | None,
    outcomes: tuple[BlockOutcome, ...],
    rows: list[_Row],
    in_plan: set[str],
    source: str,
    actual: AuditResult,
) -> CommitmentSurvival:
    commitment_id, activity, unit, direction = commitment
    limit = direction == "max"  # planned and shown, but not in the rep's survival
    mine = [r for r in rows if r.activity == activity and r.counted > 0]
    total = sum(r.counted for r in mine)
    ahead: int | None = None
    if source == "snapshot":
        ahead = sum(r.counted for r in mine if r.identity in in_plan)
    elif source == "created":
        begins = actual.period.start
        ahead = sum(r.counted for r in mine if r.created is not None and r.created < begins)
    planned_ahead = None if ahead is None or not total else ahead / total
    if plan is None:
        return CommitmentSurvival(
            commitment_id, activity, unit, None, None, None, None, planned_ahead, limit
        )
    blocks = [b for b in outcomes if b.commitment == commitment_id]
    planned = sum(b.planned_seconds for b in blocks)
    survived = sum(b.survived_seconds for b in blocks)
    added = sum(r.counted for r in mine if r.identity not in in_plan)
    return CommitmentSurvival(
        commitment_id,
        activity,
        unit,
        planned,
        survived,
        added,
        survived / planned if planned else None,
        planned_ahead,
        limit,
    )


def _block_commitment_rows(result: AuditResult) -> list[tuple[str, str, str, str]]:
    """(id, activity, unit, direction) of the commitments measured in hours or blocks."""
    return [
        (str(r["id"]), str(r["activity"]), str(r["unit"]), str(r["direction"]))
        for r in result.commitment_records
        if unit_kind(str(r["unit"])).routine_blocks
    ]


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
