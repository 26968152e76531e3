"""A proposal for every gap: free slots in the coming week for each commitment the
week-ahead audit finds short, for the rep to import (we never write to a calendar).

The rules are in docs/audit.md ("Proposals"): which time is free (every counted event
blocks its time: busy, tentative and invitations not yet answered), the windows,
working hours, limits, days off and protected windows a slot respects, the 15-minute
grid, how long a block is, how ``per: week`` spreads, the habitual times preferred,
and what is said when a commitment cannot fit.

    import routine_audit as ra

    ahead = ra.plan_week("calendar.ics", routine, rules)
    proposed = ra.propose(ahead, routine, rules)
    for block in proposed.blocks:
        print(block.commitment, block.start, block.end, block.reason)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from .ahead import WeekAhead, committed_days
from .config.schema import WEEKDAYS, Commitment, Direction, LimitKind, Routine, RuleSet
from .engine.findings import PERSONAL
from .proposal_records import GRID, Proposals, ProposedBlock, Unplaced
from .proposal_titles import proposal_text
from .unit_kinds import unit_kind
from .wording import activity_words, amount_text, day_text, duration_text

BLOCK_WITHOUT_MINIMUM = 30 * 60  # a ``blocks`` commitment with min_block 0
HABIT_WEEKS = 4  # habitual times: the last four audited weeks

Span = tuple[int, int]  # [start, end) in epoch seconds
# commitment id -> the start instants of its blocks in the last audited weeks
Habits = Mapping[str, Sequence[datetime]]


def propose(
    ahead: WeekAhead,
    routine: Routine,
    rules: RuleSet | None = None,
    *,
    habits: Habits | None = None,
    now: datetime | None = None,
) -> Proposals:
    """Slots for every commitment the week ahead finds short (``min``, in ``hours`` or
    ``blocks``): protected ones first, then in the routine's order. ``rules``: the
    rep's classification rules (None: the shipped defaults); ``habits``: the start
    times of each commitment's blocks in the last four audited weeks (``History.
    habits``); ``now``: nothing is proposed before it."""
    if rules is None:
        from .config import load_rules

        rules = load_rules()
    planner = _Planner(ahead, routine, rules, habits or {}, now)
    figures = {c.id: c for c in ahead.commitments}
    chosen = [
        c
        for c in routine.commitments
        if c.direction is Direction.MIN
        and unit_kind(c.unit).routine_blocks
        and c.id in figures
        and not figures[c.id].blocked_out
    ]
    chosen.sort(key=lambda c: not c.protected)  # stable: the routine's order otherwise
    for commitment in chosen:
        planner.plan(commitment, figures[commitment.id].gap)
    return Proposals(
        rep=ahead.result.rep.email,
        week=ahead.week,
        blocks=_numbered(sorted(planner.blocks, key=lambda b: (b.start, b.commitment))),
        unplaced=tuple(planner.unplaced),
    )


def _numbered(blocks: Sequence[ProposedBlock]) -> tuple[ProposedBlock, ...]:
    """``blocks`` (in time order) with a commitment's blocks that meet end to end made
    one (a fill can put a run right after a share), and each slot's number counted in
    time order among its commitment's blocks on that day: a block placed at a habitual
    time may come before one placed earlier in the day."""
    from dataclasses import replace

    joined: list[ProposedBlock] = []
    for block in blocks:
        last = next((b for b in reversed(joined) if b.commitment == block.commitment), None)
        same_day = last is not None and last.slot.split("#")[0] == block.slot.split("#")[0]
        if last is not None and same_day and last.end == block.start:
            joined[joined.index(last)] = replace(last, end=block.end)
        else:
            joined.append(block)
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for block in joined:
        day = block.slot.split("#")[0]
        seen[block.commitment, day] += 1
        out.append(replace(block, slot=f"{day}#{seen[block.commitment, day]}"))
    return tuple(out)


# -- free time ---------------------------------------------------------------------


def _minus(spans: Iterable[Span], taken: Iterable[Span]) -> list[Span]:
    """``spans`` without ``taken`` (both lists of [start, end))."""
    out = sorted(spans)
    for t0, t1 in sorted(taken):
        kept: list[Span] = []
        for s0, s1 in out:
            if t1 <= s0 or t0 >= s1:
                kept.append((s0, s1))
                continue
            if s0 < t0:
                kept.append((s0, t0))
            if t1 < s1:
                kept.append((t1, s1))
        out = kept
    return out


def _meet(spans: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """Where ``spans`` and ``others`` overlap."""
    others = sorted(others)
    return [
        (max(s0, o0), min(s1, o1))
        for s0, s1 in sorted(spans)
        for o0, o1 in others
        if max(s0, o0) < min(s1, o1)
    ]


class _Planner:
    """Places blocks commitment by commitment; each placed block is busy for the next."""

    def __init__(
        self,
        ahead: WeekAhead,
        routine: Routine,
        rules: RuleSet,
        habits: Habits,
        now: datetime | None,
    ) -> None:
        self.ahead, self.routine, self.rules, self.habits = ahead, routine, rules, habits
        self.zone = routine.zone
        self.now = None if now is None else int(now.timestamp())
        table = ahead.result.occurrences
        # what holds time: counted events, and a timed out-of-office (the rep is away;
        # it counts as no work, and only a whole working day of it removes the day)
        away = table["reason"] == "out-of-office" if not table.empty else None
        counted = table[(table["counted"] | away) & ~table["all_day"]] if not table.empty else table
        self.busy: list[tuple[Span, str]] = (
            [
                ((int(s.timestamp()), int(e.timestamp())), str(a))
                for s, e, a in zip(
                    counted["start"].tolist(),
                    counted["end"].tolist(),
                    counted["activity"].tolist(),
                    strict=True,
                )
                if e > s
            ]
            if not table.empty
            else []
        )
        self.committed = committed_days(ahead.result)
        self.blocks: list[ProposedBlock] = []
        self.unplaced: list[Unplaced] = []

    # -- the time a commitment may use on a day

    def _at(self, day: date, clock: time) -> int:
        if clock == time.max:  # 24:00
            return int(datetime.combine(day + timedelta(days=1), time(), self.zone).timestamp())
        return int(datetime.combine(day, clock, self.zone).timestamp())

    def _midnight(self, day: date) -> int:
        return self._at(day, time())

    def allowed(self, c: Commitment, day: date) -> list[Span]:
        """The window on ``day``, inside working hours (not for a personal priority),
        outside the limits (not for personal time), outside other commitments'
        protected windows, from ``now`` on."""
        spans = [(self._at(day, c.window.start), self._at(day, c.window.end))]
        weekday = day.weekday()
        if not c.protected:
            spans = _meet(
                spans,
                [
                    (self._at(day, s), self._at(day, e))
                    for s, e in self.routine.working_spans(weekday)
                ],
            )
        if c.activity != PERSONAL:
            spans = _minus(spans, self._limits(day))
        spans = _minus(spans, self._protected(c, day))
        if self.now is not None:
            spans = _minus(spans, [(0, self.now)])
        return spans

    def _limits(self, day: date) -> list[Span]:
        name = WEEKDAYS[day.weekday()]
        out = []
        for limit in self.routine.limits:
            if name not in limit.days:
                continue
            if limit.kind is LimitKind.NO_MEETINGS_AFTER and limit.time is not None:
                out.append((self._at(day, limit.time), self._at(day, time.max)))
            elif limit.kind is LimitKind.NO_MEETINGS_BEFORE and limit.time is not None:
                out.append((self._midnight(day), self._at(day, limit.time)))
            elif limit.kind is LimitKind.DAY_OFF:
                out.append((self._midnight(day), self._at(day, time.max)))
        return out

    def _protected(self, c: Commitment, day: date) -> list[Span]:
        return [
            (self._at(day, other.window.start), self._at(day, other.window.end))
            for other in self.routine.commitments
            if other.protected
            and other.id != c.id
            and any(d == day for d, _, _ in self.committed.get(other.id, ()))
        ]

    def pieces(self, c: Commitment, day: date, least: int) -> list[Span]:
        """The free runs of ``allowed`` on the grid, each at least ``least`` long. For
        ``blocks`` a run never touches the activity's own time (it would merge into one
        block with it)."""
        taken = [span for span, _ in self.busy]
        taken += [(int(b.start.timestamp()), int(b.end.timestamp())) for b in self.blocks]
        if unit_kind(c.unit).whole:
            own = [s for s, a in self.busy if a == c.activity]
            own += [
                (int(b.start.timestamp()), int(b.end.timestamp()))
                for b in self.blocks
                if b.activity == c.activity
            ]
            taken += [(s - GRID, e + GRID) for s, e in own]
        midnight = self._midnight(day)
        out = []
        for s, e in _minus(self.allowed(c, day), taken):
            s = midnight + math.ceil((s - midnight) / GRID) * GRID
            e = midnight + math.floor((e - midnight) / GRID) * GRID
            if e - s >= least:
                out.append((s, e))
        return out

    # -- placing

    def plan(self, c: Commitment, gap: float) -> None:
        days = [d for d, _, _ in self.committed.get(c.id, ())]
        if not days:
            self._cannot(c, gap, "no committed day in the week")
            return
        if proposal_text(self.rules, c.activity, [_plain_description(self.ahead.week)]) is None:
            self._cannot(
                c,
                gap,
                f"no title the classification rules classify as {activity_words(c.activity)}: "
                f"add a rule for it (e.g. keywords: [{c.activity}])",
            )
            return
        if unit_kind(c.unit).whole:
            self._blocks(c, gap)
        elif c.per == "day":
            self._hours_per_day(c)
        else:
            self._hours_per_week(c, gap)

    def _least(self, c: Commitment) -> int:
        """The shortest block proposed: ``min_block`` on the grid, at least one step
        (``blocks`` without a minimum: 30 min)."""
        if unit_kind(c.unit).whole and c.min_block == 0:
            return BLOCK_WITHOUT_MINIMUM
        return max(GRID, math.ceil(c.min_block * 60 / GRID) * GRID)

    def _hours_per_day(self, c: Commitment) -> None:
        least = self._least(c)
        for day, scheduled, target in self.committed[c.id]:
            gap = round((target - scheduled) * 3600)  # what the report says is missing
            if gap <= 60:  # within the unit's tolerance, a minute
                continue
            need = math.ceil(gap / GRID) * GRID
            words = activity_words(c.activity)
            why = f"{duration_text(gap)} of {words} still to book on {day_text(day)}"
            free = self._free(c, [day], least)
            placed = self._one_or_fill(c, [day], max(need, least), need, least, why)
            if placed < gap:
                self._short_of(c, gap - placed, [day], least, free)

    def _hours_per_week(self, c: Commitment, gap: float) -> None:
        least = self._least(c)
        exact = round(gap * 3600)  # what the report says is missing; blocks are on the grid
        need = math.ceil(exact / GRID) * GRID
        days = self._open_days(c)
        words = activity_words(c.activity)
        why = f"{amount_text(exact / 3600, 'hours')} of {words} still to book this week"
        if not days:
            self._short_of(c, exact, [], least, 0)
            return
        # spread: equal shares on the grid over as many committed days as the minimum
        # block allows, the days holding least of it first
        units = need // GRID
        count = max(1, min(len(days), need // least))
        scheduled = {d: s for d, s, _ in self.committed[c.id]}
        order = sorted(days, key=lambda d: (scheduled.get(d, 0.0), d))[:count]
        shares = [max(least, (units // count + (i < units % count)) * GRID) for i in range(count)]
        free = self._free(c, days, least)
        mark = len(self.blocks)
        placed = 0
        for day, share in zip(sorted(order), sorted(shares, reverse=True), strict=True):
            if self._place(c, day, share, why) is not None:
                placed += share
        if placed < need:
            placed += self._fill(c, days, need - placed, least, why)
        if placed < need:  # the spread left less than a plain fill would: fill instead
            spread = self.blocks[mark:]
            del self.blocks[mark:]
            plain = self._fill(c, days, need, least, why)
            if plain <= placed:
                del self.blocks[mark:]
                self.blocks.extend(spread)
            else:
                placed = plain
        if placed < exact:
            self._short_of(c, exact - placed, days, least, free)

    def _blocks(self, c: Commitment, gap: float) -> None:
        length = self._least(c)
        rows = self.committed[c.id]
        if c.per == "day":
            for day, scheduled, target in rows:
                missing = round(target - scheduled)
                why = f"no {activity_words(c.activity)} block yet on {day_text(day)}"
                got = sum(
                    self._place(c, day, length, why) is not None for _ in range(max(missing, 0))
                )
                if got < missing:
                    free = f"no free {duration_text(length)} inside the window on"
                    over = day not in self._open_days(c)
                    text = f"{day_text(day)} is over" if over else f"{free} {day_text(day)}"
                    self._cannot(c, missing - got, text)
            return
        missing = round(gap)
        blocks = "block" if missing == 1 else "blocks"
        why = f"{missing} {activity_words(c.activity)} {blocks} still to book this week"
        days = self._open_days(c)
        order = sorted(days, key=lambda d: (next(s for x, s, _ in rows if x == d) > 0, d))
        got = 0
        while got < missing:
            before = got
            for day in order:
                if got < missing and self._place(c, day, length, why) is not None:
                    got += 1
            if got == before:
                break
        if got < missing:
            self._cannot(
                c,
                missing - got,
                f"no free {duration_text(length)} left inside the window on committed days"
                if days
                else "the committed days are over",
            )

    def _open_days(self, c: Commitment) -> list[date]:
        """The committed days not yet over (``now``)."""
        return [
            d
            for d, _, _ in self.committed[c.id]
            if self.now is None or self._at(d, time.max) > self.now
        ]

    def _one_or_fill(
        self, c: Commitment, days: list[date], length: int, need: int, least: int, why: str
    ) -> int:
        """One block of ``length`` (habitual time, else the earliest), else blocks filling
        the free runs in time order; the seconds placed."""
        for day in days:
            if self._place(c, day, length, why) is not None:
                return length
        return self._fill(c, days, need, least, why)

    def _place(self, c: Commitment, day: date, length: int, why: str) -> ProposedBlock | None:
        """One block of ``length`` on ``day``: at a habitual start if one is free, else
        at the earliest free one; None when no free run holds it."""
        runs = self.pieces(c, day, length)
        if not runs:
            return None
        for start in self._habitual(c, day):
            if any(s <= start and start + length <= e for s, e in runs):
                return self._add(c, day, start, start + length, why)
        start = runs[0][0]
        return self._add(c, day, start, start + length, why)

    def _fill(self, c: Commitment, days: list[date], need: int, least: int, why: str) -> int:
        """Free runs of ``days`` in time order, each used whole until the last, which
        gets what is left (at least ``least``); the seconds placed."""
        placed = 0
        for day in days:
            for s, e in self.pieces(c, day, least):
                if placed >= need:
                    return placed
                length = min(e - s, max(need - placed, least))
                self._add(c, day, s, s + length, why)
                placed += length
        return placed

    def _habitual(self, c: Commitment, day: date) -> list[int]:
        """The starts of this commitment's blocks in the last audited weeks, as clock
        times on ``day`` (on the grid): those on the same weekday first, most frequent
        first, then earlier first."""
        same: Counter[int] = Counter()
        other: Counter[int] = Counter()
        for moment in self.habits.get(c.id, ()):
            local = moment.astimezone(self.zone)
            minutes = (local.hour * 60 + local.minute) // 15 * 15
            (same if local.weekday() == day.weekday() else other)[minutes] += 1
        ordered = [m for m, _ in sorted(same.items(), key=lambda x: (-x[1], x[0]))]
        ordered += [
            m for m, _ in sorted(other.items(), key=lambda x: (-x[1], x[0])) if m not in same
        ]
        return [self._at(day, time(m // 60, m % 60)) for m in ordered]

    def _add(self, c: Commitment, day: date, start: int, end: int, why: str) -> ProposedBlock:
        number = 1 + sum(
            1 for b in self.blocks if b.commitment == c.id and b.slot.split("#")[0] == str(day)
        )
        # the reason's words may lead the rules astray: then say less
        texts = [description_of(self.ahead.week, why), _plain_description(self.ahead.week)]
        made = proposal_text(self.rules, c.activity, texts)
        assert made is not None  # plan() checked it with the plain description
        title, description = made
        block = ProposedBlock(
            commitment=c.id,
            activity=c.activity,
            start=datetime.fromtimestamp(start, self.zone),
            end=datetime.fromtimestamp(end, self.zone),
            title=title,
            reason=why,
            slot=f"{day.isoformat()}#{number}",
            description=description,
        )
        self.blocks.append(block)
        return block

    # -- what cannot fit

    def _free(self, c: Commitment, days: list[date], least: int) -> int:
        """The seconds of free runs of at least ``least`` that ``c`` may use on ``days``."""
        return sum(e - s for d in days for s, e in self.pieces(c, d, least))

    def _short_of(
        self, c: Commitment, missing: int, days: list[date], least: int, free: int
    ) -> None:
        """``missing`` seconds of ``c`` found no room on ``days``, where ``free`` seconds
        (in runs of at least ``least``) were free before its blocks were placed."""
        over = [d for d in days if self.now is not None and self._at(d, time.max) <= self.now]
        where = f"on {day_text(days[0])}" if len(days) == 1 else "on committed days"
        if not days or len(over) == len(days):
            text = (
                f"{day_text(days[0])} is over" if len(days) == 1 else "the committed days are over"
            )
        elif not free:
            text = f"no free {duration_text(least)} inside the window {where}"
        else:
            text = (
                f"only {duration_text(free)} free inside the window {where} "
                f"(in runs of at least {duration_text(least)})"
            )
        self._cannot(c, missing / 3600, text)

    def _cannot(self, c: Commitment, short: float, reason: str) -> None:
        self.unplaced.append(Unplaced(c.id, short, reason))


def description_of(week: str, why: str) -> str:
    """The DESCRIPTION of a proposed block: where it comes from, and why."""
    return (
        f"Proposed by routine-audit from the week-ahead check of {week}: {why}. "
        "Import it to keep it; nothing was written to your calendar."
    )


def _plain_description(week: str) -> str:
    return f"Proposed by routine-audit from the week-ahead check of {week}."
