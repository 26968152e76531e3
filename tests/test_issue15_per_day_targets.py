"""Issue 15, section 2: per-day maxima and minima, and meetings per day.

Week 2026-W45 (Mon 2 .. Sun 8 Nov 2026), Europe/London, working hours weekdays
09:00-17:00. "CRM update" is admin and "Prospecting" prospecting by the shipped rules;
"Client call" a client meeting. Figures are hours (seconds / 3600) worked by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from contract_calendar import WORKING, audit, findings, per_day, row
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config.schema import PER_BY_UNIT

RULES_DOC = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
ADMIN_MAX_THURSDAY = WORKING + (
    "commitments:\n"
    "  - {id: admin, activity: admin, unit: hours, per: day, target: 1, direction: max,\n"
    "     window: {days: [thu]}}\n"
)
ADMIN_MAX_WEEKDAYS = ADMIN_MAX_THURSDAY.replace("[thu]", "weekdays")


def _crm(*spans: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return [("CRM update", f"{day} {start}", f"{day} {end}") for day, start, end in spans]


# --- per-day maxima: judged days are the window's working weekdays, days off included ---

MAXIMA = [
    # admin at most 1 h on Thursdays; 3 h on Wednesday (not judged), none on Thursday:
    # limit 1 x 1 judged day = 1 h; no judged day over; spare Thu 1 h -> gap -1 h
    (ADMIN_MAX_THURSDAY, _crm(("2026-11-04", "10:00", "13:00")), 1.0, 3.0, -1.0, 1.0),
    # the same 3 h on Thursday: over by 3 - 1 = 2 h; adherence 1 / (1 + 2)
    (ADMIN_MAX_THURSDAY, _crm(("2026-11-05", "10:00", "13:00")), 1.0, 3.0, 2.0, 1 / 3),
    # 1 h per weekday with a Monday holiday: still judged, limit 5 x 1 = 5 h.
    # Mon 2 h (over 1), Tue 1.5 h (over 0.5), Wed 0.5 h, Thu 1 h: gap 1 + 0.5 = 1.5 h;
    # adherence 5 / (5 + 1.5) = 0.76923
    (
        "holidays: [2026-11-02]\n" + ADMIN_MAX_WEEKDAYS,
        _crm(
            ("2026-11-02", "10:00", "12:00"),
            ("2026-11-03", "10:00", "11:30"),
            ("2026-11-04", "10:00", "10:30"),
            ("2026-11-05", "10:00", "11:00"),
        ),
        5.0,
        5.0,
        1.5,
        5 / 6.5,
    ),
    # no judged day over: Tue 1 h, Wed 0.5 h; spare Mon 1 + Tue 0 + Wed 0.5 + Thu 1 + Fri 1
    # = 3.5 h -> gap -3.5 h
    (
        "holidays: [2026-11-02]\n" + ADMIN_MAX_WEEKDAYS,
        _crm(("2026-11-03", "10:00", "11:00"), ("2026-11-04", "10:00", "10:30")),
        5.0,
        1.5,
        -3.5,
        1.0,
    ),
    # a week fully out of office (all-day Mon-Fri): limit 5 x 1 = 5 h, not 0;
    # 0.5 h on Wednesday: spare 1 + 1 + 0.5 + 1 + 1 = 4.5 h -> gap -4.5 h, not "over"
    (
        ADMIN_MAX_WEEKDAYS,
        [("Out of office", "2026-11-02", "2026-11-07"), *_crm(("2026-11-04", "10:00", "10:30"))],
        5.0,
        0.5,
        -4.5,
        1.0,
    ),
]


@pytest.mark.parametrize(("body", "events", "target", "scheduled", "gap", "adherence"), MAXIMA)
def test_per_day_maximum(tmp_path, body, events, target, scheduled, gap, adherence):
    admin = row(audit(tmp_path, body, events), "admin")
    assert admin["target"] == pytest.approx(target)
    assert admin["scheduled"] == pytest.approx(scheduled)
    assert admin["gap"] == pytest.approx(gap)
    assert admin["adherence"] == pytest.approx(adherence)


def test_the_thursday_limit_is_not_broken_by_wednesday(tmp_path):
    result = audit(tmp_path, ADMIN_MAX_THURSDAY, MAXIMA[0][1])
    assert not findings(result, "over_limit")  # today: "over", gap +2 h, adherence 33%
    assert per_day(result, "admin")["2026-11-05"] == (0.0, 1.0)
    assert per_day(result, "admin")["2026-11-04"] == (3.0, 0.0)


def test_an_overrun_names_the_days_over(tmp_path):
    result = audit(tmp_path, MAXIMA[2][0], MAXIMA[2][1])
    [over] = findings(result, "over_limit")
    assert over.detail == "over the limit of 1 h a day on Mon 02 Nov (+1 h), Tue 03 Nov (+30 min)"


def test_a_weekly_maximum_keeps_limit_over_scheduled(tmp_path):
    """per: week: gap = scheduled - limit, adherence = limit / scheduled (= limit / (limit +
    gap)): 4 h against 3 h -> gap 1 h, adherence 0.75."""
    body = WORKING + (
        "commitments:\n"
        "  - {id: admin, activity: admin, unit: hours, per: week, target: 3, direction: max}\n"
    )
    admin = row(audit(tmp_path, body, _crm(("2026-11-06", "13:00", "17:00"))), "admin")
    assert (admin["target"], admin["scheduled"], admin["gap"]) == (3.0, 4.0, 1.0)
    assert admin["adherence"] == pytest.approx(0.75)


# --- per-day minima when no day is short: gap = -(spare time on committed days) ---

PROSPECTING_DAILY = WORKING + (
    "commitments:\n  - {id: prospecting, activity: prospecting, unit: hours, per: day, target: 2}\n"
)


def _prospecting(*spans: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return [("Prospecting", f"{day} {start}", f"{day} {end}") for day, start, end in spans]


WEEK_OF_TWO_HOURS = [(f"2026-11-0{d}", "09:00", "11:00") for d in range(3, 7)]

MINIMA = [
    # Mon 3 h, Tue-Fri 2 h, Sat 4 h (not committed): spare Mon 1 h -> gap -1 h (not -5 h)
    (
        PROSPECTING_DAILY,
        _prospecting(
            ("2026-11-02", "09:00", "12:00"), *WEEK_OF_TWO_HOURS, ("2026-11-07", "10:00", "14:00")
        ),
        10.0,
        15.0,
        -1.0,
    ),
    # Monday a holiday (not committed): its 3 h are not spare; Tue 2.5 h: spare 0.5 h
    (
        "holidays: [2026-11-02]\n" + PROSPECTING_DAILY,
        _prospecting(
            ("2026-11-02", "09:00", "12:00"),
            ("2026-11-03", "09:00", "11:30"),
            *WEEK_OF_TWO_HOURS[1:],
        ),
        8.0,
        11.5,
        -0.5,
    ),
    # a short day: the shortfalls add up as before (Tue 1 h of 2): gap +1 h
    (
        PROSPECTING_DAILY,
        _prospecting(
            ("2026-11-02", "09:00", "12:00"),
            ("2026-11-03", "09:00", "10:00"),
            *WEEK_OF_TWO_HOURS[1:],
        ),
        10.0,
        10.0,
        1.0,
    ),
]


@pytest.mark.parametrize(("body", "events", "target", "scheduled", "gap"), MINIMA)
def test_per_day_minimum(tmp_path, body, events, target, scheduled, gap):
    prospecting = row(audit(tmp_path, body, events), "prospecting")
    assert prospecting["target"] == pytest.approx(target)
    assert prospecting["scheduled"] == pytest.approx(scheduled)
    assert prospecting["gap"] == pytest.approx(gap)
    assert prospecting["adherence"] == pytest.approx(1.0 - max(gap, 0.0) / target)


# --- meetings per day ---

MEETINGS_DAILY = WORKING + (
    "commitments:\n"
    "  - {id: client-meetings, activity: client-meeting, unit: meetings, per: day, target: 2}\n"
)


def test_meetings_per_day_are_allowed_and_judged_day_by_day(tmp_path):
    # Mon 2, Tue 3, Wed 1, Thu 2, Fri 0 client calls
    counts = {"02": 2, "03": 3, "04": 1, "05": 2, "06": 0}
    events = [
        ("Client call", f"2026-11-{day} {10 + i}:00", f"2026-11-{day} {10 + i}:30")
        for day, count in counts.items()
        for i in range(count)
    ]
    result = audit(tmp_path, MEETINGS_DAILY, events)
    meetings = row(result, "client-meetings")
    # target 2 x 5 = 10; scheduled 8; short Wed 1 + Fri 2 = 3; adherence 1 - 3/10
    assert (meetings["target"], meetings["scheduled"], meetings["gap"]) == (10, 8, 3)
    assert meetings["adherence"] == pytest.approx(0.7)
    [under] = findings(result, "under_target")
    assert (
        under.detail
        == "8 meetings scheduled of 10 meetings committed; short on Wed 04 Nov, Fri 06 Nov"
    )
    [missing] = findings(result, "missing_block")
    assert (str(missing.day), missing.detail) == ("2026-11-06", "no client-meeting on the calendar")


def test_rules_check_accepts_meetings_per_day(tmp_path):
    from conftest import routine_file

    path = routine_file(tmp_path, "timezone: Europe/London\n" + MEETINGS_DAILY)
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 0, result.output


def test_the_rules_reference_says_which_units_allow_which_per():
    table = re.search(r"\| unit \| `per` allowed \|\n\|[-| ]+\|\n((?:\|.*\|\n)+)", RULES_DOC)
    assert table, "docs/rules.md has no 'unit | per allowed' table"
    documented = {
        cells[0].strip("` "): tuple(re.findall(r"`(\w+)`", cells[1]))
        for cells in (line.strip("|").split("|") for line in table.group(1).splitlines())
    }
    assert documented == {unit.value: per for unit, per in PER_BY_UNIT.items()}
