"""Trends across weeks, from the history: per rep and commitment the weekly figures,
rolling 4-, 8- and 12-week adherence and survival, streaks of weeks met, and the
weekdays that fail most; per team, reps × weeks.

docs/audit.md ("Trends") defines every figure. In short: a week is **judged** for a
commitment when the rep's latest audit of it has coverage ``ok`` and holds the
commitment; every other week (not recorded, ``empty``, ``stale``, ``free_busy``) is a
gap, left out of every figure. Rolling windows are calendar weeks ending with a week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING, Any

from .history import RecordedWeek, shift_week, week_label
from .unit_kinds import unit_kind

if TYPE_CHECKING:
    from .history import History

WINDOWS = (4, 8, 12)  # the rolling windows, in calendar weeks
CHART_WEEKS = 8  # the calendar weeks a rep page's trend shows, its own included
# what a rep page's trend reads: those weeks and the three before, for the first
# weeks' rolling 4-week line
CHART_READ = CHART_WEEKS + WINDOWS[0] - 1
WEEKDAY_WINDOW = 12  # the calendar weeks the weekdays that fail are counted over
JUDGED = "ok"  # the only coverage whose commitments were judged


@dataclass(frozen=True)
class WeekFigures:
    """One commitment in one calendar week. ``judged`` False: a gap (``coverage`` says
    why: ``empty``, ``stale``, ``free_busy``; None when the week is not recorded, or
    when the commitment was not in the routine that week: ``absent``)."""

    week: str
    judged: bool
    coverage: str | None
    adherence: float | None = None  # None also when nothing was due
    met: bool | None = None  # the reports' status ``met``; None in a gap
    planned: int | None = None  # seconds; None: no plan that week
    survived: int | None = None
    rolling: tuple[float | None, ...] = ()  # adherence over each of WINDOWS; None in a gap

    @property
    def survival(self) -> float | None:
        return self.survived / self.planned if self.planned and self.survived is not None else None


@dataclass(frozen=True)
class Rolling:
    """One rolling window ending with a week: adherence (the mean of its judged weeks'
    adherence) over ``weeks_with_adherence`` weeks, survival (survived ÷ planned seconds
    summed) over ``weeks_with_plan`` weeks."""

    weeks: int
    adherence: float | None
    weeks_with_adherence: int
    survival: float | None
    weeks_with_plan: int


@dataclass(frozen=True)
class Weekday:
    """One weekday (0 Monday) of a ``per: day`` commitment over the weekday window."""

    weekday: int
    judged: int  # judged days
    failed: int  # of which failed


@dataclass(frozen=True)
class CommitmentTrend:
    id: str
    unit: str
    weeks: tuple[WeekFigures, ...]  # the weeks shown, oldest first
    rolling: tuple[Rolling, ...]  # as of the last week shown, one per WINDOWS
    streak: int  # judged weeks met in a row, up to the last judged week
    best_streak: int  # the longest such run up to the last week shown
    weekdays: tuple[Weekday, ...]  # empty for a ``per: week`` commitment

    @property
    def fails_most(self) -> tuple[int, ...]:
        """The weekdays with the most failed days (at least one), ties all, Monday first."""
        most = max((d.failed for d in self.weekdays), default=0)
        return tuple(d.weekday for d in self.weekdays if most and d.failed == most)


@dataclass(frozen=True)
class RepTrends:
    rep: str
    name: str | None
    weeks: tuple[str, ...]  # the calendar weeks shown, oldest first
    commitments: tuple[CommitmentTrend, ...]
    known: tuple[str, ...] = ()  # every commitment recorded in the weeks shown


@dataclass(frozen=True)
class TeamCell:
    week: str
    judged: bool
    coverage: str | None
    adherence: float | None


@dataclass(frozen=True)
class TeamRow:
    rep: str
    name: str | None
    cells: tuple[TeamCell, ...]


@dataclass(frozen=True)
class TeamTrends:
    """Reps × weeks: each rep's overall adherence (or one commitment's) per week."""

    weeks: tuple[str, ...]
    commitment: str | None  # None: overall
    rows: tuple[TeamRow, ...]
    known: tuple[str, ...] = ()  # every commitment recorded in the weeks shown


# ---------------------------------------------------------------- reading the history


def calendar_weeks(last: str, count: int) -> tuple[str, ...]:
    """The ``count`` ISO weeks ending with ``last``, oldest first."""
    return tuple(shift_week(last, -back) for back in range(count - 1, -1, -1))


def rep_trends(
    history: History,
    rep: str,
    *,
    weeks: int = 8,
    until: str | None = None,
    team: str | None = None,
    commitment: str | None = None,
) -> RepTrends:
    """``rep``'s trends over the ``weeks`` calendar weeks ending with ``until`` (default:
    their latest recorded week): figures per week, rolling, streaks and weekdays."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    if until is None:
        recorded = history.weeks(rep, team=team)
        if not recorded:
            return RepTrends(rep, None, (), ())
        until = recorded[-1]
    last = week_label(until)
    # the whole history up to the last week: streaks may reach far back
    recorded_weeks = history.recorded_weeks(first=None, last=last, rep=rep, team=team)
    return trends_of(rep, recorded_weeks, calendar_weeks(last, weeks), commitment=commitment)


def team_trends(
    history: History,
    reps: Sequence[tuple[str, str | None]],
    *,
    weeks: int = 8,
    until: str | None = None,
    team: str | None = None,
    commitment: str | None = None,
) -> TeamTrends:
    """Reps (email, name) × the ``weeks`` calendar weeks ending with ``until`` (default:
    the latest week recorded for any of them): overall adherence, or ``commitment``'s."""
    return team_panels(history, reps, weeks=weeks, until=until, team=team, only=commitment)[0]


def team_panels(
    history: History,
    reps: Sequence[tuple[str, str | None]],
    *,
    weeks: int = 8,
    until: str | None = None,
    team: str | None = None,
    only: str | None = None,
) -> list[TeamTrends]:
    """``team_trends`` read once: overall and then each recorded commitment (``only``:
    that commitment's alone)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    if until is None:
        latest = [w for email, _ in reps for w in history.weeks(email, team=team)[-1:]]
        if not latest:
            return [TeamTrends((), only, ())]
        until = max(latest)
    shown = calendar_weeks(week_label(until), weeks)
    found = history.recorded_weeks(first=shown[0], last=shown[-1], team=team)
    by_rep: dict[str, dict[str, RecordedWeek]] = {}
    known: dict[str, None] = {}
    for record in found:
        by_rep.setdefault(record.rep.lower(), {})[record.week] = record
        known.update(dict.fromkeys(row[0] for row in record.commitments))

    def panel(commitment: str | None) -> TeamTrends:
        rows = tuple(
            TeamRow(
                email,
                name,
                tuple(_team_cell(by_rep.get(email.lower(), {}), w, commitment) for w in shown),
            )
            for email, name in reps
        )
        return TeamTrends(shown, commitment, rows, tuple(known))

    if only is not None:
        return [panel(only)]
    return [panel(None), *(panel(c) for c in known)]


def _team_cell(records: dict[str, RecordedWeek], week: str, commitment: str | None) -> TeamCell:
    record = records.get(week)
    if record is None:
        return TeamCell(week, False, None, None)
    if record.coverage != JUDGED:
        return TeamCell(week, False, record.coverage, None)
    rows = [r for r in record.commitments if commitment is None or r[0] == commitment]
    if not rows:
        return TeamCell(week, False, "absent", None)
    return TeamCell(week, True, JUDGED, overall_adherence(rows))


def overall_adherence(rows: Sequence[Sequence[Any]]) -> float | None:
    """A week's overall adherence: the mean of its commitments' adherence (those with a
    figure: a commitment with nothing due has none)."""
    figures = [float(r[6]) for r in rows if r[6] is not None]
    return fmean(figures) if figures else None


# ---------------------------------------------------------------- the figures


def trends_of(
    rep: str,
    recorded: Sequence[RecordedWeek],
    shown: Sequence[str],
    *,
    commitment: str | None = None,
) -> RepTrends:
    """The trends of ``rep`` from their recorded weeks (any up to the last shown week),
    over the calendar weeks ``shown``."""
    by_week = {r.week: r for r in recorded}
    name = next((r.name for r in reversed(recorded) if r.name), None)
    ids: dict[str, str] = {}  # commitment -> unit, in the order the weeks list them
    for record in recorded:
        if record.week in shown:  # a commitment of gaps only still shows, as gaps
            for row in record.commitments:
                ids.setdefault(row[0], row[1])
    known = tuple(ids)
    if commitment is not None:
        ids = {commitment: ids[commitment]} if commitment in ids else {}
    last = shown[-1]
    # every calendar week from the first recorded (or the first any window reaches) on
    first = min(min(by_week, default=last), shift_week(shown[0], 1 - max(WINDOWS)))
    everything = calendar_weeks(last, _weeks_between(first, last))
    trends = []
    for cid, unit in ids.items():
        weekly = {w: _week(w, by_week.get(w), cid) for w in everything}
        series = tuple(
            _with_rolling(weekly[w], [weekly[x] for x in calendar_weeks(w, max(WINDOWS))])
            for w in shown
        )
        current, best = streaks([weekly[w] for w in everything])
        trends.append(
            CommitmentTrend(
                id=cid,
                unit=unit,
                weeks=series,
                rolling=tuple(
                    rolling([weekly[w] for w in calendar_weeks(last, n)], n) for n in WINDOWS
                ),
                streak=current,
                best_streak=best,
                weekdays=weekdays(
                    [by_week[w] for w in calendar_weeks(last, WEEKDAY_WINDOW) if w in by_week],
                    cid,
                ),
            )
        )
    return RepTrends(rep, name, tuple(shown), tuple(trends), known)


def _weeks_between(first: str, last: str) -> int:
    """How many calendar weeks ``first..last`` holds (at least 1)."""
    from .period import week_monday

    start, end = week_monday(first), week_monday(last)
    assert start is not None and end is not None
    return max((end - start).days // 7 + 1, 1)


def _week(week: str, record: RecordedWeek | None, commitment: str) -> WeekFigures:
    """One commitment's figures in one week, or a gap."""
    if record is None:
        return WeekFigures(week, False, None)
    if record.coverage != JUDGED:
        return WeekFigures(week, False, record.coverage)
    row = next((r for r in record.commitments if r[0] == commitment), None)
    if row is None:
        return WeekFigures(week, False, "absent")
    _, unit, _, _, _, gap, adherence = row
    plan = next((p for p in record.plan if p[0] == commitment), None)
    return WeekFigures(
        record.week,
        True,
        JUDGED,
        adherence=None if adherence is None else float(adherence),
        met=gap <= unit_kind(unit).tolerance,  # the reports' status: met
        planned=None if plan is None else int(plan[1]),
        survived=None if plan is None else int(plan[2]),
    )


def _with_rolling(week: WeekFigures, window: list[WeekFigures]) -> WeekFigures:
    """``week`` with its rolling adherence per window (none in a gap)."""
    if not week.judged:
        return week
    values = tuple(rolling(window[-n:], n).adherence for n in WINDOWS)
    return WeekFigures(
        week.week,
        week.judged,
        week.coverage,
        week.adherence,
        week.met,
        week.planned,
        week.survived,
        values,
    )


def rolling(window: Sequence[WeekFigures], weeks: int) -> Rolling:
    """The figures of one window: its judged weeks only (gaps are left out)."""
    adherence = [w.adherence for w in window if w.judged and w.adherence is not None]
    planned = [w for w in window if w.judged and w.planned]
    return Rolling(
        weeks,
        fmean(adherence) if adherence else None,
        len(adherence),
        (
            sum(w.survived or 0 for w in planned) / sum(w.planned or 0 for w in planned)
            if planned
            else None
        ),
        len(planned),
    )


def streaks(weeks: Sequence[WeekFigures]) -> tuple[int, int]:
    """(current, best): judged weeks met in a row, oldest first in ``weeks``; gaps neither
    break nor extend a run. Current: the run that ends with the last judged week."""
    current = best = 0
    for week in weeks:
        if not week.judged:
            continue
        current = current + 1 if week.met else 0
        best = max(best, current)
    return current, best


def weekdays(records: Sequence[RecordedWeek], commitment: str) -> tuple[Weekday, ...]:
    """Per weekday, the judged days of ``commitment`` (a ``per: day`` one) in the judged
    ``records`` and how many failed: short of the day's target (``min``) or over its
    limit (``max``) by more than the unit's tolerance. Weekdays never judged are left out."""
    judged = [0] * 7
    failed = [0] * 7
    for record in records:
        if record.coverage != JUDGED:
            continue
        row = next((r for r in record.commitments if r[0] == commitment), None)
        if row is None:
            continue
        sign = 1.0 if row[2] == "min" else -1.0
        tolerance = unit_kind(row[1]).tolerance
        for cid, day, target, scheduled in record.days:
            if cid != commitment:
                continue
            judged[day.weekday()] += 1
            failed[day.weekday()] += sign * (target - scheduled) > tolerance
    return tuple(Weekday(d, judged[d], failed[d]) for d in range(7) if judged[d])


# ---------------------------------------------------------------- a rep page's trend


def chart_weeks(
    points: Sequence[Any], commitment: str, last: str, *, shown: int, window: int = WINDOWS[0]
) -> list[tuple[str, float | None, float | None, bool]]:
    """A rep page's trend of ``commitment`` from its trend points (``TrendPoint``: the
    judged weeks only): (week, adherence, rolling ``window``-week adherence, gap) per
    calendar week from its first judged week among the ``shown`` weeks ending with
    ``last``, to ``last``. A week without a point is a gap: no figure, no rolling one."""
    mine = {p.week: p.adherence for p in points if p.commitment == commitment}
    weeks = list(calendar_weeks(last, shown))
    while weeks and weeks[0] not in mine:
        weeks.pop(0)
    found = []
    for week in weeks:
        if week not in mine:
            found.append((week, None, None, True))
            continue
        values = [
            mine[w] for w in calendar_weeks(week, window) if w in mine and mine[w] is not None
        ]
        adherence = mine[week]
        found.append(
            (
                week,
                None if adherence is None else float(adherence),
                fmean(values) if values else None,
                False,
            )
        )
    return found
