"""Issue 15, section 2: targets in counted units (meetings, blocks) are whole numbers.

After prorating, a target rounds half up (4.8 -> 5, 2.4 -> 2, 2.5 -> 3) and is never below
1 when any committed day is available; gap and adherence follow the rounded target.
Week 2026-W45 (Mon 2 .. Sun 8 Nov 2026), Europe/London, weekdays 09:00-17:00.
"""

from __future__ import annotations

import pytest
from contract_calendar import WORKING, audit, findings, row

from routine_audit.engine.measure import whole_target


def _holidays(*days: int) -> str:
    return f"holidays: [{', '.join(f'2026-11-{d:02d}' for d in days)}]\n" if days else ""


def _meetings(target: float, window: str = "weekdays", direction: str = "min") -> str:
    return WORKING + (
        "commitments:\n"
        f"  - {{id: client-meetings, activity: client-meeting, unit: meetings, per: week,\n"
        f"     target: {target}, direction: {direction}, window: {{days: {window}}}}}\n"
    )


# (routine body, period start-end or None for the week, whole target): worked by hand
TARGETS = [
    # 6 a week, Mon-Fri, Monday off: 6 x 4/5 = 4.8 -> 5
    (_holidays(2) + _meetings(6), None, 5),
    # 6 a week, Mon-Wed off: 6 x 2/5 = 2.4 -> 2
    (_holidays(2, 3, 4) + _meetings(6), None, 2),
    # 5 a week on Mon-Thu, Mon and Tue off: 5 x 2/4 = 2.5 -> 3 (half up)
    (_holidays(2, 3) + _meetings(5, "[mon, tue, wed, thu]"), None, 3),
    # 2 a week, Mon-Thu off: 2 x 1/5 = 0.4 -> 0, raised to 1 (Friday is available)
    (_holidays(2, 3, 4, 5) + _meetings(2), None, 1),
    # the whole week off: no committed day, target 0
    (_holidays(2, 3, 4, 5, 6) + _meetings(2), None, 0),
    # a limit is prorated by the period's length: 3 x 4/7 = 1.714 -> 2
    (_meetings(3, direction="max"), ("2026-11-02", "2026-11-05"), 2),
    # 3 x 2/7 = 0.857 -> 1
    (_meetings(3, direction="max"), ("2026-11-02", "2026-11-03"), 1),
    # blocks too: 3 a week, Monday off: 3 x 4/5 = 2.4 -> 2
    (
        _holidays(2)
        + WORKING
        + "commitments:\n  - {id: client-meetings, activity: prospecting, unit: blocks,"
        " per: week, target: 3, min_block: 60}\n",
        None,
        2,
    ),
    # per day: 1.5 meetings a weekday -> 2 a day, x 5 days = 10
    (_meetings(1.5).replace("per: week", "per: day"), None, 10),
]


@pytest.mark.parametrize(("body", "period", "target"), TARGETS)
def test_targets_in_counted_units_are_whole(tmp_path, body, period, target):
    start, end = period or (None, None)
    result = audit(tmp_path, body, [], start=start, end=end)
    assert row(result, "client-meetings")["target"] == target


@pytest.mark.parametrize(
    ("amount", "available", "whole"),
    [
        (4.8, True, 5),
        (2.4, True, 2),
        (2.5, True, 3),
        (0.4, True, 1),
        (0.4, False, 0),
        (6 * 5 / 12, True, 3),  # 2.5 from prorating
        (7.5 * 2 / 3, True, 5),  # 5.0 from prorating, in floating point
        (0.49, False, 0),
        (7.5, True, 8),
    ],
)
def test_round_half_up_never_below_one(amount, available, whole):
    assert whole_target(amount, available) == whole


def _client_calls(*days: int) -> list[tuple[str, str, str]]:
    return [("Client call", f"2026-11-{d:02d} 10:00", f"2026-11-{d:02d} 11:00") for d in days]


def test_two_of_two_point_four_is_met_not_short(tmp_path):
    """6 a week with Mon-Wed off: target 2 (not 2.4); 2 held -> gap 0, 100%, no finding."""
    result = audit(tmp_path, _holidays(2, 3, 4) + _meetings(6), _client_calls(5, 6))
    meetings = row(result, "client-meetings")
    assert (meetings["target"], meetings["scheduled"], meetings["gap"]) == (2, 2, 0)
    assert meetings["adherence"] == 1.0
    assert not findings(result, "under_target")


def test_gap_and_adherence_follow_the_rounded_target(tmp_path):
    """Monday off: target 5 (4.8 rounded); 4 held -> gap 1, adherence 1 - 1/5 = 0.8."""
    result = audit(tmp_path, _holidays(2) + _meetings(6), _client_calls(3, 4, 5, 6))
    meetings = row(result, "client-meetings")
    assert (meetings["target"], meetings["scheduled"], meetings["gap"]) == (5, 4, 1)
    assert meetings["adherence"] == pytest.approx(0.8)
    [under] = findings(result, "under_target")
    assert under.detail == "4 meetings scheduled of 5 meetings committed"


def test_the_json_report_gives_counted_figures_as_whole_numbers(tmp_path):
    """Through the CLI: Monday off, 4 client calls -> target 5, scheduled 4, gap 1 (ints)."""
    import json

    from conftest import routine_file
    from contract_calendar import ics
    from typer.testing import CliRunner

    from routine_audit.cli import app

    routine = routine_file(tmp_path, "timezone: Europe/London\n" + _holidays(2) + _meetings(6))
    calendar = ics(tmp_path, _client_calls(3, 4, 5, 6))
    args = ["audit", "--ics", str(calendar), "--routine", str(routine), "--week", "2026-W45"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    [rep] = json.loads(result.stdout)["reps"].values()
    [meetings] = rep["commitments"]
    figures = [meetings[name] for name in ("target", "scheduled", "gap")]
    assert figures == [5, 4, 1]
    assert all(type(value) is int for value in figures)
