"""The audit engine on hand-made .ics files with exact expected minutes."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from conftest import FIXTURES, audit_texts, event, ics, routine_file, run_audit

import routine_audit as ra


def hours_by(result, day: str, activity: str) -> float:
    daily = result.daily
    row = daily[(daily["date"] == date.fromisoformat(day)) & (daily["activity"] == activity)]
    return float(row["hours"].sum())


def commitment(result, cid: str):
    return result.commitments.set_index("id").loc[cid]


def kinds(result) -> set[tuple[str, str | None]]:
    return {(f.kind, f.commitment) for f in result.finding_objects}


def test_dst_end_day_has_25_hours_and_is_counted_in_real_time():
    result = run_audit("dst_berlin.ics", "rep_berlin.yaml", start="2026-10-24", end="2026-10-25")
    # 22:00 Sat -> 06:00 Sun in Berlin spans the fall-back hour: 2 h on Saturday, 7 h on Sunday
    assert hours_by(result, "2026-10-24", "other") == 2.0
    assert hours_by(result, "2026-10-25", "other") == 7.0
    # a daily 09:00 series keeps its local time across the change
    prospecting = result.occurrences[result.occurrences["activity"] == "prospecting"]
    starts = sorted(prospecting["start"])
    assert [s.isoformat() for s in starts] == [
        "2026-10-24T09:00:00+02:00",
        "2026-10-25T09:00:00+01:00",
    ]
    assert hours_by(result, "2026-10-25", "prospecting") == 1.0


def test_recurring_series_with_excluded_moved_and_cancelled_instances():
    result = run_audit("series_exceptions.ics", "rep_ny.yaml", week="2026-W45")
    prospecting = commitment(result, "prospecting")
    assert prospecting["scheduled"] == pytest.approx(6.0)  # Mon, moved Wed, Fri
    assert prospecting["target"] == pytest.approx(10.0)
    assert prospecting["gap"] == pytest.approx(4.0)
    assert prospecting["outside_window_hours"] == pytest.approx(2.0)  # Wed moved to 13:00
    assert prospecting["blocks"] == 3
    assert hours_by(result, "2026-11-03", "prospecting") == 0.0  # EXDATE
    assert hours_by(result, "2026-11-04", "prospecting") == 2.0  # moved, still counted
    cancelled = result.occurrences[result.occurrences["reason"] == "cancelled"]
    assert [s.date() for s in cancelled["start"]] == [date(2026, 11, 5)]
    missing = {f.day for f in result.finding_objects if f.kind == "missing_block"}
    assert missing == {date(2026, 11, 3), date(2026, 11, 5)}
    assert ("outside_window", "prospecting") in kinds(result)
    monday = result.occurrences[result.occurrences["start"].map(lambda s: s.day) == 2]
    assert monday["start"].iloc[0] == datetime.fromisoformat("2026-11-02T09:00:00-05:00")


def test_overlaps_give_every_second_one_owner():
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    # a client call inside the prospecting block takes its minutes; declined and free events don't
    assert hours_by(result, "2026-11-02", "prospecting") == 1.25
    assert hours_by(result, "2026-11-02", "client-meeting") == 0.75
    displaced = [f for f in result.finding_objects if f.kind == "displaced"]
    assert len(displaced) == 1
    assert displaced[0].evidence[0].seconds == 45 * 60
    assert [o.seconds for o in displaced[0].obstacles] == [45 * 60]
    assert commitment(result, "prospecting")["short_blocks"] == 2
    # between two other events the earlier one keeps the overlap
    tuesday = result.occurrences[result.occurrences["start"].map(lambda s: s.day) == 3]
    assert sorted(tuesday["counted_hours"]) == [1.0, 1.0]
    assert hours_by(result, "2026-11-03", "other") == 2.0
    # no second is counted twice
    assert result.occurrences["counted_hours"].sum() == pytest.approx(result.daily["hours"].sum())


def test_midnight_crossing_event_is_split_and_breaks_the_evening_limit():
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    assert hours_by(result, "2026-11-04", "other") == 2.0
    assert hours_by(result, "2026-11-05", "other") == 2.0
    broken = [f for f in result.finding_objects if f.kind == "limit_broken"]
    assert [(f.day, f.commitment) for f in broken] == [(date(2026, 11, 4), "no-late-meetings")]
    assert "2 h" in broken[0].detail


def test_not_counted_reasons_and_held_time_notes():
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    reasons = result.occurrences.set_index("uid")["reason"].to_dict()
    assert reasons["declined@test"] == "declined"
    assert reasons["free@test"] == "free"
    assert reasons["holiday@test"] == "all-day"
    assert reasons["tentative@test"] == "tentative"
    assert result.occurrences.set_index("uid").loc["tentative@test", "counted_hours"] == 1.0
    assert any("tentative" in note for note in result.notes)


def test_reactive_booking_uses_working_hours_of_notice():
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    assert result.health.reactive_meetings == 1
    assert result.health.meetings_with_created == 1
    assert ("reactive_booking", None) in kinds(result)


def test_outlook_display_names_windows_ids_duration_and_floating_times():
    result = run_audit("outlook_display_name.ics", "rep_ny.yaml", week="2026-W45")
    starts = sorted(s.isoformat() for s in result.occurrences["start"])
    assert starts == [
        "2026-11-02T09:00:00-05:00",
        "2026-11-03T09:00:00-05:00",
        "2026-11-04T09:00:00-05:00",  # floating: taken in the routine's zone
    ]
    assert commitment(result, "prospecting")["scheduled"] == pytest.approx(1.5 + 0.75 + 1.0)
    assert not result.problems


def test_audit_zone_moves_hours_between_days_but_not_the_weekly_total():
    ny = run_audit("series_exceptions.ics", "rep_ny.yaml", week="2026-W45")
    tokyo = run_audit("series_exceptions.ics", "rep_ny.yaml", week="2026-W45", tz="Asia/Tokyo")
    # 09:00-11:00 New York is 23:00-01:00 Tokyo: each block is split over two Tokyo days
    assert commitment(ny, "prospecting")["scheduled"] == 6.0
    assert hours_by(tokyo, "2026-11-02", "prospecting") == 1.0
    assert hours_by(tokyo, "2026-11-03", "prospecting") == 1.0
    assert hours_by(tokyo, "2026-11-07", "prospecting") == 1.0  # Friday's block ends on Saturday
    assert tokyo.daily["hours"].sum() == ny.daily["hours"].sum()
    # windows stay in the routine's zone: the moved Wednesday block is still outside its window
    assert commitment(tokyo, "prospecting")["outside_window_hours"] == pytest.approx(2.0)


def test_one_bad_event_is_skipped_and_reported():
    result = run_audit("bad_event.ics", "rep_ny.yaml", week="2026-W45")
    assert result.incomplete
    assert len(result.problems) == 1
    problem = str(result.problems[0])
    assert "bad_event.ics" in problem and "Broken date" in problem  # its title, not its UID
    assert "bad@test" not in problem
    assert commitment(result, "prospecting")["scheduled"] == 1.0


def test_commitments_that_cannot_fit_are_flagged_not_achievable():
    result = run_audit("fragmented.ics", "overbooked.yaml", week="2026-W45")
    details = {
        (f.commitment, f.detail) for f in result.finding_objects if f.kind == "not_achievable"
    }
    assert ("prospecting", "4 h a day does not fit its 3 h window inside working hours") in details
    assert ("deep-admin", "no working day falls in its window") in details
    assert ("evening-calls", "its window lies outside working hours") in details
    # 4 h + 5 h a day in 8 working hours
    assert any(c is None and d.startswith("Mon: 9 h") for c, d in details)


def test_a_day_cut_into_small_gaps_is_fragmented():
    result = run_audit("fragmented.ics", "overbooked.yaml", week="2026-W45")
    fragmented = [f for f in result.finding_objects if f.kind == "fragmentation"]
    # Monday: 5.5 h free in 6 gaps of at most 1 h, but the longest minimum block is 120 min
    assert [f.day for f in fragmented] == [date(2026, 11, 2)]
    assert "5 h 30 min free" in fragmented[0].detail
    # the other weekdays are empty, so not fragmented
    assert result.health.fragmented_days == 1


def test_holidays_remove_committed_days_and_prorate_weekly_targets(tmp_path):
    routine = (FIXTURES / "rep_ny.yaml").read_text() + "holidays: [2026-11-03]\n"
    (tmp_path / "rep.yaml").write_text(routine)
    model = ra.load_routine(tmp_path / "rep.yaml")
    period = ra.period_for(model, week="2026-W45")
    result = ra.audit_calendar(FIXTURES / "series_exceptions.ics", model, ra.load_rules(), period)
    table = result.commitments.set_index("id")
    assert table.loc["prospecting", "target"] == 8.0  # four committed days
    assert table.loc["client-meetings", "target"] == 4.0  # 5 a week x 4/5
    missing = {f.day for f in result.finding_objects if f.kind == "missing_block"}
    assert date(2026, 11, 3) not in missing


def test_a_meeting_in_an_empty_protected_window_is_found_in_a_week_without_overlaps(tmp_path):
    """No two events overlap all week, yet a meeting fills Tuesday's gym window (and no gym
    block was booked): the protected window was intruded on, whatever else the week holds."""
    calendar = tmp_path / "week.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:breakfast\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=Europe/London:20261103T071500\r\n"
        "DTEND;TZID=Europe/London:20261103T081500\r\nSUMMARY:Client breakfast\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:gym-thu\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=Europe/London:20261105T070000\r\n"
        "DTEND;TZID=Europe/London:20261105T080000\r\nSUMMARY:Gym\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    from routine_audit.config import package_data

    sample = package_data("sample")
    routine = ra.load_routine(sample / "dana.yaml")
    period = ra.period_for(routine, week="2026-W45")
    result = ra.audit_calendar(calendar, routine, ra.load_rules(), period)
    intrusions = [f for f in result.finding_objects if f.kind == "protected_overlap"]
    assert [(f.commitment, f.day) for f in intrusions] == [("gym", date(2026, 11, 3))]
    assert [e.seconds for e in intrusions[0].obstacles] == [3600]  # all inside 07:00-08:30


# Found in the first review of the audit pipeline (issue 3; was test_review_regressions.py)

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
    result = audit_texts(
        tmp_path,
        calendar,
        routine_file(tmp_path, UTC_ROUTINE),
        start="2026-11-16",
        end="2026-11-18",
    )
    admin = result.commitments.set_index("id").loc["admin"]
    assert admin["target"] == pytest.approx(3 * 3 / 7)
    assert admin["gap"] < 0
    assert "over_limit" not in {f.kind for f in result.finding_objects}


def test_same_event_in_two_files_counts_once_even_when_one_copy_moved(tmp_path):
    stale = ics(event("one", "20261116T090000Z", "20261116T100000Z", "Follow up calls"))
    fresh = ics(event("one", "20261116T093000Z", "20261116T103000Z", "Follow up calls"))
    result = audit_texts(
        tmp_path, [stale, fresh], routine_file(tmp_path, UTC_ROUTINE), week="2026-W47"
    )
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
    result = audit_texts(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
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
    result = audit_texts(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    assert result.commitments.set_index("id").loc["prospecting", "target"] == 8.0  # only Wed off
    assert any("Wed 18 Nov" in note and "Mon 16 Nov" not in note for note in result.notes)


def test_windows_are_found_when_the_audit_zone_is_a_day_away(tmp_path):
    routine = tmp_path / "pago.yaml"
    routine.write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\n"
        "timezone: Pacific/Pago_Pago\n"
        "commitments:\n  - {id: p, activity: prospecting, unit: hours, target: 5,"
        " window: {days: daily, start: '00:00', end: '24:00'}}\n"
    )
    calendar = ics(event("x", "20260302T103000Z", "20260302T113000Z", "Prospecting"))
    result = audit_texts(tmp_path, calendar, routine, week="2026-W10", tz="Pacific/Kiritimati")
    assert "outside_window" not in {f.kind for f in result.finding_objects}
    assert ra.load_routine(routine).commitments[0].window.end.hour == 23  # unquoted 24:00 works


def test_a_surplus_day_does_not_hide_a_missed_day(tmp_path):
    calendar = ics(
        *(
            event(f"p{d}", f"202611{d}T090000Z", f"202611{d}T113000Z", "Prospecting")
            for d in (17, 18, 19, 20)
        )
    )
    result = audit_texts(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    prospecting = result.commitments.set_index("id").loc["prospecting"]
    assert prospecting["scheduled"] == 10.0
    assert prospecting["gap"] == 2.0  # Monday's two hours are missing
    assert "under_target" in {f.kind for f in result.finding_objects}


def test_daily_targets_leave_out_limits(tmp_path):
    calendar = ics(event("a", "20261120T130000Z", "20261120T140000Z", "CRM update"))
    result = audit_texts(tmp_path, calendar, routine_file(tmp_path, UTC_ROUTINE), week="2026-W47")
    admin = result.daily[result.daily["activity"] == "admin"]
    assert admin["target_hours"].isna().all()


def test_all_day_events_keep_their_dates_under_another_audit_zone(tmp_path):
    calendar = ics(
        "UID:pto\r\nDTSTART;VALUE=DATE:20261118\r\nDTEND;VALUE=DATE:20261119\r\nSUMMARY:Dentist day"
    )
    result = audit_texts(
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
    result = audit_texts(tmp_path, calendar, path, week="2026-W47")
    report = ra.build_report(result, "manager")
    assert all(o.title is None for o in report.occurrences)
    assert "Therapy" not in ra.render_events(report, "csv") + json.dumps(ra.render(report, "json"))
