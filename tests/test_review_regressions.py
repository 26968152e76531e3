"""One test per problem found in the first review of the audit pipeline (issue 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, routine_file
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app

runner = CliRunner()


def ics(*events: str) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


def event(uid: str, start: str, end: str, title: str, *extra: str) -> str:
    lines = [f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{title}", *extra]
    return "\r\n".join(lines)


def audit(tmp_path: Path, calendar: str | list[str], routine: Path, **period):
    paths = []
    for index, text in enumerate([calendar] if isinstance(calendar, str) else calendar):
        path = tmp_path / f"cal{index}.ics"
        path.write_text(text, newline="")
        paths.append(path)
    model = ra.load_routine(routine)
    return ra.audit_calendar(paths, model, ra.load_rules(), ra.audit_period(model, **period))


UTC_ROUTINE = """timezone: UTC
working_hours: {weekdays: "09:00-17:00"}
commitments:
  - {id: admin, activity: admin, unit: hours, per: week, target: 3, direction: max,
     window: {days: [fri], start: "13:00", end: "17:00"}}
  - {id: prospecting, activity: prospecting, unit: hours, per: day, target: 2,
     window: {days: weekdays, start: "09:00", end: "12:00"}}
"""


def test_weekly_limit_over_a_short_period_is_prorated_by_length(tmp_path):
    calendar = ics(event("a", "20261116T100000Z", "20261116T110000Z", "CRM update"))
    result = audit(
        tmp_path,
        calendar,
        routine_file(tmp_path, UTC_ROUTINE),
        start="2026-11-16",
        end="2026-11-18",
    )
    admin = result.commitments.set_index("id").loc["admin"]
    assert admin["target"] == pytest.approx(3 * 3 / 7)
    assert admin["gap"] < 0
    assert "over_limit" not in {f.kind for f in result.finding_list}


def test_same_event_in_two_files_counts_once_even_when_one_copy_moved(tmp_path):
    stale = ics(event("one", "20261116T090000Z", "20261116T100000Z", "Follow up calls"))
    fresh = ics(event("one", "20261116T093000Z", "20261116T103000Z", "Follow up calls"))
    result = audit(tmp_path, [stale, fresh], routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    assert result.daily["hours"].sum() == 1.0
    assert result.occurrences["start"].iloc[0].hour == 9  # the first file given wins


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            "UID:neg\r\nDTSTART:20261117T100000Z\r\nDTEND:20261117T090000Z",
            "DTEND is before DTSTART",
        ),
        ("UID:dur\r\nDTSTART:20261117T100000Z\r\nDURATION:-PT1H", "DURATION is negative"),
        ("UID:mix\r\nDTSTART:20261117T100000Z\r\nDTEND;VALUE=DATE:20261118", "different types"),
        (
            "UID:sec\r\nDTSTART:20261117T100000Z\r\nDTEND:20261117T100001Z\r\nRRULE:FREQ=SECONDLY",
            "too often",
        ),
    ],
)
def test_malformed_times_are_skipped_and_reported(tmp_path, bad, message):
    calendar = ics(
        bad + "\r\nSUMMARY:Prospecting", event("ok", "20261117T130000Z", "20261117T140000Z", "Sync")
    )
    result = audit(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    assert result.incomplete
    assert message in str(result.problems[0])
    assert result.daily["hours"].sum() == 1.0


def test_only_the_reps_own_absences_remove_targets(tmp_path):
    calendar = ics(
        "UID:sam\r\nDTSTART;VALUE=DATE:20261116\r\nDTEND;VALUE=DATE:20261117\r\n"
        "SUMMARY:Sam out of office\r\nORGANIZER:mailto:sam@northwind.example\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:rep@northwind.example",
        "UID:party\r\nDTSTART;VALUE=DATE:20261117\r\nDTEND;VALUE=DATE:20261118\r\n"
        "SUMMARY:Holiday party RSVP deadline",
        "UID:mine\r\nDTSTART;VALUE=DATE:20261118\r\nDTEND;VALUE=DATE:20261119\r\n"
        "SUMMARY:Out of office",
    )
    result = audit(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    assert result.commitments.set_index("id").loc["prospecting", "target"] == 8.0  # only Wed off
    assert any("Wed 18 Nov" in note and "Mon 16 Nov" not in note for note in result.notes)


def test_empty_ics_path_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["audit", "--ics", "", "--routine", str(FIXTURES / "rep_ny.yaml")])
    assert result.exit_code == 2 and "empty path" in result.stderr


def test_a_routine_without_rep_cannot_be_audited(tmp_path):
    team_default = tmp_path / "team.yaml"
    team_default.write_text("kind: routine\nversion: 1\ntimezone: UTC\n")
    args = ["audit", "--ics", str(FIXTURES / "overlaps.ics"), "--routine", str(team_default)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "rep.email" in result.stderr


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("timezone: UTC\nholidays: [2026-02-30]\n", "not valid YAML"),
        ("timezone: UTC\ncommitments: [{id: x, activity: x, target: .inf}]\n", "target"),
        ("timezone: UTC\nholidays: [2026-13-01]\n", "not valid YAML"),
    ],
)
def test_bad_values_are_one_line_errors(tmp_path, yaml_text, message):
    path = routine_file(tmp_path, yaml_text)
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("output", ["", "."])
def test_bad_output_paths_are_usage_errors(tmp_path, output, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [
        "audit",
        "--ics",
        str(FIXTURES / "overlaps.ics"),
        "--routine",
        str(FIXTURES / "rep_ny.yaml"),
    ]
    result = runner.invoke(app, [*args, "--week", "2026-W45", "--output", output])
    assert (result.exit_code == 2 and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    assert "Traceback" not in result.output


def test_rules_init_on_a_file_and_far_away_years(tmp_path):
    existing = tmp_path / "a.ics"
    existing.write_text("x")
    result = runner.invoke(app, ["rules", "init", str(existing)])
    assert result.exit_code == 2 and "not a folder" in result.stderr
    args = [
        "audit",
        "--ics",
        str(FIXTURES / "overlaps.ics"),
        "--routine",
        str(FIXTURES / "rep_ny.yaml"),
    ]
    for start, end in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")):
        result = runner.invoke(app, [*args, "--start", start, "--end", end])
        assert result.exit_code == 2 and "1900-2199" in result.stderr


def test_windows_are_found_when_the_audit_zone_is_a_day_away(tmp_path):
    routine = tmp_path / "pago.yaml"
    routine.write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\n"
        "timezone: Pacific/Pago_Pago\n"
        "commitments:\n  - {id: p, activity: prospecting, unit: hours, target: 5,"
        " window: {days: daily, start: '00:00', end: '24:00'}}\n"
    )
    calendar = ics(event("x", "20260302T103000Z", "20260302T113000Z", "Prospecting"))
    result = audit(tmp_path, calendar, routine, week="2026-W10", tz="Pacific/Kiritimati")
    assert "outside_window" not in {f.kind for f in result.finding_list}
    assert ra.load_routine(routine).commitments[0].window.end.hour == 23  # unquoted 24:00 works


def test_a_surplus_day_does_not_hide_a_missed_day(tmp_path):
    calendar = ics(
        *(
            event(f"p{d}", f"202611{d}T090000Z", f"202611{d}T113000Z", "Prospecting")
            for d in (17, 18, 19, 20)
        )
    )
    result = audit(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    prospecting = result.commitments.set_index("id").loc["prospecting"]
    assert prospecting["scheduled"] == 10.0
    assert prospecting["gap"] == 2.0  # Monday's two hours are missing
    assert "under_target" in {f.kind for f in result.finding_list}


def test_daily_targets_leave_out_limits(tmp_path):
    calendar = ics(event("a", "20261120T130000Z", "20261120T140000Z", "CRM update"))
    result = audit(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    admin = result.daily[result.daily["activity"] == "admin"]
    assert admin["target_hours"].isna().all()


def test_all_day_events_keep_their_dates_under_another_audit_zone(tmp_path):
    calendar = ics(
        "UID:pto\r\nDTSTART;VALUE=DATE:20261118\r\nDTEND;VALUE=DATE:20261119\r\nSUMMARY:Dentist day"
    )
    result = audit(
        tmp_path,
        calendar,
        routine_file(tmp_path, UTC_ROUTINE),
        week="2026-W47",
        tz="America/Los_Angeles",
    )
    start = result.occurrences["start"].iloc[0]
    assert start.date() == date(2026, 11, 18) and start.hour == 0


def test_a_moved_instance_keeps_its_series_privacy(tmp_path):
    calendar = ics(
        "UID:s\r\nDTSTART:20261116T170000Z\r\nDTEND:20261116T180000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
        "CLASS:PRIVATE\r\nSUMMARY:Therapy",
        "UID:s\r\nRECURRENCE-ID:20261117T170000Z\r\nDTSTART:20261117T190000Z\r\nDTEND:20261117T200000Z\r\n"
        "SUMMARY:Therapy",
    )
    path = routine_file(tmp_path, UTC_ROUTINE + "share_titles: true\n")
    result = audit(tmp_path, calendar, path, week="2026-W47")
    report = ra.build_report(result, "manager")
    assert all(o.title is None for o in report.occurrences)
    assert "Therapy" not in ra.render_events(report, "csv") + json.dumps(ra.render(report, "json"))
