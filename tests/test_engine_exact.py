"""The audit engine on hand-made .ics files with exact expected minutes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import run_audit


def hours_by(result, day: str, activity: str) -> float:
    daily = result.daily
    row = daily[(daily["date"] == date.fromisoformat(day)) & (daily["activity"] == activity)]
    return float(row["hours"].sum())


def commitment(result, cid: str):
    return result.commitments.set_index("id").loc[cid]


def kinds(result) -> set[tuple[str, str | None]]:
    return {(f.kind, f.commitment) for f in result.finding_list}


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
    missing = {f.day for f in result.finding_list if f.kind == "missing_block"}
    assert missing == {date(2026, 11, 3), date(2026, 11, 5)}
    assert ("outside_window", "prospecting") in kinds(result)
    monday = result.occurrences[result.occurrences["start"].map(lambda s: s.day) == 2]
    assert monday["start"].iloc[0] == datetime.fromisoformat("2026-11-02T09:00:00-05:00")


def test_overlaps_give_every_second_one_owner():
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    # a client call inside the prospecting block takes its minutes; declined and free events don't
    assert hours_by(result, "2026-11-02", "prospecting") == 1.25
    assert hours_by(result, "2026-11-02", "client-meeting") == 0.75
    displaced = [f for f in result.finding_list if f.kind == "displaced"]
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
    broken = [f for f in result.finding_list if f.kind == "limit_broken"]
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
    assert "bad_event.ics" in problem and "bad@test" in problem
    assert commitment(result, "prospecting")["scheduled"] == 1.0
