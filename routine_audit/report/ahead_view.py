"""The week ahead as a report view: its figures and findings, told in the future tense
with forward-looking questions, filtered for one audience.

The week ahead's audit is viewed like any audit (``build_report``: a manager sees
activities and times, titles only when shared), then each finding is told as one line
of what the coming week holds ("Thu 12 Nov prospecting: nothing booked yet"), with the
finding kind's ``ahead_questions`` ("Which slot will hold Thursday's prospecting?").
How each kind is told is one entry of ``AHEAD_TEXT``; a kind the week ahead finds
without an entry fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from ..ahead import AheadCommitment, WeekAhead
from ..finding_kinds import (
    DISPLACED,
    FRAGMENTATION,
    KINDS,
    LIMIT_BROKEN,
    MISSING_BLOCK,
    NOT_ACHIEVABLE,
    OUTSIDE_WINDOW,
    OVER_LIMIT,
    PROTECTED_OVERLAP,
    SHORT_BLOCKS,
    UNANSWERED_INVITATION,
    UNCLASSIFIED_TIME,
    UNDER_TARGET,
    UnknownFindingKindError,
    finding_kind,
)
from ..unit_kinds import unit_kind
from ..wording import activity_words, amount_text, day_text, duration_text
from .records import Block, FindingView
from .stories import Story, event_name, span_text_on
from .view import Audience, RepReport, build_report

if TYPE_CHECKING:
    from ..proposals import Proposals

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class AheadReport:
    """One rep's week ahead for one audience: ``report`` is the coming week's audit as
    that audience may see it (its findings with the week ahead's questions, its stories
    the future-tense lines), ``ahead`` the figures per commitment."""

    report: RepReport
    ahead: WeekAhead
    proposals: Proposals | None = None  # made only when asked (plan --propose, run)

    @property
    def rep(self):
        return self.report.rep

    @property
    def period(self):
        return self.report.period

    @property
    def commitments(self) -> tuple[AheadCommitment, ...]:
        return self.ahead.commitments

    @property
    def lines(self) -> tuple[Story, ...]:
        """The findings told in the future tense, most pressing first."""
        return self.report.stories


def build_ahead(
    ahead: WeekAhead, audience: Audience | str = Audience.OWNER, *, proposals=None
) -> AheadReport:
    """The week ahead's view for ``audience`` (with the slots proposed for its gaps)."""
    base = build_report(ahead.result, audience)
    subjects = {c.id: c.id if c.protected else c.activity for c in ahead.commitments}
    findings = tuple(
        replace(f, questions=ahead_questions(f, subjects.get(f.commitment or ""), base.audience))
        for f in base.findings
    )
    figures = {c.id: c for c in ahead.commitments}
    lines = _lines(findings, figures)

    return AheadReport(replace(base, findings=findings, stories=lines), ahead, proposals)


def ahead_questions(
    finding: FindingView, activity: str | None, audience: str = "owner"
) -> tuple[str, ...]:
    """The questions asked before the week about ``finding``: ``{activity}`` and ``{day}``
    (the weekday's name) filled in."""
    words = activity_words(activity) if activity else "this commitment"
    day = WEEKDAY_NAMES[finding.day.weekday()] if finding.day else "that day"
    asked = finding_kind(finding.kind).ahead_questions_for(audience)
    return tuple(_sentence(q.format(activity=words, day=day)) for q in asked)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- one line per finding ---------------------------------------------------------


def _lines(
    findings: Sequence[FindingView], figures: dict[str, AheadCommitment]
) -> tuple[Story, ...]:
    """One line per finding, in the order the week will meet them (each day's lines,
    then the week's), except that a day's ``missing_block`` beside a block that meetings
    take whole is told by that block's line (the block is why the day has none)."""
    taken = {
        (f.commitment, f.day): i
        for i, f in enumerate(findings)
        if f.kind in (DISPLACED, PROTECTED_OVERLAP) and f.evidence
    }
    lines: list[Story] = []
    joined: dict[int, int] = {}  # the block's finding -> the missing block's
    for i, f in enumerate(findings):
        if f.kind == MISSING_BLOCK and (f.commitment, f.day) in taken:
            joined[taken[(f.commitment, f.day)]] = i
    for i, f in enumerate(findings):
        if i in joined.values():
            continue
        line = _line(i, f, figures.get(f.commitment or ""))
        if i in joined:  # the day asks where the commitment will go instead
            missing = findings[joined[i]]
            line = replace(
                line,
                kind=MISSING_BLOCK,
                findings=tuple(sorted((i, joined[i]))),
                questions=missing.questions,
            )
        lines.append(line)
    return tuple(
        sorted(lines, key=lambda s: (s.day or date.max, finding_kind(s.kind).rank, s.subject))
    )


def _line(index: int, f: FindingView, c: AheadCommitment | None) -> Story:
    tell = AHEAD_TEXT.get(f.kind)
    if tell is None:
        raise UnknownFindingKindError(
            f"no week-ahead reading for finding kind {f.kind!r}: add it to AHEAD_TEXT in "
            "routine_audit/report/ahead_view.py"
        )
    subject = f.commitment or finding_kind(f.kind).title
    head = f"{day_text(f.day)} {subject}" if f.day else subject
    evidence = tuple(
        (f.kind, role, block)
        for role, group in (("evidence", f.evidence), ("obstacle", f.obstacles))
        for block in group
    )
    return Story(
        commitment=f.commitment,
        day=f.day,
        kind=f.kind,
        head=head,
        body=tell(f, c),
        findings=(index,),
        evidence=evidence,
        questions=f.questions,
        subject=subject,
    )


def _names(blocks: Sequence[Block], day: date | None) -> str:
    names = [f"{event_name(b)} {span_text_on(b, day)}" for b in blocks]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def of_target(c: AheadCommitment) -> str:
    """``9 h of 10 h blocked out``, ``3 of 6 meetings booked``."""
    planned, target = amount_text(c.planned, c.unit), amount_text(c.target, c.unit)
    if unit_kind(c.unit).nouns:  # counted: "3 of 6 meetings", not "3 meetings of 6 meetings"
        planned = planned.split(" ")[0]
    verb = "blocked out" if unit_kind(c.unit).routine_blocks else "booked"
    return f"{planned} of {target} {verb}"


def _under(f: FindingView, c: AheadCommitment | None) -> str:
    if c is None:
        return f.detail
    short = f.detail.partition("; short on ")[2]
    text = f"{of_target(c)}; {amount_text(max(c.gap, 0.0), c.unit)} still to book"
    return f"{text}, short on {short}" if short else text


def _over(f: FindingView, c: AheadCommitment | None) -> str:
    if c is None:
        return f.detail
    return (
        f"{amount_text(c.planned, c.unit)} already booked against a limit of "
        f"{amount_text(c.target, c.unit)}: {amount_text(c.gap, c.unit)} over before the week starts"
    )


def _missing(f: FindingView, c: AheadCommitment | None) -> str:
    return "nothing booked yet"


def _block(f: FindingView, c: AheadCommitment | None) -> str:
    """A routine block meetings are booked on: what it will lose, and to what."""
    if not f.evidence:  # a protected window with no block, other events in it
        return f"no block yet, and {_names(f.obstacles, f.day)} already fill its window"
    block = f.evidence[0]
    length = block.length_seconds
    others = _names(f.obstacles, f.day)
    span = span_text_on(block, f.day)
    if f.kind == PROTECTED_OVERLAP:
        return f"{span} will be overlapped for {duration_text(block.seconds or length)} by {others}"
    if block.seconds >= length:
        return f"{span} will be fully displaced by {others}"
    return f"{span} will lose {duration_text(block.seconds)} to {others}"


def _limit(f: FindingView, c: AheadCommitment | None) -> str:
    return f"{f.detail} already: {_names(f.evidence, f.day)}"


def _invitation(f: FindingView, c: AheadCommitment | None) -> str:
    invitation = f.evidence[0]
    activity = activity_words(c.activity) if c else "committed"
    when = span_text_on(invitation, f.day)
    return (
        f"{event_name(invitation)} {when} is not answered yet; accepted, it would take "
        f"{duration_text(invitation.seconds)} of the {activity} window"
    )


def _as_found(f: FindingView, c: AheadCommitment | None) -> str:
    return f.detail


def _short(f: FindingView, c: AheadCommitment | None) -> str:
    return f"{f.detail} on the calendar"


# per kind the week ahead finds, how its line reads
AHEAD_TEXT: dict[str, Callable[[FindingView, AheadCommitment | None], str]] = {
    UNDER_TARGET: _under,
    OVER_LIMIT: _over,
    MISSING_BLOCK: _missing,
    DISPLACED: _block,
    UNANSWERED_INVITATION: _invitation,
    SHORT_BLOCKS: _short,
    OUTSIDE_WINDOW: _as_found,
    PROTECTED_OVERLAP: _block,
    LIMIT_BROKEN: _limit,
    NOT_ACHIEVABLE: _as_found,
    UNCLASSIFIED_TIME: _as_found,
    FRAGMENTATION: _as_found,
}


def table_problems() -> list[str]:
    """Kinds the week ahead finds with no line here (a test checks it is empty)."""
    return [name for name, kind in KINDS.items() if kind.ahead and name not in AHEAD_TEXT]


# -- the figures, as every format says them -----------------------------------------


NOT_APPLICABLE = "n/a"


BUSY_FREE_TEXT = "not judged: the calendar shows only busy/free blocks"


def planned_cell(c: AheadCommitment) -> str:
    """What is blocked out, or ``n/a`` when the calendar cannot show it."""
    return NOT_APPLICABLE if c.busy_free else amount_text(c.planned, c.unit)


def days_cell(c: AheadCommitment) -> str:
    """The days with no block yet (``none``), or ``n/a`` for a commitment that has no
    such days (a limit, a weekly count of meetings) or that cannot be seen."""
    if not c.counts_days or c.busy_free:
        return NOT_APPLICABLE
    return ", ".join(day_text(d) for d in c.days_without_block) or "none"


def lost_cell(c: AheadCommitment) -> str:
    """Time lost to meetings, or ``n/a`` where it does not apply (meetings, limits)."""
    if not c.loses_to_meetings or c.busy_free:
        return NOT_APPLICABLE
    return duration_text(c.lost_to_meetings_seconds)


def overlapped_cell(c: AheadCommitment) -> str:
    """Protected time overlapped, or ``n/a`` for a commitment that is not protected."""
    return duration_text(c.protected_overlapped_seconds) if c.protected else NOT_APPLICABLE


def commitment_line(c: AheadCommitment) -> str:
    """``prospecting: 9 h of 10 h blocked out; 1 h still to book; no block yet on Fri 13
    Nov; 1 h will be lost to meetings booked on top``."""
    planned, target = amount_text(c.planned, c.unit), amount_text(c.target, c.unit)
    if c.busy_free:
        return f"{c.id}: {BUSY_FREE_TEXT}"
    if c.direction == "max":
        parts = [f"{planned} booked, limit {target}"]
        parts.append("within the limit" if c.blocked_out else f"{amount_text(c.gap, c.unit)} over")
    else:
        parts = [of_target(c)]
        parts.append(
            "nothing left to book"
            if c.blocked_out
            else f"{amount_text(c.gap, c.unit)} still to book"
        )
    if c.days_without_block:
        parts.append(f"no block yet on {', '.join(day_text(d) for d in c.days_without_block)}")
    if c.short_blocks:
        parts.append(f"{c.short_blocks} short block{'s' if c.short_blocks > 1 else ''}")
    if c.loses_to_meetings and c.lost_to_meetings_seconds:
        parts.append(
            f"{duration_text(c.lost_to_meetings_seconds)} will be lost to meetings booked on top"
        )
    if c.protected_overlapped_seconds:
        parts.append(
            f"{duration_text(c.protected_overlapped_seconds)} of protected time overlapped"
        )
    if c.unanswered_invitations:
        count = c.unanswered_invitations
        parts.append(f"{count} invitation{'s' if count > 1 else ''} not answered in its window")
    return f"{c.id}: {'; '.join(parts)}"


# -- the proposals, as every format says them ------------------------------------------


def proposal_lines(report: AheadReport) -> list[str]:
    """``Wed 11 Nov 09:00–11:00 prospecting: 2 h of prospecting still to book on Wed 11
    Nov``, one per proposed block in time order, then what could not be proposed and
    why; nothing when no proposals were made."""
    from ..proposal_records import reason_text
    from ..wording import clock_text

    proposed = report.proposals
    if proposed is None:
        return []
    units = {c.id: c.unit for c in report.commitments}
    lines = [
        f"{day_text(b.start.date())} {clock_text(b.start)}–{clock_text(b.end)} "
        f"{b.commitment}: {b.reason}"
        for b in proposed.blocks
    ]
    lines += [reason_text(u, units.get(u.commitment, "hours")) for u in proposed.unplaced]
    return lines


def proposals_quiet(report: AheadReport) -> str:
    """What the proposals section says when it lists nothing."""
    return "Nothing to propose: every commitment that reserves time is blocked out."


# -- every format ---------------------------------------------------------------------

# format name -> "module:function", as report.RENDERERS for the audit
AHEAD_RENDERERS: dict[str, str] = {
    "table": "routine_audit.report.ahead_text:render_terminal",
    "markdown": "routine_audit.report.ahead_text:render_markdown",
    "json": "routine_audit.report.ahead_data:render_json",
    "csv": "routine_audit.report.ahead_data:render_csv",
    "html": "routine_audit.report.ahead_html:render",
}


def render_ahead(
    reports: AheadReport | Sequence[AheadReport], fmt: str = "table", options=None
) -> str:
    """Render one or more reps' weeks ahead in ``fmt`` (table, markdown, json, csv, html)."""
    from importlib import import_module

    from . import RenderOptions

    if fmt not in AHEAD_RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(AHEAD_RENDERERS)}")
    module_name, function = AHEAD_RENDERERS[fmt].split(":")
    renderer = getattr(import_module(module_name), function)
    if isinstance(reports, AheadReport):
        reports = [reports]
    return renderer(list(reports), options or RenderOptions())
