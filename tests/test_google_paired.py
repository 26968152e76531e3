"""The same week of one rep's calendar, exported as .ics and read through the API, audits alike.

tests/fixtures/google/paired_week.ics is the week as Google exports it:
X-WR-TIMEZONE, single events in UTC, a series in UTC whose first instance was
in summer time (so only X-WR-TIMEZONE keeps it at 09:00 in November), a
series with a TZID, a moved instance (RECURRENCE-ID), a cancelled instance
(EXDATE), an all-day day off, a declined and a tentative meeting, and a
late client dinner. paired_page1.json and paired_page2.json are the same
week as ``events.list`` returns it (singleEvents, iCalUID = the export's UID,
originalStartTime on instances), served by the fake API.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import google_fake
import pandas as pd
import pytest
from google_fake import FIXTURES, load_json
from source_contract import comparable_findings

import routine_audit as ra
from routine_audit.sources.google import open_google

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)

ICS = FIXTURES / "paired_week.ics"
ROUTINE = FIXTURES / "rep_company.yaml"
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


@pytest.fixture
def both(google):
    google.serve_pages("primary", [load_json("paired_page1.json"), load_json("paired_page2.json")])
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    return routine, period


def normalized(events, period):
    """What an audit can use of an event, independent of the source's own bookkeeping."""
    start, end = period.start, period.end
    rows = []
    for e in events:
        if e.end <= start or e.start >= end:
            continue  # the .ics reader looks a little beyond the period
        rows.append(
            (
                e.uid,
                int(e.start.timestamp()),
                int(e.end.timestamp()),
                e.all_day,
                e.summary,
                e.description,
                e.location,
                e.calendar,
                e.status,
                e.transparent,
                e.visibility,
                # Google's export has no ORGANIZER on an event without guests; the API does
                e.organizer if e.attendees else "",
                tuple(sorted((a.email, a.response, a.is_resource) for a in e.attendees)),
                int(e.recurrence_id.timestamp()) if isinstance(e.recurrence_id, datetime) else None,
                int(e.created.timestamp()) if e.created else None,
            )
        )
    return sorted(rows, key=lambda r: (r[1], r[2], r[0]))


def test_both_sources_give_the_same_events(both):
    routine, period = both
    from_api = ra.load_events(open_google(), period, zone=routine.zone)
    from_ics = ra.load_events(ICS, period, zone=routine.zone)
    assert from_api.problems == from_ics.problems == ()
    api, ics = normalized(from_api.events, period), normalized(from_ics.events, period)
    assert len(api) == 10
    assert api == ics


def test_both_sources_give_the_same_audit(both):
    routine, period = both
    rules = ra.load_rules()
    from_api = ra.audit_calendar(open_google(), routine, rules, period)
    from_ics = ra.audit_calendar(ICS, routine, rules, period)

    pd.testing.assert_frame_equal(from_api.commitments, from_ics.commitments)
    pd.testing.assert_frame_equal(from_api.daily, from_ics.daily)
    pd.testing.assert_frame_equal(from_api.commitment_days, from_ics.commitment_days)

    assert comparable_findings(from_api) == comparable_findings(from_ics)
    kinds = {f.kind for f in from_api.finding_objects}
    assert {"displaced", "limit_broken", "outside_window", "under_target"} <= kinds
    assert from_api.notes == from_ics.notes
    assert from_api.health == from_ics.health

    columns = ["uid", "start", "end", "hours", "counted_hours", "activity", "rule", "counted"]
    columns += ["reason", "all_day", "summary", "private", "attendees", "external_attendees"]
    columns += ["created"]
    api = from_api.occurrences[columns].reset_index(drop=True)
    ics = from_ics.occurrences[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(api, ics)


def test_the_paired_week_has_what_it_claims(both):
    """Guards the fixture itself: each case is really in it, on both sides."""
    routine, period = both
    result = ra.audit_calendar(open_google(), routine, ra.load_rules(), period)
    table = result.occurrences.set_index(["summary", result.occurrences["start"].map(str)])
    assert table.loc[("Pipeline review", "2026-11-03 14:00:00-05:00"), "reason"] == "declined"
    assert (
        table.loc[("Discovery call with Initech", "2026-11-05 13:00:00-05:00"), "reason"]
        == "tentative"
    )
    assert table.loc[("PTO", "2026-11-06 00:00:00-05:00"), "all_day"]
    power = result.occurrences[result.occurrences["summary"] == "Prospecting power hour"]
    # 09:00 New York in November (EST) although the series began at 13:00 UTC in summer;
    # Wednesday's instance was moved to 13:00, Friday's was cancelled
    assert [s.astimezone(UTC).hour for s in power["start"]] == [14, 14, 18, 14]
    assert result.commitments.set_index("id").loc["prospecting", "committed_days"] == 4

    ics = ra.load_events(ICS, period, zone=routine.zone)
    moved = [e for e in ics.events if e.uid == "powerhour@google.com" and e.start.day == 4]
    assert moved[0].recurrence_id == datetime(2026, 11, 4, 9, tzinfo=NY)
    assert moved[0].start == datetime(2026, 11, 4, 13, tzinfo=NY)


def test_the_api_side_was_read_in_two_pages(both, google):
    routine, period = both
    ra.audit_calendar(open_google(), routine, ra.load_rules(), period)
    pages = google.event_requests("primary")
    assert [r.status for r in pages][-2:] == [200, 200]
    assert pages[-1].args["pageToken"] == load_json("paired_page1.json")["nextPageToken"]


def test_the_reps_own_day_off_counts_whatever_address_google_knows_them_by(both, google):
    routine, period = both
    first, second = load_json("paired_page1.json"), load_json("paired_page2.json")
    pto = next(i for i in second["items"] if i["summary"] == "PTO")
    pto["organizer"] = pto["creator"] = {"email": "robert.smith@company.example", "self": True}
    google.serve_pages("primary", [first, second])
    rules = ra.load_rules()
    from_api = ra.audit_calendar(open_google(), routine, rules, period)
    from_ics = ra.audit_calendar(ICS, routine, rules, period)
    assert from_ics.commitments.set_index("id").loc["prospecting", "committed_days"] == 4
    pd.testing.assert_frame_equal(from_api.commitments, from_ics.commitments)
