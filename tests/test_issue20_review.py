"""Issue 20 review: the week ahead and plan vs what survived, found by a reviewer.

Times are in Europe/London, which is UTC in November (2026-W45: Mon 02 Nov - Sun 08 Nov);
every figure is worked out by hand in seconds.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from conftest import audit_texts, event, ics, routine_file

import routine_audit as ra
from routine_audit.history import History
from routine_audit.survival import take_snapshot, week_plan

REP = "rep@northwind.example"
ROUTINE = """timezone: Europe/London
working_hours:
  weekdays: "09:00-17:00"
commitments:
  - id: prospecting
    activity: prospecting
    unit: hours
    per: week
    target: 10
    window: {days: weekdays, start: "09:00", end: "17:00"}
"""
BEFORE_WORK = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # Mon 07:00, before its 09:00


def prospecting(uid: str, day: int, start: str, end: str, *extra: str) -> str:
    return event(uid, f"202611{day:02d}T{start}00Z", f"202611{day:02d}T{end}00Z",
                 "Prospecting", *extra)  # fmt: skip


def audited(tmp_path, calendar: str, folder: str, body: str = ROUTINE, week="2026-W45"):
    (tmp_path / folder).mkdir(exist_ok=True)
    routine = routine_file(tmp_path, body)
    return audit_texts(tmp_path / folder, calendar, routine, week=week), ra.load_routine(routine)


def snapshot_db(tmp_path, calendar: str) -> tuple:
    planned, routine = audited(tmp_path, calendar, "before")
    db = tmp_path / "history.sqlite"
    with History(db) as history:
        take_snapshot(history, team="T", result=planned, routine=routine, taken_at=BEFORE_WORK)
    return db, planned


# -- hostile history: a snapshot table edited by hand ------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE plan_snapshot SET taken_at = 'garbage'",
        "UPDATE plan_snapshot SET taken_at = 42",
        "UPDATE planned_block SET start = 99999999999999",
        "UPDATE planned_block SET seconds = 'abc'",
        'UPDATE planned_block SET "end" = start - 1',
        'UPDATE planned_block SET seconds = 10 * ("end" - start)',
    ],
)
def test_a_snapshot_edited_by_hand_is_ignored_not_a_traceback(tmp_path, edit):
    db, _ = snapshot_db(tmp_path, ics(prospecting("p1", 2, "0900", "1100")))
    with sqlite3.connect(db) as raw:
        raw.execute(edit)
    with History(db) as history:
        plan = week_plan(history, team="T", week="2026-W45", rep=REP)
        snapshots = history.plan_snapshots(team="T", week="2026-W45", rep=REP)
    # the unreadable snapshot (or block) is left out: no plan, or a plan without the block
    assert plan is None or plan.blocks == ()
    assert all(rows == [] for _, _, rows in snapshots)


def test_a_naive_snapshot_time_is_read_as_utc(tmp_path):
    db, _ = snapshot_db(tmp_path, ics(prospecting("p1", 2, "0900", "1100")))
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE plan_snapshot SET taken_at = '2026-11-02T07:00:00'")
    with History(db) as history:
        plan = week_plan(history, team="T", week="2026-W45", rep=REP)
    assert plan is not None and plan.taken_at == BEFORE_WORK


def test_only_the_plan_is_read_among_many_snapshots(tmp_path, monkeypatch):
    """Thousands of later snapshots (kept, unused) are not read to find the plan."""
    db, _ = snapshot_db(tmp_path, ics(prospecting("p1", 2, "0900", "1100")))
    with sqlite3.connect(db) as raw:
        raw.executemany(
            "INSERT INTO plan_snapshot (team, week, rep, taken_at, before_start)"
            " VALUES ('T', '2026-W45', ?, '2026-11-03T07:00:00+00:00', 0)",
            [(REP,)] * 5000,
        )
    statements: list[str] = []
    with History(db) as history:
        history._db.set_trace_callback(statements.append)
        plan = week_plan(history, team="T", week="2026-W45", rep=REP)
    assert plan is not None and len(plan.blocks) == 1
    assert sum("FROM planned_block" in s for s in statements) == 1


# -- the week ahead's table: a figure that does not apply reads n/a ----------------

AHEAD_ROUTINE = """timezone: Europe/London
working_hours: {weekdays: "09:00-17:00"}
commitments:
  - {id: prospecting, activity: prospecting, unit: hours, per: week, target: 4,
     window: {days: weekdays, start: "09:00", end: "12:00"}}
  - {id: client-meetings, activity: client-meeting, unit: meetings, per: week, target: 2}
  - {id: admin, activity: admin, unit: hours, per: week, target: 3, direction: max,
     window: {days: [fri], start: "13:00", end: "17:00"}}
"""
# 2026-W46: prospecting Mon 09:00-11:00 with a client call on top 10:00-10:30 (1800 s
# lost); admin Fri 13:00-15:00 with a client call on top 14:00-15:00 (3600 s, but a
# limit loses nothing it needs)
AHEAD = ics(
    event("p-mon", "20261109T090000Z", "20261109T110000Z", "Prospecting"),
    event("call1", "20261109T100000Z", "20261109T103000Z", "Acme call"),
    event("crm", "20261113T130000Z", "20261113T150000Z", "CRM cleanup"),
    event("call2", "20261113T140000Z", "20261113T150000Z", "Initech call"),
)


def test_figures_that_do_not_apply_read_n_a_in_the_week_aheads_tables(tmp_path):
    from routine_audit.report.ahead_view import build_ahead, commitment_line, render_ahead

    calendar = tmp_path / "cal.ics"
    calendar.write_text(AHEAD, newline="")
    routine = ra.load_routine(routine_file(tmp_path, AHEAD_ROUTINE))
    ahead = ra.plan_week(calendar, routine, ra.load_rules(), week="2026-W46")
    assert ahead.commitment("prospecting").lost_to_meetings_seconds == 1800
    report = build_ahead(ahead, "manager")
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in render_ahead(report, "markdown").splitlines()
        if line.startswith("| ") and not line.startswith("| Commitment")
    }
    # Blocked out, Target, Status, Days with no block, Short blocks, Lost to meetings,
    # Protected time overlapped, Invitations not answered
    # prospecting: Mon 7200 - 1800 = 5400 s = 1 h 30 min of 4 h; Tue-Fri have nothing
    assert rows["prospecting"][3] == "Tue 10 Nov, Wed 11 Nov, Thu 12 Nov, Fri 13 Nov"
    assert rows["prospecting"][5:7] == ["30 min", "n/a"]
    # two client calls, a weekly count: no days, nothing lost, not protected
    assert rows["client-meetings"][3:7] == ["n/a", "0", "n/a", "n/a"]
    # a limit: no days, nothing lost (the call on top is no loss), not protected
    assert rows["admin"][3:7] == ["n/a", "0", "n/a", "n/a"]
    assert "lost to meetings" not in commitment_line(ahead.commitment("admin"))
    html = render_ahead(report, "html")
    assert "<td>n/a</td>" in html
