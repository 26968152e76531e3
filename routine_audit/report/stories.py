"""Stories: the findings of one commitment and day told once, as one sentence.

One gap often yields several findings: a protected gym block that a client meeting
took whole is a ``protected_overlap`` (the block), a second ``protected_overlap`` (no
block left, and the meeting fills the window), a ``missing_block`` and the week's
``under_target``. A report tells it once::

    Mon 02 Nov gym 07:00–08:00: fully displaced by a client meeting 07:00–08:30;
    0 of 1 block committed this week

The table of finding kinds (routine_audit/finding_kinds.py) says, per kind, its title,
its rank and how it reads in a story; an unknown kind fails loudly. The rules are
written down in docs/audit.md ("Reports: one story per gap"). Stories are built from
audience-filtered views, so a manager's story names an event by its activity and time
unless its title is shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ..finding_kinds import (  # noqa: F401  (DETAIL, KINDS: their old home, still imported)
    BLOCK,
    DETAIL,
    KINDS,
    MISSING,
    TALLY,
    WINDOW,
    FindingKind,
    UnknownFindingKindError,
)
from ..unit_kinds import unit_kind
from ..wording import amount_text, clock_text, day_text, duration_text

if TYPE_CHECKING:
    from ..period import Period
    from .records import Block, CommitmentView, FindingView, OccurrenceView

Kind = FindingKind  # its old name: the table's entry holds how a story reads a kind


def kind_of(name: str) -> Kind:
    """The table entry of finding kind ``name``; an unknown kind is a bug in our code."""
    kind = KINDS.get(name)
    if kind is None:
        raise UnknownFindingKindError(
            f"no story reading for finding kind {name!r}: add it to KINDS in "
            "routine_audit/finding_kinds.py"
        )
    return kind


@dataclass(frozen=True)
class Story:
    """One gap told once: ``head`` (day, subject, block) and ``body`` (what happened).

    ``findings`` index the report's findings; ``evidence`` holds the blocks behind them,
    each once per role, as (finding kind, role, block), role evidence or obstacle.
    """

    commitment: str | None
    day: date | None
    kind: str  # the most pressing kind among its findings
    head: str
    body: str
    findings: tuple[int, ...]
    evidence: tuple[tuple[str, str, Block], ...]
    questions: tuple[str, ...]
    subject: str  # the commitment, or the finding kind's title when there is none

    @property
    def text(self) -> str:
        return f"{self.head}: {self.body}"


def build_stories(
    findings: Sequence[FindingView],
    commitments: Sequence[CommitmentView],
    occurrences: Sequence[OccurrenceView],
    period: Period,
) -> tuple[Story, ...]:
    """The stories of one rep's findings, most pressing first."""
    for finding in findings:
        kind_of(finding.kind)  # fails loudly before anything is told
    groups: dict[tuple[str | None, date | None, str | None], list[int]] = {}
    for index, f in enumerate(findings):
        # findings about the whole calendar have no commitment: each kind is its own subject
        groups.setdefault((f.commitment, f.day, None if f.commitment else f.kind), []).append(index)
    days_of: dict[str, set[date]] = {}
    for commitment, day, _ in groups:
        if commitment is not None and day is not None:
            days_of.setdefault(commitment, set()).add(day)
    # a commitment with stories on one day only: the period's tally is told in that story
    for key in list(groups):
        commitment, day, _ = key
        if day is not None or commitment is None or len(days_of.get(commitment, ())) != 1:
            continue
        tallies = [i for i in groups[key] if kind_of(findings[i].kind).reads == TALLY]
        if tallies:
            (only_day,) = days_of[commitment]
            groups[(commitment, only_day, None)].extend(tallies)
            rest = [i for i in groups[key] if i not in tallies]
            if rest:
                groups[key] = rest
            else:
                del groups[key]
    # a day whose only finding is its missing block is named in the period's tally, not
    # told again on a line of its own ("short on ...; nothing booked on Mon 02 Nov, ...")
    for key in list(groups):
        commitment, day, _ = key
        tally = groups.get((commitment, None, None))
        if day is None or commitment is None or tally is None:
            continue
        if any(kind_of(findings[i].kind).tallied for i in tally) and all(
            kind_of(findings[i].kind).reads == MISSING for i in groups[key]
        ):
            tally.extend(groups.pop(key))
    views = {c.id: c for c in commitments}
    kept = _Counted(occurrences)
    stories = [
        _story(
            findings,
            sorted(indexes, key=lambda i: kind_of(findings[i].kind).rank),
            key,
            views,
            kept,
            period,
        )
        for key, indexes in groups.items()
    ]
    adherence = {c.id: c.adherence for c in commitments}

    def order(story: Story) -> tuple:
        score = adherence.get(story.commitment or "")
        return (
            kind_of(story.kind).rank,
            1.0 if score is None else score,
            story.subject,
            story.day or date.max,
        )

    return tuple(sorted(stories, key=order))


def questions_to_ask(stories: Iterable[Story]) -> list[Story]:
    """The stories whose questions a 1:1 asks, most pressing first: one per subject, and
    no question set twice."""
    asked: set[tuple[str, ...]] = set()
    subjects: set[str] = set()
    chosen = []
    for story in stories:
        if story.questions and story.questions not in asked and story.subject not in subjects:
            asked.add(story.questions)
            subjects.add(story.subject)
            chosen.append(story)
    return chosen


# -- one story -----------------------------------------------------------------


class _Counted:
    """Seconds each occurrence kept after overlaps, keyed by its moments and activity."""

    def __init__(self, occurrences: Sequence[OccurrenceView]):
        self._occurrences = occurrences
        self._kept: dict[tuple[datetime, datetime, str], float] | None = None

    def __call__(self, block: Block) -> float | None:
        if self._kept is None:  # only stories of protected blocks ask
            self._kept = {
                (o.start, o.end, o.activity): o.counted_hours * 3600 for o in self._occurrences
            }
        return self._kept.get((block.start, block.end, block.activity))


@dataclass
class _Telling:
    """A story being told: its clauses and the blocks they name."""

    day: date | None
    kept: _Counted
    clauses: list[str]
    named: set[tuple[datetime, datetime, str]]
    spans: list[str]  # the spans of the blocks its BLOCK clauses are about


def _story(
    findings: Sequence[FindingView],
    indexes: list[int],
    key: tuple[str | None, date | None, str | None],
    views: dict[str, CommitmentView],
    kept: _Counted,
    period: Period,
) -> Story:
    commitment, day, kind = key
    told = _Telling(day, kept, [], set(), [])
    mine = [findings[i] for i in indexes]
    # a lost block says why the day has no block: the missing-block finding adds nothing
    blocks = [f for f in mine if kind_of(f.kind).reads == BLOCK and f.evidence]
    # the day's events first; the period's tally, when told here, closes the sentence
    missing_days = sorted(f.day for f in mine if kind_of(f.kind).reads == MISSING and f.day)
    for f in sorted(mine, key=lambda f: day is not None and kind_of(f.kind).reads == TALLY):
        reads = kind_of(f.kind).reads
        if reads == BLOCK and f.evidence:
            _block_clause(told, f, several=len(blocks) > 1)
        elif reads in (BLOCK, WINDOW):
            _window_clause(told, f, views.get(f.commitment or ""))
        elif reads == MISSING and day is None and missing_days:
            told.clauses.append(f"nothing booked on {', '.join(map(day_text, missing_days))}")
        elif reads == MISSING:
            if not blocks:
                told.clauses.append(f.detail)
        elif reads == TALLY and day is not None and kind_of(f.kind).tallied:
            told.clauses.append(_tally(views.get(f.commitment or ""), f, period))
        else:
            _detail_clause(told, f)
    subject = commitment or kind_of(kind or mine[0].kind).title
    if commitment is None:  # the whole calendar: the kind, and its day if it has one
        head = f"{subject}, {day_text(day)}" if day else subject
    elif day is None:
        head = f"{subject} {_period_words(period)}"
    else:
        head = " ".join((day_text(day), subject, *told.spans[:1]))
    evidence = tuple(
        (f.kind, role, block)
        for f in mine
        for role, group in (("evidence", f.evidence), ("obstacle", f.obstacles))
        for block in group
    )
    questions = next((f.questions for f in mine if f.questions), ())
    return Story(
        commitment=commitment,
        day=day,
        kind=mine[0].kind,
        head=head,
        body="; ".join(dict.fromkeys(c for c in told.clauses if c)) or mine[0].detail,
        findings=tuple(sorted(indexes)),
        evidence=_unique(evidence),
        questions=questions,
        subject=subject,
    )


def _block_clause(told: _Telling, f: FindingView, *, several: bool) -> None:
    """``fully displaced by X``, ``lost 30 min to X``, or for a protected block that kept
    its time ``overlapped for 30 min by X``; the block's span heads the story when it
    is the day's only one."""
    (block,) = f.evidence[:1]
    length = block.length_seconds
    keeps = kind_of(f.kind).keeps
    counted = told.kept(block) if keeps else None
    lost = length - counted if counted is not None else (block.seconds or length)
    others = _names(told, f.obstacles)
    if lost >= length:
        what = f"fully displaced by {others}"
    elif not keeps or lost > 0:
        what = f"lost {duration_text(lost)} to {others}"
    else:
        what = f"overlapped for {duration_text(block.seconds or length)} by {others}"
    span = _span(block, told.day)
    told.named.add(_key(block))
    if several:
        told.clauses.append(f"{span} {what}")
    else:
        told.spans.append(span)
        told.clauses.append(what)


def _window_clause(told: _Telling, f: FindingView, c: CommitmentView | None) -> None:
    """A protected window with no block: the events in it, unless a lost block named them."""
    new = [b for b in f.obstacles if _key(b) not in told.named]
    if not new:
        return
    activity = c.activity if c else "protected"
    told.clauses.append(f"no {activity} block, and {_names(told, new)} filled its window")


def _tally(c: CommitmentView | None, f: FindingView, period: Period) -> str:
    """The period's figure, told in the day's story: ``0 of 1 block committed this week``."""
    if c is None:
        return f.detail
    scheduled = amount_text(c.scheduled, c.unit)
    if unit_kind(c.unit).nouns:  # counted: "0 of 1 block", not "0 blocks of 1 block"
        scheduled = scheduled.split(" ")[0]
    return f"{scheduled} of {amount_text(c.target, c.unit)} committed {_period_words(period)}"


def _detail_clause(told: _Telling, f: FindingView) -> None:
    if kind_of(f.kind).named and f.evidence:
        told.clauses.append(f"{f.detail}: {_names(told, f.evidence)}")
    else:
        told.clauses.append(f.detail)


def _names(told: _Telling, blocks: Sequence[Block]) -> str:
    """``a client meeting 07:00–08:30 and "Pricing call" 09:00–10:00``."""
    names = []
    for block in blocks:
        told.named.add(_key(block))
        names.append(f"{event_name(block)} {_span(block, told.day)}")
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# activities named as people say them; the rest as "a/an <activity> event"
_ACTIVITY_NAMES = {"other": "an unclassified event"}


def event_name(block: Block) -> str:
    """An event as this audience may see it: its title (quoted) when shown, else its
    activity (``a client meeting``, ``an admin event``)."""
    if block.title is not None:
        return f'"{block.title}"' if block.title else "(no title)"
    known = _ACTIVITY_NAMES.get(block.activity)
    if known:
        return known
    words = block.activity.replace("-", " ").replace("_", " ")
    noun = words if words.endswith("meeting") else f"{words} event"
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _span(block: Block, day: date | None) -> str:
    """``07:00–08:30`` within the story's day; with its day, or days, beyond it."""
    start, end = block.start, block.end
    midnight = end.time() == time() and end.date() == start.date() + timedelta(days=1)
    clocks = f"{clock_text(start)}–{'24:00' if midnight else clock_text(end)}"
    if start.date() == end.date() or midnight:
        return clocks if start.date() == day else f"{day_text(start)} {clocks}"
    return f"{day_text(start)} {clock_text(start)}–{day_text(end)} {clock_text(end)}"


def _period_words(period: Period) -> str:
    return "this week" if len(period.days) == 7 and period.label[4:6] == "-W" else "in the period"


def _key(block: Block) -> tuple[datetime, datetime, str]:
    return block.start, block.end, block.activity


def _unique(
    rows: tuple[tuple[str, str, Block], ...],
) -> tuple[tuple[str, str, Block], ...]:
    """Each block once per role, as the most pressing finding shows it."""
    seen: set[tuple[str, datetime, datetime, str]] = set()
    kept = []
    for kind, role, block in rows:
        if (role, *_key(block)) not in seen:
            seen.add((role, *_key(block)))
            kept.append((kind, role, block))
    return tuple(kept)


def span_text_on(block: Block, day: date | None) -> str:
    """``07:00–08:30`` within ``day``; with its day, or days, beyond it."""
    return _span(block, day)
