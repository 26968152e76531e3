"""Issue 20 review: the week ahead and plan vs what survived, found by a reviewer.

Times are in Europe/London, which is UTC in November (2026-W45: Mon 02 Nov - Sun 08 Nov);
every figure is worked out by hand in seconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from conftest import audit_texts, event, ics, routine_file
from test_plan_survival import BEFORE_WORK, ROUTINE  # the same week, plan time and routine
from test_plan_survival_run import two_weeks  # noqa: F401  (the fixture)

import routine_audit as ra
from routine_audit.history import History
from routine_audit.survival import plan_vs_survived, take_snapshot, week_plan

REP = "rep@northwind.example"


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


# -- plan vs what survived across zones and daylight-saving changes ------------------


def zoned(uid: str, zone: str, start: str, end: str) -> str:
    return event(uid, start, end, "Prospecting").replace(
        "DTSTART:", f"DTSTART;TZID={zone}:").replace("DTEND:", f"DTEND;TZID={zone}:")  # fmt: skip


def review(tmp_path, zone: str, week: str, before: str, after: str, taken_at: datetime):
    body = ROUTINE.replace("Europe/London", zone)
    planned, routine = audited(tmp_path, before, "before", body, week)
    actual, _ = audited(tmp_path, after, "after", body, week)
    with History(tmp_path / "h.sqlite") as history:
        snap = take_snapshot(history, team="T", result=planned, routine=routine, taken_at=taken_at)
        plan = week_plan(history, team="T", week=week, rep=REP)
    return snap, plan_vs_survived(plan, actual)


@pytest.mark.parametrize(
    ("zone", "week", "start", "end", "seconds"),
    [
        # Europe/London, Sun 25 Oct 2026: 02:00 BST falls back to 01:00 GMT;
        # 00:30 BST (23:30Z) to 02:30 GMT (02:30Z) = 3 h = 10800 s
        ("Europe/London", "2026-W43", "20261025T003000", "20261025T023000", 10800),
        # Europe/London, Sun 29 Mar 2026: 01:00 GMT springs to 02:00 BST;
        # 00:30 GMT (00:30Z) to 03:30 BST (02:30Z) = 2 h = 7200 s
        ("Europe/London", "2026-W13", "20260329T003000", "20260329T033000", 7200),
        # Australia/Lord_Howe, Sun 05 Apr 2026: 02:00 (+11:00) falls back to 01:30
        # (+10:30); 01:00 (14:00Z Sat) to 03:00 (16:30Z Sat) = 2 h 30 min = 9000 s
        ("Australia/Lord_Howe", "2026-W14", "20260405T010000", "20260405T030000", 9000),
    ],
)
def test_a_block_over_a_clock_change_is_planned_and_survives_in_real_seconds(
    tmp_path, zone, week, start, end, seconds
):
    calendar = ics(zoned("b", zone, start, end))
    a_week_before = datetime.fromisoformat(f"{week}-1").replace(tzinfo=UTC) - timedelta(days=7)
    snap, found = review(tmp_path, zone, week, calendar, calendar, a_week_before)
    assert [b.seconds for b in snap.blocks] == [seconds]
    (block,) = found.blocks
    assert (block.outcome, block.planned_seconds, block.survived_seconds) == (
        "held", seconds, seconds)  # fmt: skip


@pytest.mark.parametrize(
    ("taken_at", "before_start"),
    [
        # America/New_York: DST began Sun 08 Mar 2026, so Mon 09 Mar 09:00 is EDT
        # (UTC-4) = 13:00Z, not 14:00Z (EST)
        (datetime(2026, 3, 9, 12, 59, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 9, 13, 0, 0, tzinfo=UTC), False),
    ],
)
def test_the_first_working_hour_after_a_clock_change(tmp_path, taken_at, before_start):
    calendar = ics(event("x", "20260309T130000Z", "20260309T150000Z", "Prospecting"))
    snap, found = review(tmp_path, "America/New_York", "2026-W11", calendar, calendar, taken_at)
    assert snap.before_start is before_start
    assert found.source == ("snapshot" if before_start else "none")


def test_blocks_moved_out_of_and_into_the_week_and_across_its_last_midnight(tmp_path):
    before = ics(
        prospecting("out", 6, "0900", "1100"),  # Fri: moved to Mon 09 Nov (next week)
        # Fri 30 Oct (last week): moved to Thu 05 Nov
        event("in", "20261030T090000Z", "20261030T110000Z", "Prospecting"),
        # Sun 08 Nov 23:00 - Mon 09 Nov 01:00: 3600 s inside 2026-W45
        event("late", "20261108T230000Z", "20261109T010000Z", "Prospecting"),
    )
    after = before.replace("20261106T0900", "20261109T0900").replace(
        "20261106T1100", "20261109T1100").replace("20261030T0900", "20261105T0900").replace(
        "20261030T1100", "20261105T1100")  # fmt: skip
    _, found = review(tmp_path, "Europe/London", "2026-W45", before, after, BEFORE_WORK)
    blocks = [(b.start.day, b.outcome, b.planned_seconds, b.survived_seconds) for b in found.blocks]
    assert blocks == [(6, "deleted", 7200, 0), (8, "held", 3600, 3600)]
    (c,) = found.commitments
    # planned 7200 + 3600; survived 0 + 3600; the block moved in from Fri 30 Oct
    # (Thu 05 Nov 09:00-11:00, 7200 s) was not in the plan: added
    assert (c.planned_seconds, c.survived_seconds, c.added_seconds) == (10800, 3600, 7200)
    assert c.survival == 3600 / 10800
    assert c.planned_ahead == 3600 / (3600 + 7200)


def test_a_monday_morning_plan_does_not_say_it_was_taken_before_the_week_began(tmp_path):
    """The plan is the first snapshot before the week's first working hour: a Monday
    07:00 snapshot is after the week began (Monday 00:00), but before its work."""
    from routine_audit.report.plan_view import plan_intro, plan_view

    calendar = ics(prospecting("p1", 2, "0900", "1100"))
    _, found = review(tmp_path, "Europe/London", "2026-W45", calendar, calendar, BEFORE_WORK)
    view = plan_view(found, lambda occ: None, UTC)
    assert plan_intro(view) == "Plan recorded Mon 02 Nov 07:00, before the week's work began."
    assert "before the week began" not in plan_intro(replace(view, snapshot_at=None))


def test_a_this_and_future_override_keeps_each_instance_its_own_identity(tmp_path):
    """A daily series Mon-Fri 09:00-11:00; "this and following events" moved an hour
    later from Wednesday (RECURRENCE-ID;RANGE=THISANDFUTURE, as Apple Calendar and
    Outlook write it). Wed, Thu and Fri are each moved, not one moved and two deleted:
    planned 5 x 7200 = 36000 s, survived 36000 s (each kept its 2 h), added 0."""
    series = event(
        "ser", "20261102T090000Z", "20261102T110000Z", "Prospecting", "RRULE:FREQ=DAILY;COUNT=5"
    )
    later = event(
        "ser", "20261104T100000Z", "20261104T120000Z", "Prospecting",
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20261104T090000Z",
    )  # fmt: skip
    _, found = review(tmp_path, "Europe/London", "2026-W45", ics(series), ics(series, later),
                      BEFORE_WORK)  # fmt: skip
    assert [(b.start.day, b.outcome, b.survived_seconds) for b in found.blocks] == [
        (2, "held", 7200), (3, "held", 7200), (4, "moved", 7200), (5, "moved", 7200),
        (6, "moved", 7200),
    ]  # fmt: skip
    (c,) = found.commitments
    assert (c.planned_seconds, c.survived_seconds, c.added_seconds) == (36000, 36000, 0)


# -- the week ahead over a clock change -----------------------------------------------


def test_an_invitation_over_a_clock_change_overlaps_a_window_in_real_seconds(tmp_path):
    """Sun 25 Oct 2026, Europe/London: 02:00 BST falls back to 01:00 GMT. A protected
    window 00:00-06:00 (23:00Z Sat - 06:00Z Sun: 7 real hours); an invitation not yet
    answered 00:30 BST (23:30Z) - 02:30 GMT (02:30Z) lies inside it for 3 h = 10800 s,
    not the 2 h its clock times differ by."""
    body = """timezone: Europe/London
working_hours: {weekdays: "09:00-17:00"}
commitments:
  - {id: family, activity: personal, unit: hours, per: week, target: 1, protected: true,
     window: {days: [sun], start: "00:00", end: "06:00"}}
"""
    invited = (
        "ORGANIZER:mailto:lee@northwind.example",
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{REP}",
    )
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        ics(event("late", "20261024T233000Z", "20261025T023000Z", "Late call", *invited)),
        newline="",
    )
    routine = ra.load_routine(routine_file(tmp_path, body))
    ahead = ra.plan_week(calendar, routine, ra.load_rules(), week="2026-W43")
    (found,) = [f for f in ahead.findings if f.kind == "unanswered_invitation"]
    assert found.evidence[0].seconds == 10800
    assert found.detail == (
        "an invitation not yet answered overlaps the personal time window 00:00–06:00 by 3 h"
    )


def test_a_block_taken_whole_on_a_spring_forward_day_is_fully_displaced(tmp_path):
    """Sun 29 Mar 2026, Europe/London: 01:00 GMT springs to 02:00 BST. A block 00:30 GMT
    (00:30Z) - 03:30 BST (02:30Z) lasts 2 real hours (7200 s), not the 3 h its clock
    times differ by; a client call over exactly that time takes all 7200 s: the block is
    fully displaced (in the week ahead's line and in the past week's story alike)."""
    from routine_audit.report.ahead_view import build_ahead
    from routine_audit.report.view import build_report

    body = """timezone: Europe/London
working_hours: {weekdays: "09:00-17:00"}
commitments:
  - {id: prospecting, activity: prospecting, unit: hours, per: week, target: 1,
     window: {days: [sun], start: "00:00", end: "06:00"}}
"""
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        ics(
            zoned("p", "Europe/London", "20260329T003000", "20260329T033000"),
            zoned("m", "Europe/London", "20260329T003000", "20260329T033000").replace(
                "SUMMARY:Prospecting", "SUMMARY:Call\r\nATTENDEE:mailto:x@acme.example"
            ),
        ),
        newline="",
    )
    routine = ra.load_routine(routine_file(tmp_path, body))
    ahead = ra.plan_week(calendar, routine, ra.load_rules(), week="2026-W13")
    (line,) = [x for x in build_ahead(ahead, "manager").lines if x.day]
    assert line.body == "00:30–03:30 will be fully displaced by a client meeting 00:30–03:30"
    (story,) = [s for s in build_report(ahead.result, "manager").stories if s.day]
    assert story.body == "fully displaced by a client meeting 00:30–03:30"


def test_the_rollup_line_says_apart_the_reps_with_no_events_that_week(tmp_path):
    """Two reps with the same routine: one has 2 h of prospecting Mon 09 Nov (of 4 h)
    and nothing on Friday afternoon (within the admin limit); the other's calendar holds
    nothing that week. The second is not within the limit, nor over it: no data."""
    from routine_audit.team.ahead import blocked_out

    routine = ra.load_routine(routine_file(tmp_path, AHEAD_ROUTINE))
    busy, empty = tmp_path / "busy.ics", tmp_path / "empty.ics"
    busy.write_text(ics(prospecting("p", 9, "0900", "1100")), newline="")
    empty.write_text(ics(prospecting("old", 2, "0900", "1100")), newline="")  # last week
    aheads = [
        ra.plan_week(calendar, routine, ra.load_rules(), week="2026-W46")
        for calendar in (busy, empty)
    ]
    assert [row.text for row in blocked_out(aheads)] == [
        "prospecting blocked out for 0 of 2 reps; 1 has no events that week yet",
        "client-meetings booked for 0 of 2 reps; 1 has no events that week yet",
        "admin within the limit for 1 of 2 reps; 1 has no events that week yet",
    ]


def test_the_rollup_says_who_is_not_ranked_by_plan_survival(two_weeks):  # noqa: F811
    """Morgan's week 2026-W46 had nothing planned (no block of her committed activities
    when the plan was taken): she is not ranked, and the roll-up says so rather than
    leaving her out silently."""
    folder = two_weeks / "out" / "2026-W46"
    section = (folder / "rollup.md").read_text().split("## Plan survival", 1)[1]
    assert "Not ranked: Morgan Fixture (nothing planned)." in section
    assert "Not ranked: Morgan Fixture (nothing planned)." in (folder / "index.html").read_text()


def test_a_meeting_already_on_top_when_the_plan_was_taken_is_not_an_obstacle(tmp_path):
    """Mon 02 Nov prospecting 14:00-16:00 with a team sync already on top 15:00-16:00
    when the plan was taken: planned 3600 s. In the week a call is booked 14:00-14:30
    and takes 1800 s: survived 1800 s, displaced. Its obstacle is the call alone (the
    sync's hour was never planned), 1800 s, the time the block lost of its plan."""
    sync = event("sync", "20261102T150000Z", "20261102T160000Z", "Team sync")
    before = ics(prospecting("p", 2, "1400", "1600"), sync)
    after = ics(
        prospecting("p", 2, "1400", "1600"),
        sync,
        event("call", "20261102T140000Z", "20261102T143000Z", "Pricing call"),
    )
    _, found = review(tmp_path, "Europe/London", "2026-W45", before, after, BEFORE_WORK)
    (block,) = found.blocks
    assert (block.outcome, block.planned_seconds, block.survived_seconds) == (
        "displaced", 3600, 1800)  # fmt: skip
    assert [(o.start.strftime("%H:%M"), o.seconds) for o in block.obstacles] == [("14:00", 1800)]


def test_a_snapshot_from_before_taken_by_was_kept_still_reads(tmp_path):
    """A version 4 snapshot (no taken_by column) migrates to '' and lists every event
    that took the block's time, as before."""
    db, _ = snapshot_db(tmp_path, ics(prospecting("p1", 2, "0900", "1100")))
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE planned_block SET taken_by = ''")
    with History(db) as history:
        plan = week_plan(history, team="T", week="2026-W45", rep=REP)
    assert plan is not None and plan.blocks[0].taken_by == frozenset()


def test_a_busy_free_week_ahead_does_not_say_everything_is_blocked_out(tmp_path):
    """2026-W46 seen as busy/free blocks only ("Busy" Tue 09:00-10:00): nothing can be
    classified, so what is blocked out cannot be told; the reports said "Every commitment
    is blocked out" above a table of "10 h still to book"."""
    from routine_audit.report.ahead_view import build_ahead, commitment_line, render_ahead
    from routine_audit.team.ahead import blocked_out

    routine = ra.load_routine(routine_file(tmp_path, AHEAD_ROUTINE))
    calendar, busy = tmp_path / "busy.ics", tmp_path / "cal.ics"
    calendar.write_text(ics(event("b", "20261110T090000Z", "20261110T100000Z", "Busy")), newline="")
    busy.write_text(AHEAD, newline="")
    ahead = ra.plan_week(calendar, routine, ra.load_rules(), week="2026-W46")
    assert ahead.coverage.status.value == "free_busy"
    markdown = render_ahead(build_ahead(ahead, "manager"), "markdown")
    assert "Every commitment is blocked out" not in markdown
    assert "shows only busy/free blocks for that week" in markdown
    assert "| prospecting | n/a | 4 h | not judged | n/a | 0 | n/a | n/a | 0 |" in markdown
    assert commitment_line(ahead.commitment("admin")) == (
        "admin: not judged: the calendar shows only busy/free blocks"
    )
    other = ra.plan_week(busy, routine, ra.load_rules(), week="2026-W46")
    assert [row.text for row in blocked_out([other, ahead])][2] == (
        "admin within the limit for 1 of 2 reps; 1 with busy/free blocks only"
    )
