"""Issue 15, section 1, "Coverage": every rep's audit says what its calendar data can
tell (ok, stale, empty, free_busy), in JSON (schema_version 2, now 3) and in every report.

Week 2021-W14 is Mon 2021-04-05 .. Sun 2021-04-11 in Europe/London (the sample
routines' zone, GMT until 2021-03-28). The stale line is 14 days before the first day:
2021-03-22 00:00 London = 2021-03-22T00:00Z. Dates below are worked out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from contract_calendar import WORKING, audit, row
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app

SAMPLE = Path(ra.__file__).parent / "data" / "sample"
ROUTINE = SAMPLE / "dana.yaml"
SCHEMA = json.loads((Path(ra.__file__).parent / "data" / "report.schema.json").read_text())
WEEK = "2021-W14"
runner = CliRunner()


def ics(tmp_path: Path, *events: str, name: str = "cal.ics") -> Path:
    """A calendar of VEVENT bodies (each without BEGIN/END lines)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    path = tmp_path / name
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{body}END:VCALENDAR\n")
    return path


def event(uid: str, start: str, end: str, summary: str = "Client call", extra: str = "") -> str:
    return f"UID:{uid}\nDTSTART:{start}\nDTEND:{end}\nSUMMARY:{summary}\n{extra}"


OLD = event("old@t", "20210301T090000Z", "20210301T100000Z")


def audit_json(calendar: Path, week: str = WEEK, *extra: str):
    args = ["audit", "--ics", str(calendar), "--routine", str(ROUTINE), "--week", week]
    result = runner.invoke(app, [*args, "--format", "json", *extra])
    document = json.loads(result.stdout)
    Draft202012Validator(SCHEMA).validate(document)  # every document here fits the schema
    assert document["schema_version"] == 3
    return result, document["reps"]["dana@northwind.example"]


def test_a_calendar_whose_newest_event_ends_before_the_stale_line_is_stale(tmp_path):
    # newest: Fri 2021-03-19 15:00-16:00Z, before 2021-03-22T00:00Z
    calendar = ics(tmp_path, OLD, event("new@t", "20210319T150000Z", "20210319T160000Z"))
    _, rep = audit_json(calendar)
    coverage = rep["coverage"]
    assert coverage["status"] == "stale"
    assert coverage["events_in_period"] == 0
    assert (coverage["first_event"], coverage["last_event"]) == ("2021-03-01", "2021-03-19")
    # the note is prose (issue 17): days written as reports write them, with the year
    assert "Fri 19 Mar 2021" in coverage["note"] and "Mon 22 Mar 2021" in coverage["note"]


def test_an_event_ending_exactly_on_the_stale_line_is_stale_one_after_it_is_empty(tmp_path):
    # ends 2021-03-22T00:00Z: 14 days before the first day exactly, so stale; its last
    # second is on Sunday 2021-03-21, the day reported
    on_line = event("line@t", "20210321T230000Z", "20210322T000000Z")
    _, rep = audit_json(ics(tmp_path, OLD, on_line))
    assert rep["coverage"]["status"] == "stale"
    assert rep["coverage"]["last_event"] == "2021-03-21"
    later = event("later@t", "20210321T233000Z", "20210322T003000Z")  # ends 00:30 on the 22nd
    _, rep = audit_json(ics(tmp_path, OLD, later, name="later.ics"))
    assert rep["coverage"]["status"] == "empty"
    assert rep["coverage"]["last_event"] == "2021-03-22"


def test_a_quiet_week_of_a_live_calendar_is_empty_and_names_the_next_event(tmp_path):
    # newest before the week: Fri 2021-03-26 (after the stale line); next after: 2021-04-13
    calendar = ics(
        tmp_path,
        OLD,
        event("mar26@t", "20210326T150000Z", "20210326T160000Z"),
        event("apr13@t", "20210413T090000Z", "20210413T100000Z"),
    )
    _, rep = audit_json(calendar)
    coverage = rep["coverage"]
    assert coverage["status"] == "empty"
    assert (coverage["first_event"], coverage["last_event"]) == ("2021-03-01", "2021-03-26")
    assert "next event after it starts Tue 13 Apr 2021" in coverage["note"]


def test_an_endless_series_that_starts_after_the_week_makes_it_empty_not_stale(tmp_path):
    series = event("weekly@t", "20210503T090000Z", "20210503T100000Z", extra="RRULE:FREQ=WEEKLY")
    _, rep = audit_json(ics(tmp_path, OLD, series))
    assert rep["coverage"]["status"] == "empty"  # its occurrences end after the line
    assert rep["coverage"]["last_event"] == "2021-03-01"  # the newest before the week
    assert "Mon 03 May 2021" in rep["coverage"]["note"]


def test_a_calendar_without_any_event_is_empty(tmp_path):
    path = tmp_path / "none.ics"
    path.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nEND:VCALENDAR\n")
    _, rep = audit_json(path)
    assert rep["coverage"]["status"] == "empty"
    assert rep["coverage"]["first_event"] is None and rep["coverage"]["last_event"] is None
    assert "holds no events" in rep["coverage"]["note"]


def test_occurrences_of_any_kind_count_a_week_off_is_ok(tmp_path):
    # an all-day "Out of office" Mon-Fri (DTEND is exclusive: the 10th), a cancelled
    # meeting and a declined one: three occurrences, the week is ok (with its days off)
    calendar = ics(
        tmp_path,
        "UID:ooo@t\nDTSTART;VALUE=DATE:20210405\nDTEND;VALUE=DATE:20210410\nSUMMARY:Out of office",
        event("cx@t", "20210406T100000Z", "20210406T110000Z", extra="STATUS:CANCELLED"),
        event(
            "dec@t",
            "20210407T100000Z",
            "20210407T110000Z",
            extra="ATTENDEE;PARTSTAT=DECLINED:mailto:dana@northwind.example",
        ),
    )
    result, rep = audit_json(calendar)
    assert result.exit_code == 0, result.stderr
    coverage = rep["coverage"]
    assert coverage["status"] == "ok"
    assert coverage["events_in_period"] == 3
    # the first starts Mon 2021-04-05; the last second of the all-day event is on Fri the 9th
    assert (coverage["first_event"], coverage["last_event"]) == ("2021-04-05", "2021-04-09")


def test_an_ics_of_busy_blocks_only_is_free_busy_and_its_commitments_are_not_judged(tmp_path):
    calendar = ics(
        tmp_path,
        event("b1@t", "20210405T090000Z", "20210405T120000Z", summary="Busy"),
        event("b2@t", "20210406T130000Z", "20210406T140000Z", summary="tentative"),
        "UID:b3@t\nDTSTART:20210407T090000Z\nDTEND:20210407T100000Z",  # no SUMMARY at all
    )
    result, rep = audit_json(calendar)
    assert rep["coverage"]["status"] == "free_busy"
    assert rep["coverage"]["events_in_period"] == 3
    assert "`other`" in rep["coverage"]["note"]
    # commitments cannot be seen in busy blocks: not judged, never "short" (today: short)
    assert {c["status"] for c in rep["commitments"]} == {"not_judged"}
    assert all(c["adherence"] is None for c in rep["commitments"])
    # only what needs no classification is judged
    assert {f["kind"] for f in rep["findings"]} <= {"not_achievable", "fragmentation"}
    assert result.exit_code == 0  # the week has data: it is audited, not a failure


def test_one_description_makes_a_calendar_more_than_free_busy(tmp_path):
    calendar = ics(
        tmp_path,
        event("b1@t", "20210405T090000Z", "20210405T120000Z", summary="Busy"),
        event("b2@t", "20210406T090000Z", "20210406T100000Z", "Busy", "DESCRIPTION:agenda"),
    )
    _, rep = audit_json(calendar)
    assert rep["coverage"]["status"] == "ok"


def test_every_report_format_has_a_coverage_line(tmp_path):
    calendar = ics(tmp_path, OLD, event("new@t", "20210319T150000Z", "20210319T160000Z"))
    base = ["audit", "--ics", str(calendar), "--routine", str(ROUTINE), "--week", WEEK]
    for fmt in ("table", "markdown"):
        text = runner.invoke(app, [*base, "--format", fmt]).stdout
        assert "Calendar coverage" in text and "stale" in text, fmt
    html = runner.invoke(app, [*base, "--format", "html"]).stdout
    assert "Calendar coverage" in html and "nothing is judged" in html
    sample = ["audit", "--ics", str(SAMPLE / "dana.ics"), "--routine", str(ROUTINE)]
    ok = runner.invoke(app, [*sample, "--week", "2026-W45"]).stdout
    assert "Calendar coverage: ok: 23 events in the period" in " ".join(ok.split())


def test_the_sample_week_is_ok():
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    result = ra.audit_calendar(SAMPLE / "dana.ics", routine, ra.load_rules(), period)
    assert result.coverage.status == "ok"
    assert result.coverage.first_event.isoformat() == "2026-11-02"


def test_coverage_flows_through_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    calendar = ics(tmp_path, OLD, event("new@t", "20210319T150000Z", "20210319T160000Z"))
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week=WEEK)
    first = ra.audit_calendar(calendar, routine, ra.load_rules(), period)
    again = ra.audit_calendar(calendar, routine, ra.load_rules(), period)
    assert (tmp_path / "cache" / "source-audit").is_dir()
    assert again.coverage == first.coverage and again.coverage.status == "stale"
    # entries written before coverage existed are never read: keys cover the code


@pytest.mark.parametrize("audience", ["owner", "manager"])
def test_the_json_schema_requires_coverage(tmp_path, audience):
    calendar = ics(tmp_path, event("in@t", "20210405T090000Z", "20210405T100000Z"))
    _, rep = audit_json(calendar, WEEK, "--audience", audience)
    assert set(rep["coverage"]) == {
        "status",
        "events_in_period",
        "first_event",
        "last_event",
        "note",
    }
    assert "coverage" in SCHEMA["$defs"]["rep"]["required"]


def test_a_table_is_its_own_whole_calendar(tmp_path):
    import pandas as pd

    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week=WEEK)
    london = "Europe/London"
    table = pd.DataFrame(
        {
            "start": pd.to_datetime(["2021-03-01 09:00", "2021-03-19 15:00"]).tz_localize(london),
            "end": pd.to_datetime(["2021-03-01 10:00", "2021-03-19 16:00"]).tz_localize(london),
            "summary": ["Client call", "Client call"],
        }
    )
    result = ra.audit_frame(table, routine, ra.load_rules(), period)
    assert result.coverage.status == "stale"  # ends Fri 2021-03-19, before Mon 03-22
    assert result.coverage.last_event.isoformat() == "2021-03-19"
    assert result.finding_objects == []


# Review of issue 15: a week of all-day "Out of office" is `ok` with its days off,
# never `free_busy` (docs/audit.md, "Evidence: coverage").
#
# The .ics free/busy test (no DESCRIPTION, every SUMMARY a busy/free word) also held for a
# calendar whose only events in the period are all-day absences titled "Out of office":
# the rep's week off was reported as "seen only as busy/free blocks". All-day events are
# markers, not blocks: only timed occurrences can show a calendar is busy/free only.
#
# Week 2026-W45 is Mon 2 .. Sun 8 Nov 2026, Europe/London.
# (Was tests/test_review15_week_off_is_not_free_busy.py.)

PROSPECTING = WORKING + (
    "commitments:\n  - {id: p, activity: prospecting, unit: hours, per: week, target: 5}\n"
)
WEEK_OFF = [("Out of office", "2026-11-02", "2026-11-07")]  # Mon..Fri, end exclusive


def test_a_week_of_all_day_out_of_office_is_ok_with_its_days_off(tmp_path):
    result = audit(tmp_path, PROSPECTING, WEEK_OFF)
    assert result.coverage.status == "ok"
    assert result.coverage.events_in_period == 1
    # five days off of five committed: target 5 h x 0 / 5 = 0, nothing due, met
    p = row(result, "p")
    assert (p["target"], p["scheduled"], p["gap"]) == (0.0, 0.0, 0.0)


def test_timed_busy_blocks_beside_a_day_off_are_still_free_busy(tmp_path):
    events = [
        ("Out of office", "2026-11-02", "2026-11-03"),
        ("Busy", "2026-11-03 10:00", "2026-11-03 11:00"),
    ]
    result = audit(tmp_path, PROSPECTING, events)
    assert result.coverage.status == "free_busy"
