"""The whole team's week when a run audits one rep (`run --rep X`).

X is audited afresh; every other rep enters the roll-up and the team page as the
history recorded them for the same week, never re-audited and never guessed: a rep
with no row for the week is listed as not audited, with no figures. team.json and
team.csv carry each rep's full report, which the history rows cannot rebuild: X's
entry is replaced and the other reps' entries are kept as the folder holds them.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..config.team import Member, Team
from ..coverage import Coverage, Status
from ..history import History, RecordedAudit
from ..period import Period
from ..report.view import Audience, CommitmentView, RepReport
from ..result import HealthFigures, RepInfo
from .runner import RepOutcome

NOT_RECORDED = (
    "not audited: no audit of {week} is recorded for this rep (a run without --rep "
    "audits every rep)"
)
_NO_HEALTH = HealthFigures(0, 0, 0, 0.0, 0, 0, None, 0)  # not shown by a roll-up


def whole_team(
    team: Team,
    period: Period,
    outcomes: Sequence[RepOutcome],
    reports: Sequence[RepReport],
    history: History,
) -> tuple[list[RepOutcome], list[RepReport]]:
    """The roll-up's failures and reports for every rep of the team, in team-file order:
    this run's outcomes where it audited the rep, else the week's history rows."""
    fresh = {o.member.email: o for o in outcomes}
    made = {r.rep.email: r for r in reports}
    recorded = history.week_audits(team=team.name, week=period.label)
    failures: list[RepOutcome] = []
    shown: list[RepReport] = []
    for member in team.spec.reps:
        email = member.email
        if email in fresh:
            if email in made:
                shown.append(made[email])
            else:
                failures.append(fresh[email])
        elif email in recorded:
            shown.append(recorded_report(recorded[email], member, period))
        else:
            failures.append(RepOutcome(member, None, NOT_RECORDED.format(week=period.label)))
    return failures, shown


def recorded_report(row: RecordedAudit, member: Member, period: Period) -> RepReport:
    """A manager's view of a recorded audit, as far as a roll-up needs one: the
    commitments' figures, the coverage and whether input was skipped; no events."""
    coverage = Coverage(Status(row.coverage), last_event=row.newest)
    judged = coverage.commitments_judged
    commitments = tuple(
        CommitmentView(
            id=commitment,
            activity=activity or "",
            description="",
            unit=unit,
            per="",
            direction=direction,
            protected=False,
            target=target,
            scheduled=scheduled,
            gap=gap,
            adherence=adherence if judged else None,
            blocks=int(blocks),
            short_blocks=0,
            outside_window_hours=0.0,
            committed_days=0,
            judged=judged,
        )
        for commitment, activity, unit, direction, target, scheduled, gap, adherence, blocks in (
            row.commitments
        )
    )
    return RepReport(
        rep=RepInfo(member.email, member.name or row.name or member.email, period.tz.key, False),
        audience=Audience.MANAGER,
        period=period,
        commitments=commitments,
        daily=(),
        findings=(),
        health=_NO_HEALTH,
        occurrences=(),
        data_quality=(),
        notes=(),
        titles_shown=False,
        incomplete=row.incomplete,
        coverage=coverage,
    )


def merged_json(existing: Path, fresh: str) -> str:
    """team.json with the reps of ``fresh`` replacing theirs in ``existing`` (kept when
    it is not a readable team.json)."""
    try:
        kept = json.loads(existing.read_text(encoding="utf-8"))
        reps = kept["reps"]
    except (OSError, ValueError, KeyError, TypeError):
        return fresh
    if not isinstance(reps, dict):  # not an assert: python -O would drop it
        return fresh
    document = json.loads(fresh)
    document["reps"] = {**reps, **document["reps"]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def merged_csv(existing: Path, fresh: str) -> str:
    """team.csv with the rows of ``fresh``'s reps replacing theirs in ``existing``; each
    kept row's text is copied as it was (it was neutralized when written)."""
    try:
        text = existing.read_text(encoding="utf-8")
    except (OSError, ValueError):  # ValueError: not UTF-8, so not a team.csv we wrote
        return fresh
    head, new_rows = _records(fresh)
    old_head, old_rows = _records(text)
    if old_head != head:
        return fresh
    replaced = {rep for rep, _ in new_rows}
    rows = [row for row in old_rows if row[0] not in replaced] + new_rows
    rows.sort(key=lambda row: row[0])  # stable: each rep's rows keep their order
    return head + "".join(raw for _, raw in rows)


def _records(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The header line and (rep, raw text) per record; a quoted cell may span lines."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return "", []
    start = reader.line_num
    records = []
    for record in reader:
        records.append((record[0] if record else "", "".join(lines[start : reader.line_num])))
        start = reader.line_num
    return "".join(lines[:1]), records
