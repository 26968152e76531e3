"""The 1:1 agenda: one rep's week in the order of the weekly conversation, for the
manager (docs/audit.md, "The 1:1 agenda").

Its parts come from three places, so a team run can make the costly one where the rep's
pages are made (and keep it with them):

- ``report_part(report)``: what the rep's report view of the week gives (wins, plan vs
  survived, the top gaps with their evidence and questions, each commitment's figures
  this week and its trend). The view is the manager's: events are named as a manager may
  see them.
- the agreed actions the history holds (agreed.py), each set beside its commitment's
  figures since (``action_figures``);
- the routine's accountability note, the week ahead's readiness and its proposals.

``assemble`` puts them together; ``report/agenda_render.py`` writes Markdown and HTML.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..wording import amount_text, days_text, duration_text, status_text, target_text
from .stories import event_name
from .text import percent_text, span_text

if TYPE_CHECKING:
    from ..agreed import AgreedAction
    from .stories import Story
    from .view import RepReport

GAPS = 3  # the gaps an agenda takes up: the most pressing, one per subject
STREAK_WEEKS = 2  # a streak is a win from two weeks in a row


@dataclass(frozen=True)
class Gap:
    """One of the week's most pressing gaps: its story, the blocks behind it (evidence
    and obstacles, named for the manager) and its questions."""

    text: str
    evidence: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class ReportPart:
    """What the rep's report view of the week gives the agenda (plain values: a team run
    keeps it with the rep's pages)."""

    name: str
    email: str
    week: str
    period: str  # Mon 02 Nov – Sun 08 Nov 2026
    judged: bool
    coverage: str  # the coverage line's words
    wins: tuple[str, ...]
    plan: tuple[str, ...]  # plan vs survived, as lines
    gaps: tuple[Gap, ...]
    # commitment id -> this week's {adherence, survival, status (words), planned, survived
    # (seconds)}
    figures: dict[str, dict] = field(default_factory=dict)
    # [week, commitment, adherence] of the judged weeks recorded, this one included
    trend: tuple[tuple[str, str, float | None], ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReportPart:
        data = json.loads(text)
        data["gaps"] = tuple(
            Gap(g["text"], tuple(g["evidence"]), tuple(g["questions"])) for g in data["gaps"]
        )
        for name in ("wins", "plan"):
            data[name] = tuple(data[name])
        data["trend"] = tuple(tuple(point) for point in data["trend"])
        return cls(**data)


@dataclass(frozen=True)
class ActionFigures:
    """An agreed action beside its commitment's figures since the week it was for:
    ``weeks`` (week, adherence, survival; None for a week without data or without a
    plan), survival this week (with its planned and survived seconds)."""

    action: AgreedAction
    weeks: tuple[tuple[str, float | None, float | None], ...]
    survival: float | None
    status: str | None  # this week's status words; None: no commitment, or not in the week
    planned_seconds: int | None = None
    survived_seconds: int | None = None


@dataclass(frozen=True)
class Agenda:
    """One rep's 1:1 agenda, in the conversation's order."""

    part: ReportPart
    accountability: str | None
    actions: tuple[ActionFigures, ...]
    readiness: tuple[str, ...] | None  # None: the week ahead was not checked
    proposals: tuple[str, ...] | None  # None: no proposals were made (issue 21)

    @property
    def questions(self) -> tuple[str, ...]:
        """The gaps' questions, each set once, in the gaps' order."""
        asked: list[str] = []
        for gap in self.part.gaps:
            asked += [q for q in gap.questions if q not in asked]
        return tuple(asked)


# ---------------------------------------------------------------- the report's part


def report_part(report: RepReport) -> ReportPart:
    """The agenda's part from the rep's report view of the week (the manager's)."""
    plan = report.plan
    planned = {c.id: c for c in plan.commitments} if plan is not None else {}
    figures = {
        c.id: {
            "adherence": c.adherence if c.judged else None,
            "survival": getattr(planned.get(c.id), "survival", None),
            "status": status_text(c.status),
            "planned": getattr(planned.get(c.id), "planned_seconds", None),
            "survived": getattr(planned.get(c.id), "survived_seconds", None),
        }
        for c in report.commitments
    }
    rep = report.rep
    return ReportPart(
        name=rep.name or rep.email,
        email=rep.email,
        week=report.period.label,
        period=days_text(report.period.first, report.period.last),
        judged=report.judged,
        coverage=report.coverage.line().partition(": ")[2],
        wins=tuple(_wins(report)),
        plan=tuple(_plan_lines(report)),
        gaps=tuple(_gap(s) for s in top_gaps(report.stories)),
        figures=figures,
        trend=tuple((p.week, p.commitment, p.adherence) for p in report.trend),
    )


def _wins(report: RepReport) -> list[str]:
    """Each commitment met (with its streak of weeks met, from two weeks), then the
    planned blocks that kept all their time, per commitment with a plan."""
    if not report.judged:
        return []
    units = {c.id: (c.unit, c.direction) for c in report.commitments}
    runs = streaks(report.trend, report.period.label, units)
    wins = []
    for c in report.commitments:
        if c.status != "met":
            continue
        words = "within the limit" if c.direction == "max" else "met"
        line = (
            f"{c.id}: {words} ({amount_text(c.scheduled, c.unit)} of "
            f"{target_text(c.target, c.unit, c.direction)})"
        )
        weeks = runs.get(c.id, 0)
        wins.append(f"{line}, {weeks} weeks in a row" if weeks >= STREAK_WEEKS else line)
    plan = report.plan
    if plan is not None and plan.snapshot_at is not None:
        kept = []
        for c in plan.commitments:
            blocks = [b for b in plan.blocks if b.commitment == c.id and b.planned_seconds]
            whole = [b for b in blocks if b.survived_seconds >= b.planned_seconds]
            if whole:
                kept.append(f"{c.id} {len(whole)} of {len(blocks)}")
        if kept:
            wins.append(f"planned blocks that kept all their time: {', '.join(kept)}")
    return wins


def streaks(trend, week: str, units: dict[str, tuple[str, str]] | None = None) -> dict[str, int]:
    """Commitment -> weeks in a row met, ending with ``week`` (weeks without calendar
    data are not in a trend: they neither break nor extend a streak). ``units``:
    commitment -> (unit, direction), as this week's commitments have them."""
    by_commitment: dict[str, list] = {}
    for point in sorted(trend, key=lambda p: p.week):
        if point.week <= week:
            by_commitment.setdefault(point.commitment, []).append(point)
    found = {}
    for commitment, points in by_commitment.items():
        if points[-1].week != week:
            continue  # not judged this week: no streak to tell
        unit, direction = (units or {}).get(commitment, ("hours", "min"))
        run = 0
        for point in reversed(points):
            if not was_met(point, unit, direction):
                break
            run += 1
        found[commitment] = run
    return found


def was_met(point, unit: str, direction: str) -> bool:
    """Whether a recorded week met its commitment, as its report said (status ``met``:
    the gap within the unit's tolerance). The gap is worked back from the recorded
    adherence, which the per-day rule already counted: ``(1 − adherence) × target`` for
    a minimum, ``limit ÷ adherence − limit`` for a limit."""
    from ..unit_kinds import unit_kind

    if point.adherence is None:
        return False
    target = point.target or 0.0
    if direction == "max":
        gap = target / point.adherence - target if point.adherence else float("inf")
    else:
        gap = (1 - point.adherence) * target
    return gap <= unit_kind(unit).tolerance + 1e-9


def _plan_lines(report: RepReport) -> list[str]:
    from .plan_view import plan_text_lines

    if not report.judged:
        return ["No calendar data this week: nothing to compare with the plan."]
    if report.plan is None:
        return ["Not known here: the plan is kept in a team's history (run, team plan)."]
    return plan_text_lines(report.plan)


def top_gaps(stories: tuple[Story, ...]) -> list[Story]:
    """The most pressing stories, one per subject (commitment, limit or kind), at most
    ``GAPS``; stories come most pressing first."""
    chosen: list[Story] = []
    subjects: set[str] = set()
    for story in stories:
        if story.subject not in subjects:
            subjects.add(story.subject)
            chosen.append(story)
        if len(chosen) == GAPS:
            break
    return chosen


def _gap(story: Story) -> Gap:
    return Gap(
        text=story.text,
        evidence=tuple(
            f"{role}: {event_name(block)} {span_text(block.start, block.end)}"
            for _kind, role, block in story.evidence
        ),
        questions=story.questions,
    )


# ---------------------------------------------------------------- the whole agenda


def assemble(
    part: ReportPart,
    *,
    accountability: str | None,
    actions: list[AgreedAction],
    readiness: tuple[str, ...] | None = None,
    proposals: tuple[str, ...] | None = None,
    recorded: Recorded | None = None,
) -> Agenda:
    """The agenda: the report's part, the accountability note, the actions it opens with
    (``agreed.due_by``) beside their figures (``recorded``: the history's weeks before
    this one), the week ahead's readiness and proposals."""
    return Agenda(
        part=part,
        accountability=accountability,
        actions=tuple(action_figures(a, part, recorded) for a in actions),
        readiness=readiness,
        proposals=proposals,
    )


# (week, commitment) -> (adherence, survival) of the judged weeks the history holds
Recorded = dict[tuple[str, str], tuple[float | None, float | None]]


def action_figures(
    action: AgreedAction, part: ReportPart, recorded: Recorded | None = None
) -> ActionFigures:
    """An action's commitment since the week it was for: its adherence and survival in
    each week from then to the agenda's (None: no calendar data, not recorded, or no
    plan), this week's from the week's own figures, the weeks before from ``recorded``
    (else the trend's adherence alone), and its status this week."""
    if action.commitment is None:
        return ActionFigures(action, (), None, None)
    now = part.figures.get(action.commitment, {})
    if recorded is None:
        recorded = {(w, c): (a, None) for w, c, a in part.trend}
    this_week = (now.get("adherence"), now.get("survival"))
    recorded = {**recorded, (part.week, action.commitment): this_week}
    weeks = tuple(
        (week, *recorded.get((week, action.commitment), (None, None)))
        for week in _weeks(action.week, part.week)
    )
    return ActionFigures(
        action,
        weeks,
        now.get("survival"),
        now.get("status") if part.judged else None,
        now.get("planned"),
        now.get("survived"),
    )


def _weeks(first: str, last: str) -> list[str]:
    from ..history import shift_week

    weeks, week = [], first
    while week <= last and len(weeks) < 53:
        weeks.append(week)
        week = shift_week(week, 1)
    return weeks


def action_line(figures: ActionFigures) -> str:
    """``#3 prospecting (for 2026-W45, open): Block Tuesday mornings``; the text as
    recorded (clean plain text: escape it where it is rendered)."""
    a = figures.action
    about = f" {a.commitment}" if a.commitment else ""
    state = "done" if a.done else "open"
    return f"#{a.id}{about} (for {a.week}, {state}): {a.text}"


def since_text(figures: ActionFigures) -> str:
    """``since: 2026-W45 80%; this week short of target, survival 65%``."""
    if figures.action.commitment is None:
        return "about no one commitment"
    weeks = ", ".join(
        f"{week} {percent_text(adherence) if adherence is not None else 'no data'}"
        for week, adherence, _ in figures.weeks
    )
    parts = [f"adherence since: {weeks or 'no week yet'}"]
    if figures.status is not None:
        parts.append(f"this week {figures.status}")
    before = figures.weeks[:-1]
    if before:
        parts.append(
            "survival before this week: "
            + ", ".join(f"{week} {percent_text(survival)}" for week, _, survival in before)
        )
    survival = f"survival this week {percent_text(figures.survival)}"
    if figures.planned_seconds:
        survival += (
            f" ({duration_text(figures.survived_seconds or 0)} of "
            f"{duration_text(figures.planned_seconds)} planned)"
        )
    parts.append(survival)
    return "; ".join(parts)


def agreed_row(action: AgreedAction) -> str:
    """One line of ``agree --list``: ``#3 dana@… 2026-W45 prospecting open: text``
    (control characters were removed when it was recorded)."""
    about = action.commitment or "-"
    state = "done" if action.done else "open"
    return f"#{action.id} {action.rep} {action.week} {about} {state}: {action.text}"
