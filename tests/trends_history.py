"""A hand-built history for the trends tests (issue 22): two reps of team "sales" over
ISO weeks 2026-W30..W41, every figure chosen by hand (docs/audit.md, "Trends").

ana@example.com, prospecting (2 h every weekday, per: day, min; 10 h a week) and
client-meetings (8 a week, per: week, min):

week  coverage      prosp. adh. short days (h of 2) plan (s) meetings adh.
W30   ok            1.0 met        -                      -              1.0
W31   ok            0.5 (gap 5 h)  Mon 0, Thu 0, Fri 1    -              1.0
W32   empty         (gap)          (all 0, not counted)   -              -
W33   ok            1.0 met        -                      -              1.0
W34   ok            0.8 (gap 2 h)  Mon 1, Thu 1           -              1.0
W35   not recorded  (gap)
W36   ok            0.9 (gap 1 h)  Mon 1.5, Thu 1.5       -              1.0
W37   ok            1.0 met        -                      18000 / 0      1.0
W38   stale         (gap)          -                      -              -
W39   ok            1.0 met        -                      36000 / 27000  1.0
W40   ok            1.0 met        -                      36000 / 36000  1.0
W41   ok            1.0 met        -                      -              0.75 (6 of 8)

ben@example.com: W40 ok (prospecting 0.6, meetings 1.0), W41 free_busy.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from routine_audit.history import History
from routine_audit.period import week_monday

TEAM = "sales"
ANA = "ana@example.com"
BEN = "ben@example.com"
H = 3600

# week -> (coverage, prospecting adherence, {weekday: hours scheduled} where short,
#          plan (planned, survived) or None, meetings adherence)
ANA_WEEKS: dict[str, tuple] = {
    "2026-W30": ("ok", 1.0, {}, None, 1.0),
    "2026-W31": ("ok", 0.5, {0: 0.0, 3: 0.0, 4: 1.0}, None, 1.0),
    "2026-W32": ("empty", None, {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}, None, None),
    "2026-W33": ("ok", 1.0, {}, None, 1.0),
    "2026-W34": ("ok", 0.8, {0: 1.0, 3: 1.0}, None, 1.0),
    "2026-W36": ("ok", 0.9, {0: 1.5, 3: 1.5}, None, 1.0),
    "2026-W37": ("ok", 1.0, {}, (18000, 0), 1.0),
    "2026-W38": ("stale", None, {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}, None, None),
    "2026-W39": ("ok", 1.0, {}, (36000, 27000), 1.0),
    "2026-W40": ("ok", 1.0, {}, (36000, 36000), 1.0),
    "2026-W41": ("ok", 1.0, {}, None, 0.75),
}


def stub_result(
    email: str,
    name: str,
    coverage: str,
    prospecting: float | None,
    short: dict[int, float],
    week: str,
    meetings: float | None,
) -> SimpleNamespace:
    """What ``History.record`` reads of an audit, built by hand."""
    monday = week_monday(week)
    assert monday is not None
    days = [monday + timedelta(days=n) for n in range(7)]
    hours = [short.get(n, 2.0) if n < 5 else 0.0 for n in range(7)]
    scheduled = sum(hours)
    judged = coverage == "ok"
    records = [
        {
            "id": "prospecting", "activity": "prospecting", "unit": "hours", "per": "day",
            "direction": "min", "target": 10.0, "scheduled": scheduled,
            "gap": 10.0 - scheduled if judged else 10.0, "adherence": prospecting, "blocks": 5,
        },
        {
            "id": "client-meetings", "activity": "client_meeting", "unit": "meetings",
            "per": "week", "direction": "min", "target": 8.0,
            "scheduled": 8.0 * (meetings or 0.0), "gap": 8.0 - 8.0 * (meetings or 0.0),
            "adherence": meetings, "blocks": 0,
        },
    ]  # fmt: skip
    # the judged days of the per: day commitment (prospecting), as AuditResult.day_rows
    day_rows = tuple(("prospecting", days[n], 2.0, hours[n]) for n in range(5))
    return SimpleNamespace(
        rep=SimpleNamespace(email=email, name=name),
        coverage=SimpleNamespace(
            status=SimpleNamespace(value=coverage), last_event=None, commitments_judged=judged
        ),
        incomplete=False,
        commitment_records=records,
        finding_rows=(),
        planned_rows=(),  # no block starts (proposals read them)
        day_rows=day_rows,
    )


def build(path) -> None:
    """Record the weeks above in a new history at ``path``."""
    with History(path) as history:
        for week, (coverage, adherence, short, plan, meetings) in ANA_WEEKS.items():
            result = stub_result(ANA, "Ana", coverage, adherence, short, week, meetings)
            history.record(team=TEAM, week=week, result=result)
            if plan is not None:
                history.record_plan_figures(
                    team=TEAM, week=week, rep=ANA, rows=[("prospecting", *plan, 0)]
                )
        for week, coverage, adherence in (("2026-W40", "ok", 0.6), ("2026-W41", "free_busy", None)):
            short = {0: 0.0, 1: 1.0, 2: 1.0} if adherence else {}  # 6 h of 10: 0.6
            result = stub_result(BEN, "Ben", coverage, adherence, short, week, 1.0)
            history.record(team=TEAM, week=week, result=result)


def monday_of(week: str) -> date:
    monday = week_monday(week)
    assert monday is not None
    return monday
