"""Audit every rep of a team, and one rep's failure (bad file, no access, API down)
never stops the others.

A run that checks the week ahead too audits each rep for both weeks from one read
of their calendar (``Source.read_periods``). Reps whose files are unchanged since
an earlier run come from the cache. The rest are read and audited by a bounded
pool: threads when calendars come over the network (mostly waiting), worker
processes when they are local files (CPU work, which threads would only
serialize on the GIL).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..config.schema import Routine, RuleSet
from ..config.team import Member, Team
from ..errors import RoutineAuditError, UsageError
from ..model import CalendarData
from ..parallel import can_fork, fork_map, process_count
from ..period import Period, choose_period
from ..result import AuditResult
from ..sources.base import SharedCredentials, Source
from ..timezones import resolve_zone

# Feeds and the Google API mostly wait on the network, so many reads overlap; each
# worker has its own HTTP connection. Local files are CPU work: threads only contend
# for the GIL (measured: 4 threads 25-45% slower than 1), processes run side by side.
NETWORK_WORKERS = 16
T = TypeVar("T")


@dataclass(frozen=True)
class RepOutcome:
    """One rep's audit, or the one-line reason it failed."""

    member: Member
    # in its envelope (routine_audit.caching): it reads as the AuditResult, its tables
    # decoded only if something reads them
    result: AuditResult | None
    error: str | None = None
    key: str | None = None  # the audit's cache key: what else derives from it can be kept
    pages: Any = None  # what ``finish`` made beside a fresh audit (a team run: the rep's pages)
    # the same rep's audit of the week ahead, when ``audit_team`` was asked for one
    ahead: RepOutcome | None = None
    tense: str = "past"  # how ``result`` reads: "ahead" once read as the week ahead
    plan: Any = (
        None  # the week's plan as the history holds it (survival.WeekPlan); None: no history
    )

    @property
    def ok(self) -> bool:
        return self.result is not None


def team_period(
    team: Team,
    *,
    week: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> Period:
    """The run's period, worked out once in the team's zone (same ISO week for every rep)."""
    zone = resolve_zone(team.spec.timezone)
    assert zone is not None  # validated with the team file
    return choose_period(zone, week=week, start=start, end=end, today=today)


def rep_period(job: _Job, routine: Routine, period: Period | None = None) -> Period:
    """The run's dates (or ``period``'s), in the zone the rep's hours are booked in."""
    period, team, tz = period or job.period, job.team, job.tz
    if tz:
        zone = resolve_zone(tz)
        if zone is None:
            raise UsageError(f"`tz` {tz!r} is not a known time zone", names=("tz",))
        return period.with_tz(zone)
    if team.spec.days_in == "rep":
        return period.with_tz(routine.zone)
    return period


def audit_team(
    team: Team,
    period: Period,
    *,
    rules: RuleSet | None = None,
    only: str | None = None,
    tz: str | None = None,
    workers: int | None = None,
    on_done: Callable[[RepOutcome], None] | None = None,
    finish: Callable[[RepOutcome], RepOutcome] | None = None,
    ahead: Period | None = None,
    read_ahead: Callable[[RepOutcome], RepOutcome] | None = None,
) -> list[RepOutcome]:
    """Audit each rep (or only ``only``) for ``period``; outcomes in team-file order.

    Each rep is classified by ``rules`` if given, else by their routine's ``rules:``,
    else by the team file's ``rules:``, else by the shipped defaults.

    ``finish`` runs on each fresh audit where it was made (a worker, side by side with
    the others' reads), not on audits the cache held.

    ``ahead``: audit each rep for that period too (the week ahead), from the same read
    of their calendar; each outcome's ``ahead`` is that audit (or why it failed),
    passed through ``read_ahead`` where it was made."""
    members = [m for m in team.spec.reps if only is None or m.email == only.lower()]
    if not members:
        raise UsageError(
            f"{only} is not on the team", hint="check `only` against the team file", names=("only",)
        )
    job = _Job(team, period, rules, tz, finish, team.shared_credentials(), ahead, read_ahead)
    # a rep whose own files are missing or invalid fails here, alone (``load_team``)
    todo = [m for m in members if m.email not in team.problems]
    found: Iterator[RepOutcome] = iter(())
    if any(team.reads_network(m) for m in todo):
        found = _audit_networked(job, todo, workers or NETWORK_WORKERS, process_count())
    elif todo:
        found = _audit_local(job, todo, workers or process_count())
    outcomes = []
    for member in members:
        problem = team.problems.get(member.email)
        outcome = job.failed(member, str(problem)) if problem else next(found)
        if on_done is not None:
            on_done(outcome)
        outcomes.append(outcome)
    return outcomes


@dataclass(frozen=True)
class _Week:
    """One period of a rep's audits: its cache key, and its remembered audit or the
    calendar data read for it."""

    period: Period
    key: str | None
    result: AuditResult | None = None
    data: CalendarData | None = None


@dataclass(frozen=True)
class _Fetched:
    """A rep's calendar data, read and waiting for its audits (the run's week first)."""

    member: Member
    routine: Routine
    weeks: tuple[_Week, ...]


def _audit_networked(
    job: _Job, members: list[Member], threads: int, processes: int
) -> Iterator[RepOutcome]:
    """Reads wait on the network, so they run side by side in threads; each rep is
    audited as its data arrives. With worker processes, each takes a share of the reps
    (and of the threads: the bound on simultaneous requests stays ``threads``)."""
    processes = min(processes, len(members))
    if processes < 2 or not can_fork():
        yield from _fetch_and_audit(job, threads, members)
        return
    _preload(job, members)  # before forking: one sign-in (and refresh) for all workers
    # several shares per process: the progress bar moves as each share is done
    shares = _shares(members, processes * 2)
    work = partial(_fetch_and_audit_share, job, max(1, threads // processes))
    for outcomes in fork_map(work, shares, processes, before_fork=load_engine):
        yield from outcomes


def _shares(members: list[Member], count: int) -> list[list[Member]]:
    size = -(-len(members) // max(1, count))
    return [members[i : i + size] for i in range(0, len(members), size)]


def _preload(job: _Job, members: list[Member]) -> None:
    """Each source loads what its reps share (a sign-in) once, here; a failure is left for
    each rep's own read to report (as it would without this)."""
    first = {m.calendar.type: m for m in reversed(members)}  # one try per source
    for member in reversed(first.values()):
        entry = member.calendar
        with suppress(Exception):  # any failure: each rep's read reports it in its place
            context = job.team.source_context(member, job.credentials)
            entry.source_class.preload(entry.settings, context)


def _fetch_and_audit_share(job: _Job, threads: int, members: list[Member]) -> list[RepOutcome]:
    return list(_fetch_and_audit(job, threads, members))


def _fetch_and_audit(job: _Job, threads: int, members: list[Member]) -> Iterator[RepOutcome]:
    """In team-file order, each rep audited as soon as their data (and those before) arrived."""
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(members)))) as pool:
        for item in pool.map(partial(_fetch_member, job), members):
            yield _audit_fetched(job, item)


@dataclass(frozen=True)
class _Job:
    """What every rep's audit in one team run shares."""

    team: Team
    period: Period
    rules: RuleSet | None  # for every rep; None: each routine's own (see ``rules_for``)
    tz: str | None
    finish: Callable[[RepOutcome], RepOutcome] | None = None
    # what the reps' sources share in this run (a sign-in, loaded once)
    credentials: SharedCredentials = field(default_factory=SharedCredentials)
    ahead: Period | None = None  # the week ahead, audited from the same read
    read_ahead: Callable[[RepOutcome], RepOutcome] | None = None
    _loaded: dict[Path | None, RuleSet] = field(default_factory=dict, repr=False, compare=False)

    def periods(self, routine: Routine) -> tuple[Period, ...]:
        """The periods each rep is audited for, in their zone: the run's, the week ahead."""
        if self.ahead is None:
            return (rep_period(self, routine),)
        return (rep_period(self, routine), rep_period(self, routine, self.ahead))

    def failed(self, member: Member, error: str | None) -> RepOutcome:
        """A rep not audited: for the week ahead too, for the same reason."""
        return self.both(RepOutcome(member, None, error))

    def both(self, outcome: RepOutcome) -> RepOutcome:
        """A failed read's outcome, for the week ahead too when the run checks it."""
        if self.ahead is None or outcome.ok:
            return outcome
        return replace(outcome, ahead=RepOutcome(outcome.member, None, outcome.error))

    def rules_for(self, routine: Routine) -> RuleSet:
        """The rules this rep's audit uses; each rules file is read once per run."""
        from ..config.load import load_rules, rules_path_for

        if self.rules is not None:
            return self.rules
        path = rules_path_for(routine, fallback=self.team.rules_path)
        found = self._loaded.get(path)
        if found is None:  # threads may both read it: the same rules either way
            found = self._loaded.setdefault(path, load_rules(path))
        return found


def _audit_local(job: _Job, members: list[Member], processes: int) -> Iterator[RepOutcome]:
    """Outcomes in team-file order: remembered ones at once, the rest from the pool."""
    from ..caching import pinned_periods, remembered_audit

    known: dict[int, RepOutcome] = {}
    todo: list[_Pinned | Member] = []
    for member in members:
        try:
            routine = job.team.member_routine(member)
            source = job.team.open_calendar(member, job.credentials)
            periods = job.periods(routine)
            keys, held = pinned_periods(source, routine, job.rules_for(routine), periods)
        except Exception:  # noqa: BLE001  (the full attempt in a worker reports it)
            todo.append(member)
            continue
        weeks = tuple(
            _Week(period, key, remembered_audit(key))
            for period, key in zip(periods, keys, strict=True)
        )
        if all(week.result is not None for week in weeks):
            known[len(known) + len(todo)] = _audit_fetched(job, _Fetched(member, routine, weeks))
        else:  # the worker reads what was hashed here: each file is read and hashed once
            todo.append(_Pinned(member, routine, weeks, held))
    fresh = fork_map(partial(_audit_pinned, job), todo, processes, before_fork=load_engine)
    for index in range(len(members)):
        yield known[index] if index in known else next(fresh)


def load_engine() -> None:
    """Import the engine (and pandas, ~0.4 s) before forking workers that will audit:
    each would import it again. (A run whose audits all come from the cache, or that
    audits in this process, imports it only if and when it audits.)"""
    from ..engine import audit  # noqa: F401


@dataclass(frozen=True)
class _Pinned:
    """A rep whose audits the cache does not all hold, with the source their keys
    describe."""

    member: Member
    routine: Routine
    weeks: tuple[_Week, ...]
    source: Source


def _audit_pinned(job: _Job, item: _Pinned | Member) -> RepOutcome:
    """Read and audit one rep: from the pinned source, or from scratch."""
    if isinstance(item, _Pinned):
        fetched = _guarded(
            item.member, lambda: _read_weeks(item.member, item.routine, item.weeks, item.source)
        )
    else:
        fetched = _fetch_member(job, item)
    return _audit_fetched(job, fetched) if isinstance(fetched, _Fetched) else job.both(fetched)


def _read_weeks(
    member: Member, routine: Routine, weeks: tuple[_Week, ...], source: Source
) -> _Fetched:
    """The data of each week whose audit is not remembered, from one read of ``source``."""
    missing = [week for week in weeks if week.result is None]
    data = iter(source.read_periods([week.period for week in missing], zone=routine.zone))
    read = tuple(
        week if week.result is not None else replace(week, data=next(data)) for week in weeks
    )
    return _Fetched(member, routine, read)


def _fetch_member(job: _Job, member: Member) -> _Fetched | RepOutcome:
    """The rep's remembered audits, or their calendar data read for the audits."""
    from ..caching import pinned_periods, remembered_audit

    def fetch() -> _Fetched:
        routine = job.team.member_routine(member)
        source = job.team.open_calendar(member, job.credentials)
        periods = job.periods(routine)
        keys, held = pinned_periods(source, routine, job.rules_for(routine), periods)
        weeks = tuple(
            _Week(period, key, remembered_audit(key))
            for period, key in zip(periods, keys, strict=True)
        )
        return _read_weeks(member, routine, weeks, held)

    return _guarded(member, fetch)


def _audit_fetched(job: _Job, item: _Fetched | RepOutcome) -> RepOutcome:
    """The rep's audits of each week (remembered, or made of the data read), each failing
    alone; ``finish`` on a fresh audit of the run's week, ``read_ahead`` on the week ahead's."""
    if isinstance(item, RepOutcome):  # the read failed: both weeks, for the same reason
        return job.both(item)
    outcomes = [_audit_week(job, item, week) for week in item.weeks]
    first = outcomes[0]
    if job.finish is not None and first.ok and item.weeks[0].result is None:
        # on a failure the audit stands and is recorded; its pages are made again after
        # recording, where a bug that persists is raised
        with suppress(Exception):
            first = job.finish(first)
    if len(outcomes) < 2:
        return first
    ahead = outcomes[1]
    if job.read_ahead is not None and ahead.ok:
        ahead = _guarded(item.member, partial(job.read_ahead, ahead))
    return replace(first, ahead=ahead)


def _audit_week(job: _Job, item: _Fetched, week: _Week) -> RepOutcome:
    from ..caching import audit_data

    if week.result is not None:
        return RepOutcome(item.member, week.result, key=week.key)

    def run() -> RepOutcome:
        rules = job.rules_for(item.routine)
        assert week.data is not None
        result = audit_data(week.data, item.routine, rules, week.period, week.key)
        return RepOutcome(item.member, result, key=week.key)

    return _guarded(item.member, run)


def _guarded(member: Member, work: Callable[[], T]) -> T | RepOutcome:
    """``work()``, or the one-line reason it failed: one rep's failure never stops the rest."""
    try:
        return work()
    except RoutineAuditError as exc:
        return RepOutcome(member, None, str(exc))
    except Exception as exc:  # noqa: BLE001  (a bug for one rep must not stop the team run)
        return RepOutcome(member, None, _internal_error(exc))


def _internal_error(exc: Exception) -> str:
    """A bug's one line: its type and where it was raised, never its text, which may
    quote the calendar (a team run's errors reach the manager and the log)."""
    if isinstance(exc, OSError) and exc.strerror:  # the system's words and a path: no content
        place = f": {exc.filename}" if exc.filename else ""
        return f"internal error ({type(exc).__name__}): {exc.strerror}{place}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"internal error ({type(exc).__name__}{where}), please report it"
