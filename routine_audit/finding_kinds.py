"""Finding kinds as one table: what each kind is called, how pressing it is, what a coach
asks about it (after the week, and before it: ``ahead_questions``), which audits find it
(``tense``: a past week's, the week ahead's, or both), how the calendar marks it and how
a story tells it.

Adding a finding kind is one ``KINDS`` entry plus the engine code that detects it. The
engine spells kinds with the constants below; the reports read everything else from the
entry. The JSON Schema's enum (``data/report.schema.json``) and docs/audit.md's findings
table are checked against the table by tests (tests/test_issue19_finding_kinds.py). An
unknown kind fails loudly (``finding_kind``); nothing falls into a default.

This module imports nothing of the package: the engine, the reports and the coverage
rules all read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

# the kinds, as the engine spells them
UNDER_TARGET = "under_target"
OVER_LIMIT = "over_limit"
MISSING_BLOCK = "missing_block"
DISPLACED = "displaced"
SHORT_BLOCKS = "short_blocks"
OUTSIDE_WINDOW = "outside_window"
PROTECTED_OVERLAP = "protected_overlap"
LIMIT_BROKEN = "limit_broken"
NOT_ACHIEVABLE = "not_achievable"
UNCLASSIFIED_TIME = "unclassified_time"
FRAGMENTATION = "fragmentation"
REACTIVE_BOOKING = "reactive_booking"
UNANSWERED_INVITATION = "unanswered_invitation"

# which audits find a kind: a past week's ("past"), the week ahead's ("ahead"), or both
TENSES = ("past", "ahead", "both")

# how a story sees a finding (report/stories.py): one of these
BLOCK = "block"  # a block that lost (or shared) its time: named with what took it
WINDOW = "window"  # a protected window with no block, other events in it
MISSING = "missing"  # no block on a committed day
TALLY = "tally"  # the period's figure against the target (the day's story when only one)
DETAIL = "detail"  # told by its detail, its evidence listed apart
READINGS = (BLOCK, WINDOW, MISSING, TALLY, DETAIL)

# the marks the HTML calendar (report/svg.py) draws on a finding's blocks, and what each
# means: a displaced block is hatched, what displaced it and what broke a limit outlined
MARKS: dict[str, str] = {
    "displaced": "displaced (lost time to another event)",
    "obstacle": "obstacle (took time from a routine block)",
    "limit": "broke an agreed limit",
}
# the roles of a block in the evidence tables: the finding's evidence, what took its time,
# or the events that broke a limit
ROLES = ("evidence", "obstacle", "limit")
AUDIENCES = ("owner", "manager")  # report/view.py's Audience


@dataclass(frozen=True)
class Marks:
    """How the HTML report marks a finding's blocks: the calendar mark (a ``MARKS`` key,
    or None: unmarked) on its evidence and on its obstacles, and the role its evidence
    takes in the evidence table (a ``ROLES`` entry)."""

    evidence: str | None = None
    obstacles: str | None = None
    evidence_role: str = "evidence"


@dataclass(frozen=True)
class FindingKind:
    """One finding kind: ``rank`` 0 is the most pressing.

    ``questions`` are asked of every audience unless ``questions_by_audience`` gives an
    audience its own; ``{activity}`` in a question names the commitment's activity.
    """

    name: str
    rank: int
    title: str
    questions: tuple[str, ...]
    reads: str  # how a story tells it: one of READINGS
    named: bool = False  # its detail names its evidence (limit_broken: the events)
    keeps: bool = False  # its block may keep its time: "overlapped for 30 min by X"
    # its figure is told against the target: "0 of 1 block committed" in a day's story,
    # and its week's line names the days with nothing booked
    tallied: bool = False
    free_busy: bool = False  # found on a calendar seen as busy/free blocks only
    marks: Marks = Marks()
    questions_by_audience: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # the week ahead: the questions asked before the week ({activity}; {day}, a weekday
    # such as "Thursday", "that day" when the finding has none), and which audits find
    # the kind (an ahead-only kind is found only when the week ahead is checked)
    ahead_questions: tuple[str, ...] = ()
    tense: str = "both"

    def __post_init__(self) -> None:
        problems = [
            *([] if self.title else ["no title"]),
            *([] if self.questions else ["no questions"]),
            *([] if self.reads in READINGS else [f"reads {self.reads!r}, not one of READINGS"]),
            *(
                f"mark {mark!r} is not in MARKS"
                for mark in (self.marks.evidence, self.marks.obstacles)
                if mark is not None and mark not in MARKS
            ),
            *([] if self.marks.evidence_role in ROLES else ["evidence_role is not in ROLES"]),
            *(f"unknown audience {a!r}" for a in self.questions_by_audience if a not in AUDIENCES),
            *([] if self.tense in TENSES else [f"tense {self.tense!r}, not one of TENSES"]),
        ]
        if problems:
            raise ValueError(f"finding kind {self.name!r}: {'; '.join(problems)}")

    def questions_for(self, audience: str) -> tuple[str, ...]:
        """The questions a report for ``audience`` asks (``{activity}`` not filled in)."""
        return self.questions_by_audience.get(audience, self.questions)

    def ahead_questions_for(self, audience: str) -> tuple[str, ...]:
        """The questions asked before the week (the past questions when the kind has none
        of its own)."""
        return self.ahead_questions or self.questions_for(audience)

    @property
    def in_past(self) -> bool:
        """Found when a past week is audited."""
        return self.tense in ("past", "both")

    @property
    def ahead(self) -> bool:
        """Found when the week ahead is checked."""
        return self.tense in ("ahead", "both")


def _kinds(*kinds: FindingKind) -> dict[str, FindingKind]:
    return {kind.name: kind for kind in kinds}


# in the order the JSON Schema and docs/audit.md list them; reports order by rank
KINDS: dict[str, FindingKind] = _kinds(
    FindingKind(
        UNDER_TARGET,
        2,
        "Under target",
        (
            "What took the time you had planned for {activity} this week?",
            "Which slots next week will you protect for {activity}, and who needs to know?",
            "Is the target still realistic, or should we change it together?",
        ),
        TALLY,
        tallied=True,
        ahead_questions=(
            "Which slots will hold the rest of the {activity}?",
            "Who needs to know which slots you are keeping for {activity}?",
        ),
    ),
    FindingKind(
        OVER_LIMIT,
        3,
        "Over limit",
        (
            "What pushed {activity} past the limit you set?",
            "What could be batched, delegated or dropped to bring it back under the limit?",
        ),
        TALLY,
        ahead_questions=(
            "What could you move, batch or drop before the week starts to keep {activity} "
            "within its limit?",
        ),
    ),
    FindingKind(
        MISSING_BLOCK,
        4,
        "No block on a committed day",
        (
            "What happened on the days with no {activity} time booked?",
            "Would a recurring block make {activity} the default rather than a decision?",
        ),
        MISSING,
        ahead_questions=(
            "Which slot will hold {day}'s {activity}?",
            "Would a recurring block make {activity} the default rather than a decision?",
        ),
    ),
    FindingKind(
        DISPLACED,
        5,
        "Block displaced",
        (
            "Who booked over your {activity} block, and could it have gone elsewhere?",
            "How will you say no, or offer another time, when it happens again?",
            "Would moving the block to a quieter time of day protect it better?",
        ),
        BLOCK,
        marks=Marks("displaced", "obstacle"),
        ahead_questions=(
            "Can the meeting booked on {day}'s {activity} block move, or will the block "
            "move instead?",
            "Who will you offer another time to, before the week starts?",
        ),
    ),
    FindingKind(
        UNANSWERED_INVITATION,
        6,
        "Invitation not answered",
        (  # asked only ahead; {day} is the week ahead's alone
            "Will you accept, decline or propose another time for the invitation?",
            "If you accept it, where will the {activity} time go instead?",
        ),
        DETAIL,
        marks=Marks("obstacle", None),
        ahead_questions=(
            "Will you accept, decline or propose another time for the invitation on {day}?",
            "If you accept it, where will the {activity} time go instead?",
        ),
        tense="ahead",
    ),
    FindingKind(
        SHORT_BLOCKS,
        8,
        "Blocks too short",
        (
            "The {activity} blocks were too short for real focus: what broke them up?",
            "Can you book fewer, longer blocks instead?",
        ),
        DETAIL,
        ahead_questions=(
            "Can the short {activity} blocks be joined into longer ones before the week starts?",
        ),
    ),
    FindingKind(
        OUTSIDE_WINDOW,
        9,
        "Outside the window",
        (
            "{activity} happened outside its planned window: was that a choice or a scramble?",
            "Does the window still fit your week, or should we move it?",
        ),
        DETAIL,
        ahead_questions=(
            "{activity} is booked outside its window: will that work, or should it move back "
            "inside?",
        ),
    ),
    FindingKind(
        PROTECTED_OVERLAP,
        0,
        "Personal priority overlapped",
        (
            "This was a personal priority we agreed to honour: what made it give way?",
            "What would make it easier to keep this commitment next week?",
        ),
        BLOCK,
        keeps=True,
        marks=Marks("displaced", "obstacle"),
        ahead_questions=(
            "This is a personal priority we agreed to honour: what will you move so it holds "
            "on {day}?",
            "Who needs to know this time is not available?",
        ),
    ),
    FindingKind(
        LIMIT_BROKEN,
        1,
        "Agreed limit broken",
        (
            "What made the meeting outside your agreed hours necessary?",
            "Who needs to know about your limits, so it does not happen again?",
        ),
        DETAIL,
        named=True,
        marks=Marks("limit", None, evidence_role="limit"),
        ahead_questions=(
            "Which of the meetings outside your agreed hours can still move?",
            "Who needs to hear about your limits before the week starts?",
        ),
    ),
    FindingKind(
        NOT_ACHIEVABLE,
        7,
        "Not achievable",
        (
            "These commitments do not fit in the working week: which matters most?",
            "What should we reduce or move so the plan is achievable?",
        ),
        DETAIL,
        free_busy=True,  # the routine alone
        ahead_questions=(
            "These commitments will not fit in the working week: which matters most this week?",
            "What should we reduce or move so the plan is achievable?",
        ),
    ),
    FindingKind(
        UNCLASSIFIED_TIME,
        10,
        "Unclassified time",
        (
            "Much of the week went to meetings that serve none of your commitments: "
            "which were essential?",
            "Which recurring meetings could you decline, shorten or delegate?",
        ),
        DETAIL,
        ahead_questions=(
            "Much of the week is booked for meetings that serve none of your commitments: "
            "which can you still decline, shorten or delegate?",
        ),
    ),
    FindingKind(
        FRAGMENTATION,
        12,
        "Fragmented days",
        (
            "Your free time came in small pieces: which meetings could be grouped together?",
            "Where could one longer focus block fit?",
        ),
        DETAIL,
        free_busy=True,  # busy time alone
        ahead_questions=(
            "Which meetings could you still group together to leave one longer focus block?",
        ),
    ),
    FindingKind(
        REACTIVE_BOOKING,
        11,
        "Reactive booking",
        (
            "Many meetings were booked at short notice: what drives that?",
            "Would office hours or a booking window help others plan around your routine?",
        ),
        DETAIL,
        tense="past",  # short notice is judged once the week is over
    ),
)


class UnknownFindingKindError(ValueError):
    """A finding of a kind the table does not hold: a bug in our code, never a bad input."""


def finding_kind(name: str) -> FindingKind:
    """The table entry of finding kind ``name``; an unknown kind fails loudly."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownFindingKindError(
            f"unknown finding kind {name!r}: add it to KINDS in routine_audit/finding_kinds.py"
        ) from None


def by_rank() -> list[FindingKind]:
    """Every kind, most pressing first."""
    return sorted(KINDS.values(), key=lambda kind: kind.rank)


def table_problems() -> list[str]:
    """What is wrong with the table as a whole (each entry checks itself): empty when
    every kind is filed under its own name and the ranks are 0, 1, 2... with no tie."""
    problems = [f"{key!r} holds kind {k.name!r}" for key, k in KINDS.items() if key != k.name]
    ranks = sorted(k.rank for k in KINDS.values())
    if ranks != list(range(len(KINDS))):
        problems.append(f"ranks are {ranks}, not 0 to {len(KINDS) - 1} once each")
    return problems


V = TypeVar("V")


class KindField(Mapping[str, V], Generic[V]):
    """A read-only view of one field of every kind, most pressing first, read from the
    table when asked (so a kind added to ``KINDS`` shows at once)."""

    def __init__(
        self,
        read: Callable[[FindingKind], V],
        only: Callable[[FindingKind], bool] = lambda _: True,
    ):
        self._read = read
        self._only = only

    def __getitem__(self, name: str) -> V:
        kind = KINDS.get(name)
        if kind is None or not self._only(kind):
            raise KeyError(name)
        return self._read(kind)

    def __iter__(self) -> Iterator[str]:
        return (kind.name for kind in by_rank() if self._only(kind))

    def __len__(self) -> int:
        return sum(1 for kind in KINDS.values() if self._only(kind))
