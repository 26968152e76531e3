"""The week ahead's own findings: an audit of a coming week, read before it happens.

The week ahead is the same audit as a past week's (the same counting contract), so a
stored audit of that week serves it: the kinds that only a past week can show are left
out, and the kinds only the week ahead shows (``unanswered_invitation``) are added from
the audit's own tables. The cache keeps the audit; this step is cheap and never stored.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from ..config.schema import Commitment, Direction, Routine
from ..coverage import Status
from ..finding_kinds import UNANSWERED_INVITATION, finding_kind
from ..result import AuditResult, Evidence, Finding
from ..unit_kinds import unit_kind
from ..wording import activity_words, clock_text, duration_text

TENSES = ("past", "ahead")


def in_tense(result: AuditResult, routine: Routine, tense: str = "past") -> AuditResult:
    """``result`` as read in ``tense``: unchanged for ``past``; for ``ahead``, without
    the kinds only a past week shows and with the kinds only the week ahead shows."""
    if tense not in TENSES:
        raise ValueError(f"tense must be one of {', '.join(TENSES)}: {tense!r}")
    if tense == "past":
        return result
    kept = [f for f in result.finding_objects if finding_kind(f.kind).ahead]
    return replace(result, finding_objects=[*kept, *ahead_findings(result, routine)])


def ahead_findings(result: AuditResult, routine: Routine) -> list[Finding]:
    """``unanswered_invitation``: each invitation the rep has not answered (counted, rep
    response needs-action) that overlaps the window of a commitment that reserves time
    (``hours`` or ``blocks``, ``direction: min``) on one of its committed days; one
    finding per invitation, commitment and day, its evidence the invitation with the
    seconds inside the window. Nothing when the week's events cannot be classified."""
    if result.coverage.status is not Status.OK:
        return []
    table = result.occurrences
    invited = table[(table["reason"] == "needs_action") & table["counted"]]
    if invited.empty:
        return []
    rows = list(
        zip(
            invited.index.tolist(),
            [_plain(v) for v in invited["start"].tolist()],
            [_plain(v) for v in invited["end"].tolist()],
            invited["activity"].tolist(),
            strict=True,
        )
    )
    days = result.commitment_days
    findings = []
    for commitment in routine.commitments:
        if commitment.direction is not Direction.MIN:
            continue
        if not unit_kind(commitment.unit).routine_blocks:
            continue
        mine = days[(days["commitment"] == commitment.id) & (days["target"] > 0)]
        for day in mine["date"].tolist():
            opens, closes = _window(commitment, day, routine)
            for occ, start, end, activity in rows:
                if activity == commitment.activity:
                    continue  # a block of the commitment itself, not yet accepted
                inside = _seconds_between(max(start, opens, key=_utc), min(end, closes, key=_utc))
                if inside > 0:
                    evidence = Evidence(occ, start, end, activity, inside)
                    detail = (
                        f"an invitation not yet answered overlaps the "
                        f"{activity_words(commitment.activity)} window "
                        f"{clock_text(opens)}–{_end_clock(commitment)} by {duration_text(inside)}"
                    )
                    findings.append(
                        Finding(UNANSWERED_INVITATION, commitment.id, day, detail, (evidence,))
                    )
    return findings


def _window(commitment: Commitment, day: date, routine: Routine) -> tuple[datetime, datetime]:
    """The commitment's window on ``day``, in the routine's zone."""
    window, zone = commitment.window, routine.zone
    opens = datetime.combine(day, window.start, zone)
    if window.end == time.max:  # 24:00
        return opens, datetime.combine(day + timedelta(days=1), time(), zone)
    return opens, datetime.combine(day, window.end, zone)


def _end_clock(commitment: Commitment) -> str:
    end = commitment.window.end
    return "24:00" if end == time.max else clock_text(end)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _seconds_between(first: datetime, last: datetime) -> int:
    """Real elapsed seconds (in UTC: aware datetimes of one zone subtract by the clock,
    so a window over a daylight-saving change would gain or lose the hour)."""
    return int((_utc(last) - _utc(first)).total_seconds())


def _plain(value: object) -> datetime:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[return-value]
