"""Issue 20, part 2: plan vs what survived, on hand-made before/after calendars.

The week is 2026-W45 (Mon 02 Nov – Sun 08 Nov) in Europe/London, which is UTC in
November, so every time below is also its UTC time. Working hours 09:00-17:00 on
weekdays: the week's first working hour is Mon 02 Nov 09:00. Every figure is worked
out by hand in seconds (2 h = 7200 s).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from conftest import FIXTURES, audit_texts, event, ics, routine_file

import routine_audit as ra
from routine_audit.history import History
from routine_audit.survival import plan_vs_survived, take_snapshot, week_plan

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
REP = "ATTENDEE;PARTSTAT=DECLINED:mailto:rep@northwind.example"
OLD = "CREATED:20261020T080000Z"  # created before the week


def block(uid: str, day: int, start: str, end: str, *extra: str, created: str = OLD) -> str:
    """A prospecting block on Nov ``day`` from ``start`` to ``end`` (HHMM)."""
    return event(uid, f"202611{day:02d}T{start}00Z", f"202611{day:02d}T{end}00Z",
                 "Prospecting", created, *extra)  # fmt: skip


SYNC = event("sync", "20261102T150000Z", "20261102T160000Z", "Team sync", OLD)

# the calendar when the week ahead was checked (Mon 02 Nov, 07:00)
BEFORE = ics(
    block("p1", 2, "0900", "1100"),  # held
    block("p8", 2, "1400", "1600"),  # a sync already on top from 15:00: plans 1 h
    SYNC,
    block("p2", 3, "0900", "1100"),  # moved to 13:00-15:00
    block("p3", 4, "0900", "1100"),  # shortened to 09:00-10:00
    block("p4", 5, "0900", "1100"),  # a call booked on top 10:00-10:30: displaced
    block("p7", 5, "1400", "1500"),  # deleted
    block("p5", 6, "0900", "1100"),  # cancelled
    block("p6", 6, "1400", "1500"),  # declined
)
# the same calendar at the end of the week
AFTER = ics(
    block("p1", 2, "0900", "1100"),
    block("p8", 2, "1400", "1600"),
    SYNC,
    block("p2", 3, "1300", "1500"),
    block("p3", 4, "0900", "1000"),
    block("p4", 5, "0900", "1100"),
    event("call", "20261105T100000Z", "20261105T103000Z", "Pricing call", OLD),
    block("p5", 6, "0900", "1100", "STATUS:CANCELLED"),
    block("p6", 6, "1400", "1500", REP),
    block("a1", 6, "1100", "1200", created="CREATED:20261104T120000Z"),  # added mid-week
)
BEFORE_WORK = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # Mon 07:00, before 09:00


def audited(tmp_path, calendar: str, folder: str):
    (tmp_path / folder).mkdir(exist_ok=True)
    routine = routine_file(tmp_path, ROUTINE)
    return audit_texts(tmp_path / folder, calendar, routine, week="2026-W45"), routine


def review(tmp_path, before: str = BEFORE, after: str = AFTER, taken_at=BEFORE_WORK):
    planned, routine = audited(tmp_path, before, "before")
    actual, _ = audited(tmp_path, after, "after")
    with History(tmp_path / "history.sqlite") as history:
        take_snapshot(history, team="T", result=planned, routine=ra.load_routine(routine),
                      taken_at=taken_at)  # fmt: skip
        plan = week_plan(history, team="T", week="2026-W45", rep="rep@northwind.example")
    return plan_vs_survived(plan, actual)


def outcomes(found) -> dict[str, tuple[str, int, int]]:
    """Planned start (day HH:MM) -> (outcome, planned seconds, survived seconds)."""
    return {
        b.start.strftime("%d %H:%M"): (b.outcome, b.planned_seconds, b.survived_seconds)
        for b in found.blocks
    }


def test_every_outcome_with_exact_seconds(tmp_path):
    found = review(tmp_path)
    assert found.source == "snapshot"
    assert found.snapshot_at == BEFORE_WORK
    assert outcomes(found) == {
        "02 09:00": ("held", 7200, 7200),
        "02 14:00": ("held", 3600, 3600),  # 14:00-16:00 less the sync's hour, then and now
        "03 09:00": ("moved", 7200, 7200),  # counted in full at 13:00-15:00
        "04 09:00": ("shortened", 7200, 3600),  # 09:00-10:00
        "05 09:00": ("displaced", 7200, 5400),  # 7200 - 1800 taken by the call
        "05 14:00": ("deleted", 3600, 0),
        "06 09:00": ("cancelled", 7200, 0),
        "06 14:00": ("declined", 3600, 0),
    }
    displaced = next(b for b in found.blocks if b.outcome == "displaced")
    assert [(o.start.strftime("%H:%M"), o.activity, o.seconds) for o in displaced.obstacles] == [
        ("10:00", "other", 1800)
    ]


def test_commitment_figures(tmp_path):
    (prospecting,) = review(tmp_path).commitments
    # planned: five 2 h blocks and three 1 h ones = 5*7200 + 3*3600
    assert prospecting.planned_seconds == 46800
    # survived: 7200 + 3600 + 7200 + 3600 + 5400 (held, held, moved, shortened, displaced)
    assert prospecting.survived_seconds == 27000
    assert prospecting.added_seconds == 3600  # a1, Fri 11:00-12:00
    assert prospecting.survival == pytest.approx(27000 / 46800)
    # the week's counted prospecting: 27000 survived + 3600 added = 30600; in the plan 27000
    assert prospecting.planned_ahead == pytest.approx(27000 / 30600)


def test_planned_ahead_from_creation_times_without_a_snapshot(tmp_path):
    actual, _ = audited(tmp_path, AFTER, "after")
    found = plan_vs_survived(None, actual)
    assert found.source == "created"
    assert found.snapshot_at is None
    assert found.blocks == ()
    (prospecting,) = found.commitments
    assert (prospecting.planned_seconds, prospecting.survived_seconds) == (None, None)
    assert prospecting.added_seconds is None and prospecting.survival is None
    # created before Mon 02 Nov 00:00: every counted block but a1 (created Wed 04 Nov):
    # 30600 - 3600 = 27000 of 30600
    assert prospecting.planned_ahead == pytest.approx(27000 / 30600)


def test_planned_ahead_none_when_a_creation_time_is_missing(tmp_path):
    calendar = ics(
        block("p1", 2, "0900", "1100"),
        event("x", "20261103T090000Z", "20261103T100000Z", "Prospecting"),  # no CREATED
    )
    actual, _ = audited(tmp_path, calendar, "after")
    found = plan_vs_survived(None, actual)
    assert found.source == "none"
    assert [c.planned_ahead for c in found.commitments] == [None]


def test_a_snapshot_after_the_first_working_hour_is_not_the_plan(tmp_path):
    late = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Mon 09:00: work has begun
    found = review(tmp_path, taken_at=late)
    assert found.source == "created"  # no plan: creation times speak instead
    assert found.blocks == ()


def test_the_first_snapshot_before_work_is_the_plan_and_is_never_replaced(tmp_path):
    planned, routine = audited(tmp_path, BEFORE, "before")
    later, _ = audited(tmp_path, AFTER, "after")
    model = ra.load_routine(routine)
    sunday = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    with History(tmp_path / "h.sqlite") as history:
        first = take_snapshot(history, team="T", result=planned, routine=model, taken_at=sunday)
        second = take_snapshot(history, team="T", result=later, routine=model,
                               taken_at=BEFORE_WORK)  # fmt: skip
        assert first.before_start and second.before_start
        plan = week_plan(history, team="T", week="2026-W45", rep="rep@northwind.example")
        assert plan is not None and plan.taken_at == sunday
        assert len(plan.blocks) == 8  # the first snapshot's blocks, not the second's 9
        snapshots = history.plan_snapshots(team="T", week="2026-W45", rep="rep@northwind.example")
        assert len(snapshots) == 2  # the later one is kept, unused


def test_planned_blocks_are_counted_seconds_per_commitment(tmp_path):
    planned, routine = audited(tmp_path, BEFORE, "before")
    with History(tmp_path / "h.sqlite") as history:
        model = ra.load_routine(routine)
        snapshot = take_snapshot(
            history, team="T", result=planned, routine=model, taken_at=BEFORE_WORK
        )
    seconds = sorted((b.start.day, b.start.hour, b.seconds) for b in snapshot.blocks)
    assert seconds == [
        (2, 9, 7200), (2, 14, 3600), (3, 9, 7200), (4, 9, 7200),
        (5, 9, 7200), (5, 14, 3600), (6, 9, 7200), (6, 14, 3600),
    ]  # fmt: skip
    assert {b.commitment for b in snapshot.blocks} == {"prospecting"}


def test_migrations_4_and_5_from_a_version_3_database(tmp_path, monkeypatch):
    from routine_audit import history as history_module

    path = tmp_path / "v3.sqlite"
    monkeypatch.setattr(history_module, "MIGRATIONS", history_module.MIGRATIONS[:3])
    with History(path) as old:
        assert old.schema_version == 3
    monkeypatch.undo()
    with History(path) as history:
        # 4: the snapshot tables; 5: taken_by; 6 (issue 21): block starts
        assert history.schema_version == len(history_module.MIGRATIONS) >= 6
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        columns = [row[1] for row in db.execute("PRAGMA table_info(planned_block)")]
    assert {"plan_snapshot", "planned_block", "audit"} <= tables
    assert columns == ["snapshot_id", "identity", "start", "end", "activity", "commitment",
                       "seconds", "taken_by"]  # fmt: skip


def test_every_format_shows_the_plan_and_never_an_identity(tmp_path):
    found = review(tmp_path)
    actual, _ = audited(tmp_path, AFTER, "after")
    for audience in ("manager", "owner"):
        report = ra.build_report(actual, audience, plan=found)
        outputs = {fmt: ra.render(report, fmt) for fmt in ("table", "markdown", "html", "json")}
        outputs["events"] = ra.render_events(report, "json")
        for fmt, text in outputs.items():
            assert "\x1f" not in text and "\\u001f" not in text, fmt  # identities never shown
            assert '"identity"' not in text, fmt
        for fmt in ("table", "markdown", "html"):
            assert "Plan vs what survived" in outputs[fmt], fmt
    manager = ra.render(ra.build_report(actual, "manager", plan=found), "markdown")
    assert "Pricing call" not in manager  # the obstacle is named by its activity and time
    assert "taken by an unclassified event Thu 05 Nov 10:00–10:30 (30 min)" in manager
    owner = ra.render(ra.build_report(actual, "owner", plan=found), "markdown")
    assert 'taken by "Pricing call" Thu 05 Nov 10:00–10:30 (30 min)' in owner


def test_without_a_history_reports_have_no_plan_section(tmp_path):
    actual, _ = audited(tmp_path, AFTER, "after")
    report = ra.build_report(actual, "manager")
    assert report.plan is None
    assert "Plan vs what survived" not in ra.render(report, "markdown")
    assert '"plan"' not in ra.render(report, "json")


def test_a_caller_table_takes_its_identity_from_its_uid():
    import pandas as pd

    model = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.period_for(model, week="2026-W45")
    start = pd.Timestamp("2026-11-02 09:00", tz="America/New_York")
    table = pd.DataFrame(
        {"start": [start, start], "end": [start + pd.Timedelta(hours=1)] * 2, "uid": ["a", ""]}
    )
    result = ra.audit_frame(table, model, ra.load_rules(), period)
    assert sorted(result.occurrences["identity"]) == ["", "a\x1f"]


def test_the_json_plan_fits_the_schema(tmp_path):
    import json

    from jsonschema import Draft202012Validator

    from routine_audit.report.json_schema import report_schema, schema_problems

    found = review(tmp_path)
    actual, _ = audited(tmp_path, AFTER, "after")
    for plan in (found, plan_vs_survived(None, actual)):
        document = json.loads(ra.render(ra.build_report(actual, "manager", plan=plan), "json"))
        Draft202012Validator(report_schema()).validate(document)
        assert document["schema_version"] == 3
    assert schema_problems() == []  # the outcomes and sources enums are survival's tables
    (entry,) = document["reps"].values()
    assert entry["plan"] == {
        "snapshot_at": None,
        "source": "created",
        "commitments": [
            {"id": "prospecting", "planned": None, "survived": None, "added": None,
             "survival": None, "planned_ahead": 0.882}  # 27000 / 30600
        ],
        "blocks": [],
    }  # fmt: skip


def test_a_week_without_calendar_data_has_no_plan_section(tmp_path):
    from routine_audit.survival import WeekPlan, review_of

    planned, routine = audited(tmp_path, BEFORE, "before")
    empty, _ = audited(tmp_path, ics(), "after")  # nothing on the calendar at all
    with History(tmp_path / "h.sqlite") as history:
        model = ra.load_routine(routine)
        take_snapshot(history, team="T", result=planned, routine=model, taken_at=BEFORE_WORK)
        plan = week_plan(history, team="T", week="2026-W45", rep="rep@northwind.example")
    assert plan is not None
    assert review_of(WeekPlan(plan), empty) is None  # a gap in the record, not 8 deletions
    assert review_of(None, planned) is None  # no history: no section
    assert review_of(WeekPlan(None), planned).source == "created"


LIMITED = (
    ROUTINE
    + """  - id: admin
    activity: admin
    unit: hours
    per: week
    direction: max
    target: 3
"""
)


def test_a_limit_is_planned_and_shown_but_not_in_the_reps_survival(tmp_path):
    """Admin at most 3 h: its 2 h block is planned and its loss shown, but time lost
    against a limit is no failure: the rep's survival is prospecting's alone."""
    admin = event("ad1", "20261103T140000Z", "20261103T160000Z", "Expenses #admin", OLD)
    before = ics(block("p1", 2, "0900", "1100"), admin)  # 7200 s prospecting + 7200 s admin
    after = ics(block("p1", 2, "0900", "1100"))  # the admin block deleted
    routine = routine_file(tmp_path, LIMITED)
    planned = audit_texts(tmp_path, before, routine, week="2026-W45")
    (tmp_path / "after").mkdir()
    actual = audit_texts(tmp_path / "after", after, routine, week="2026-W45")
    with History(tmp_path / "history.sqlite") as history:
        take_snapshot(history, team="T", result=planned, routine=ra.load_routine(routine),
                      taken_at=BEFORE_WORK)  # fmt: skip
        plan = week_plan(history, team="T", week="2026-W45", rep="rep@northwind.example")
    found = plan_vs_survived(plan, actual)
    by_id = {c.id: c for c in found.commitments}
    assert (by_id["admin"].planned_seconds, by_id["admin"].survived_seconds) == (7200, 0)
    assert by_id["admin"].limit and not by_id["prospecting"].limit
    # 7200 survived of 7200 planned prospecting seconds; admin's 7200 lost are left out
    assert found.survival == 1.0
    report = ra.build_report(actual, "manager", plan=found)
    assert report.plan is not None and report.plan.survival == 1.0
