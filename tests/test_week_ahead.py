"""Issue 20, part 1: the week ahead. A hand-made coming week (2026-W46, Mon 09 Nov to
Sun 15 Nov, Europe/London: GMT in November, so every clock time below is UTC too)
checked before it starts: per commitment what is already blocked out, the days with no
block, short blocks, time lost to meetings booked on top, protected time overlapped,
limits already broken and invitations not yet answered, each figure worked out by hand
in seconds; the lines in the future tense with forward-looking questions; every format
of `plan`. Past-week audits of the same calendar stay as they were (no new kind)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import event, ics, routine_file
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.finding_kinds import KINDS
from routine_audit.report.ahead_view import build_ahead, render_ahead, table_problems
from routine_audit.report.json_schema import report_schema

WEEK = "2026-W46"
REP = "rep@northwind.example"
ROUTINE = """\
timezone: Europe/London
working_hours: {weekdays: "09:00-17:30"}
commitments:
  - {id: prospecting, activity: prospecting, unit: hours, per: day, target: 2, min_block: 60,
     window: {days: weekdays, start: "09:00", end: "12:00"}}
  - {id: gym, activity: personal, unit: blocks, per: week, target: 2, min_block: 60,
     protected: true, window: {days: [tue, thu], start: "07:00", end: "08:30"}}
  - {id: client-meetings, activity: client-meeting, unit: meetings, per: week, target: 3}
  - {id: admin, activity: admin, unit: hours, per: week, target: 3, direction: max,
     window: {days: [fri], start: "13:00", end: "17:30"}}
limits:
  - {id: no-late-meetings, kind: no_meetings_after, time: "18:00", days: weekdays}
"""
INVITED = (
    "ORGANIZER:mailto:lee@northwind.example",
    f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{REP}",
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lee@northwind.example",
)
CALENDAR = ics(
    # prospecting: Mon 2 h, Tue 2 h with a client demo on top of 10:00-10:30, no block
    # on Wed, Thu 1 h 30, Fri 2 h
    event("p-mon", "20261109T090000Z", "20261109T110000Z", "Prospecting"),
    event("p-tue", "20261110T090000Z", "20261110T110000Z", "Prospecting"),
    event("demo", "20261110T100000Z", "20261110T103000Z", "Acme demo"),
    event("p-thu", "20261112T090000Z", "20261112T103000Z", "Prospecting"),
    event("p-fri", "20261113T090000Z", "20261113T110000Z", "Prospecting"),
    # an invitation not answered yet, inside Thursday's prospecting window (11:00-12:00)
    event("sync", "20261112T110000Z", "20261112T123000Z", "Pipeline sync", *INVITED),
    # the gym: Tuesday whole; on Thursday a client breakfast takes 07:30-08:00
    event("gym-tue", "20261110T070000Z", "20261110T080000Z", "Gym"),
    event("gym-thu", "20261112T070000Z", "20261112T080000Z", "Gym"),
    event("breakfast", "20261112T073000Z", "20261112T083000Z", "Initech breakfast demo"),
    # a client dinner after the agreed 18:00 on Wednesday
    event("dinner", "20261111T180000Z", "20261111T190000Z", "Client dinner"),
    # admin on Friday afternoon: 4 h against a 3 h limit
    event("crm", "20261113T130000Z", "20261113T170000Z", "CRM cleanup"),
)
MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(9, 14))
HOUR = 3600


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    calendar = tmp_path / "cal.ics"
    calendar.write_text(CALENDAR, newline="")
    return calendar, routine_file(tmp_path, ROUTINE)


@pytest.fixture
def ahead(files) -> ra.WeekAhead:
    calendar, routine = files
    return ra.plan_week(calendar, ra.load_routine(routine), ra.load_rules(), week=WEEK)


def _plan(files, *args: str):
    calendar, routine = files
    return CliRunner().invoke(
        app, ["plan", "--ics", str(calendar), "--routine", str(routine), "--week", WEEK, *args]
    )


# -- the figures, worked out by hand -------------------------------------------------


def test_prospecting_blocked_out_days_without_block_short_blocks_and_meetings_on_top(ahead):
    c = ahead.commitment("prospecting")
    # Mon 7200 + Tue 7200 - 1800 (the demo takes 10:00-10:30) + Wed 0 + Thu 5400
    # + Fri 7200 = 25200 s = 7 h, of 2 h x 5 committed days = 10 h
    assert c.planned == 25200 / HOUR == 7.0
    assert c.target == 10.0
    # per day: Tue short 1800 s, Wed 7200 s, Thu 1800 s: 10800 s = 3 h still to book
    assert c.gap == 10800 / HOUR
    assert c.days_without_block == (WED,)
    # Tuesday's block is cut in two: 09:00-10:00 (60 min) and 10:30-11:00 (30 min < 60)
    assert c.short_blocks == 1
    assert c.lost_to_meetings_seconds == 1800  # the demo, 10:00-10:30
    assert c.protected_overlapped_seconds == 0
    assert c.unanswered_invitations == 1
    assert not c.blocked_out


def test_protected_gym_overlapped_and_its_days(ahead):
    c = ahead.commitment("gym")
    # Tue 07:00-08:00 is a block; Thu keeps 07:00-07:30 (1800 s < 60 min): no block
    assert (c.planned, c.target, c.gap) == (1.0, 2.0, 1.0)
    assert c.days_without_block == (THU,)
    assert c.short_blocks == 1
    # the breakfast 07:30-08:30 overlaps the gym 07:30-08:00: 1800 s, and takes them
    assert c.protected_overlapped_seconds == 1800
    assert c.lost_to_meetings_seconds == 1800
    assert c.unanswered_invitations == 0  # the invitation is not in the gym's window


def test_meetings_and_a_limit(ahead):
    meetings = ahead.commitment("client-meetings")
    # the demo, the breakfast and the dinner: 3 of 3, nothing left to book
    assert (meetings.planned, meetings.target, meetings.gap) == (3.0, 3.0, 0.0)
    assert meetings.blocked_out and meetings.days_without_block == ()  # a weekly count
    admin = ahead.commitment("admin")
    # 13:00-17:00 = 14400 s = 4 h against a 3 h limit: 1 h over already
    assert (admin.planned, admin.target, admin.gap) == (4.0, 3.0, 1.0)
    assert not admin.blocked_out and admin.days_without_block == ()


def test_the_week_aheads_findings(ahead):
    found = {(f.kind, f.commitment, f.day) for f in ahead.findings}
    assert found == {
        ("under_target", "prospecting", None),
        ("missing_block", "prospecting", WED),
        ("displaced", "prospecting", TUE),
        ("short_blocks", "prospecting", None),
        ("unanswered_invitation", "prospecting", THU),
        ("under_target", "gym", None),
        ("protected_overlap", "gym", THU),
        ("short_blocks", "gym", None),
        ("over_limit", "admin", None),
        ("limit_broken", "no-late-meetings", WED),
    }
    broken = next(f for f in ahead.findings if f.kind == "limit_broken")
    assert broken.detail == "1 h booked after 18:00"  # the dinner, 18:00-19:00


def test_an_invitation_not_answered_inside_a_committed_window(ahead):
    (found,) = [f for f in ahead.findings if f.kind == "unanswered_invitation"]
    # "Pipeline sync" 11:00-12:30 meets the window 09:00-12:00 for 11:00-12:00: 3600 s
    (invitation,) = found.evidence
    assert (invitation.start, invitation.end) == (
        datetime(2026, 11, 12, 11, tzinfo=UTC),
        datetime(2026, 11, 12, 12, 30, tzinfo=UTC),
    )
    assert invitation.seconds == 3600
    assert found.detail == (
        "an invitation not yet answered overlaps the prospecting window 09:00–12:00 by 1 h"
    )


def test_past_audits_do_not_find_the_week_aheads_kind(files):
    calendar, routine = files
    model = ra.load_routine(routine)
    period = ra.audit_period(model, week=WEEK)
    past = ra.audit_calendar(calendar, model, ra.load_rules(), period)
    assert "unanswered_invitation" not in {f.kind for f in past.finding_objects}
    data = ra.load_events(calendar, period, zone=model.zone)
    ahead = ra.audit(data, model, ra.load_rules(), period, tense="ahead")
    kinds = [f.kind for f in ahead.finding_objects]
    assert kinds.count("unanswered_invitation") == 1
    # the rest is the same audit
    assert [k for k in kinds if k != "unanswered_invitation"] == [
        f.kind for f in past.finding_objects
    ]


def test_a_kind_only_a_past_week_shows_is_left_out_of_the_week_ahead():
    assert KINDS["reactive_booking"].tense == "past"
    assert KINDS["unanswered_invitation"].tense == "ahead"
    assert all(kind.ahead_questions for kind in KINDS.values() if kind.ahead)
    assert table_problems() == []  # every kind the week ahead finds has its line


def test_next_week_is_the_default(files):
    calendar, routine = files
    model = ra.load_routine(routine)
    # on Friday 06 Nov 2026, next week is 2026-W46; this week is 2026-W45
    friday = datetime(2026, 11, 6, 15, tzinfo=UTC)
    assert ra.plan_week(calendar, model, now=friday).week == WEEK
    assert ra.plan_week(calendar, model, week="this", now=friday).week == "2026-W45"


# -- in the future tense -------------------------------------------------------------


def test_lines_in_the_future_tense_with_forward_looking_questions(ahead):
    report = build_ahead(ahead, "manager")
    lines = {line.head: line for line in report.lines if line.kind != "short_blocks"}
    assert lines["Wed 11 Nov prospecting"].body == "nothing booked yet"
    assert lines["Wed 11 Nov prospecting"].questions[0] == (
        "Which slot will hold Wednesday's prospecting?"
    )
    assert lines["Tue 10 Nov prospecting"].body == (
        "09:00–11:00 will lose 30 min to a client meeting 10:00–10:30"
    )
    assert lines["Thu 12 Nov gym"].body == (
        "07:00–08:00 will be overlapped for 30 min by a client meeting 07:30–08:30"
    )
    assert lines["Thu 12 Nov prospecting"].body == (
        "an unclassified event 11:00–12:30 is not answered yet; accepted, it would take "
        "1 h of the prospecting window"
    )
    assert lines["Thu 12 Nov prospecting"].questions[0] == (
        "Will you accept, decline or propose another time for the invitation on Thursday?"
    )
    assert lines["prospecting"].body == (
        "7 h of 10 h blocked out; 3 h still to book, short on Tue 10 Nov, Wed 11 Nov, Thu 12 Nov"
    )
    short = next(line for line in report.lines if line.kind == "short_blocks")
    assert short.body == "1 block shorter than 60 min on the calendar"
    assert lines["admin"].body == (
        "4 h already booked against a limit of 3 h: 1 h over before the week starts"
    )
    assert lines["Wed 11 Nov no-late-meetings"].body == (
        "1 h booked after 18:00 already: a client meeting 18:00–19:00"
    )
    # the week as it comes: Tuesday's line before Wednesday's, the week's last
    heads = [line.head for line in report.lines]
    assert heads.index("Tue 10 Nov prospecting") < heads.index("Wed 11 Nov prospecting")
    assert heads[-1] in ("prospecting", "gym", "admin")
    # every finding is told in exactly one line
    told = sorted(i for line in report.lines for i in line.findings)
    assert told == list(range(len(report.report.findings)))


def test_the_owner_reads_titles_a_manager_does_not(ahead):
    owner = {line.head: line.body for line in build_ahead(ahead, "owner").lines}
    assert '"Pipeline sync" 11:00–12:30 is not answered yet' in owner["Thu 12 Nov prospecting"]
    manager = render_ahead(build_ahead(ahead, "manager"), "markdown")
    assert "Pipeline sync" not in manager and "Acme" not in manager


# -- every format, through the command ---------------------------------------------------


def test_plan_table(files):
    result = _plan(files)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "The week ahead 2026-W46" in out
    assert "3 h still to book" in out and "Wed 11 Nov" in out
    assert "Which slot will hold Wednesday's prospecting?" in out


def test_plan_markdown(files):
    result = _plan(files, "--format", "markdown", "--audience", "manager")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# rep@northwind.example: the week ahead 2026-W46\n")
    rows = [
        # commitment, blocked out, target, status, days with no block, short blocks,
        # lost to meetings, protected time overlapped, invitations not answered
        "| prospecting | 7 h | 10 h | 3 h still to book | Wed 11 Nov | 1 | 30 min | n/a | 1 |",
        "| gym | 1 block | 2 blocks | 1 block still to book | Thu 12 Nov | 1 | 30 min | 30 min "
        "| 0 |",
        "| client-meetings | 3 meetings | 3 meetings | booked | n/a | 0 | n/a | n/a | 0 |",
        "| admin | 4 h | 3 h | 1 h over | n/a | 0 | n/a | n/a | 0 |",
    ]
    for row in rows:
        assert row in out
    assert "- **Wed 11 Nov prospecting:** nothing booked yet" in out
    assert "  - Which slot will hold Wednesday's prospecting?" in out


def test_plan_html_draws_the_coming_week(files):
    result = _plan(files, "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "The week ahead" in page and "The coming week on the calendar" in page
    assert '<svg class="calendar"' in page
    for day in ("Mon 09 Nov", "Fri 13 Nov", "Sun 15 Nov"):
        assert day in page
    assert "Which slot will hold Wednesday&#39;s prospecting?" in page


def test_plan_json_has_ahead_and_passes_the_schema(files):
    result = _plan(files, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(Draft202012Validator(report_schema()).iter_errors(document)) == []
    ahead = document["reps"][REP]["ahead"]
    assert ahead["week"] == WEEK
    rows = {c["id"]: c for c in ahead["commitments"]}
    assert rows["prospecting"] == {
        "id": "prospecting",
        "unit": "hours",
        "planned": 7.0,
        "target": 10.0,
        "gap": 3.0,
        "days_without_block": ["2026-11-11"],
        "short_blocks": 1,
        "lost_to_meetings_hours": 0.5,
        "protected_overlapped_hours": 0.0,
        "unanswered_invitations": 1,
    }
    assert rows["gym"]["planned"] == 1 and rows["gym"]["protected_overlapped_hours"] == 0.5
    kinds = [f["kind"] for f in ahead["findings"]]
    assert "unanswered_invitation" in kinds and "limit_broken" in kinds
    missing = next(f for f in ahead["findings"] if f["kind"] == "missing_block")
    assert missing["questions"][0] == "Which slot will hold Wednesday's prospecting?"


def test_plan_csv_one_row_per_commitment(files):
    result = _plan(files, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["commitment"] for r in rows] == ["prospecting", "gym", "client-meetings", "admin"]
    assert rows[0]["days_without_block"] == "2026-11-11"
    assert rows[0]["lost_to_meetings_hours"] == "0.5"
    assert rows[1]["protected_overlapped_hours"] == "0.5"
    assert rows[3]["gap"] == "1.0"


def test_plan_keeps_the_week_ahead_in_the_history(files, tmp_path):
    from routine_audit.history import History

    db = tmp_path / "h.sqlite"
    assert _plan(files, "--db", str(db)).exit_code == 0
    with History(db) as history:
        assert history.weeks(REP, kind="preview") == [WEEK]
        assert history.weeks(REP) == []  # not an audited week


def test_plan_refuses_last_week(files):
    result = _plan(files[:2], "--week", "last")
    assert result.exit_code == 2
    assert "last is behind us" in result.stderr


def test_a_week_with_no_events_yet_has_nothing_blocked_out(tmp_path):
    # the calendar's only event is in the week before: 2026-W46 is empty
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        ics(event("old", "20261102T090000Z", "20261102T110000Z", "Prospecting")), newline=""
    )
    routine = routine_file(tmp_path, ROUTINE)
    ahead = ra.plan_week(calendar, ra.load_routine(routine), week=WEEK)
    assert ahead.coverage.status.value == "empty" and ahead.findings == ()
    c = ahead.commitment("prospecting")
    assert (c.planned, c.gap, c.days_without_block) == (0.0, 10.0, (MON, TUE, WED, THU, FRI))
    assert ahead.commitment("gym").days_without_block == (TUE, THU)
    result = CliRunner().invoke(
        app, ["plan", "--ics", str(calendar), "--routine", str(routine), "--week", WEEK]
    )
    assert result.exit_code == 1
    assert "No events on the calendar for that week yet: nothing is blocked out." in result.stdout
    assert "nothing is blocked out" in result.stderr
