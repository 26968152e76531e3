"""Google Calendar API Event resources to normalized events, and what the audit makes of them.

The week in tests/fixtures/google/week_page*.json is one rep's calendar as
``events.list`` returns it (two pages): every event type, declined, tentative,
unanswered, cancelled, free, private and confidential events, all-day events,
recurring instances (one moved), a colour and external attendees. It is read
over HTTP from the fake API, which applies the ``fields`` selection the
client sends, exactly as Google does.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import google_fake
import pytest
from google_fake import FIXTURES, load_json

import routine_audit as ra
from routine_audit.model import Response, Status, Visibility
from routine_audit.report import render_events
from routine_audit.sources.google import GoogleSource, open_google
from routine_audit.sources.google.auth import load_user_credentials
from routine_audit.sources.google.mapping import NotAnEventError, to_event

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
ROUTINE = FIXTURES / "rep_company.yaml"
WEEK = "2026-W45"
PRIVATE = ("PRIVATE-TITLE-SECRET", "PRIVATE-DESCRIPTION-SECRET", "PRIVATE-LOCATION-SECRET")
CONFIDENTIAL = "CONFIDENTIAL-TITLE-SECRET"
TASKS = {"simple_task", "deleted_task", "needs_action"}


def week_items() -> list[dict]:
    return load_json("week_page1.json")["items"] + load_json("week_page2.json")["items"]


def mapped(item: dict, zone: ZoneInfo = NY):
    return to_event(item, zone=zone, calendar="rep@company.example", source="google:primary")


@pytest.fixture
def week(google):
    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    return google


def routine_and_period():
    routine = ra.load_routine(ROUTINE)
    return routine, ra.period_for(routine, week=WEEK)


def fetched_events():
    routine, period = routine_and_period()
    data = ra.load_events(open_google(), period, zone=routine.zone)
    assert data.problems == ()
    return data.events


def by_summary(events) -> dict[str, list]:
    found: dict[str, list] = {}
    for event in events:
        found.setdefault(event.summary, []).append(event)
    return found


def audit_week(rules=None):
    routine, period = routine_and_period()
    return ra.audit_calendar(open_google(), routine, ra.load_rules(rules), period)


def row(result, summary: str, day: int | None = None):
    table = result.occurrences
    rows = table[table["summary"] == summary]
    if day is not None:
        rows = rows[[start.day == day for start in rows["start"]]]
    assert len(rows) == 1, f"{summary!r} on {day}: {len(rows)} rows"
    return rows.iloc[0]


# --- the real captured resources (shared corpus) ----------------------------------------


def test_every_corpus_item_maps_and_tasks_items_are_skipped(corpus):
    items = json.loads((corpus / "google/gdata-provider/gcalItems.json").read_text())
    events, skipped = {}, set()
    for name, item in items.items():
        try:
            events[name] = mapped(item, BERLIN)
        except NotAnEventError:
            skipped.add(name)
    assert skipped == TASKS
    assert len(events) == len(items) - 3 == 9
    for name in ("event1.json", "event2.json"):
        item = json.loads((corpus / "google/libkgapi" / name).read_text())
        assert mapped(item, ZoneInfo("Europe/Prague")).uid == item["iCalUID"]


def test_corpus_item_details(corpus):
    items = json.loads((corpus / "google/gdata-provider/gcalItems.json").read_text())
    simple = mapped(items["simple_event"], BERLIN)
    assert simple.color == "17"
    assert simple.transparent and simple.visibility is Visibility.PRIVATE and simple.is_private
    assert simple.uid == "go6ijb0b46hlpbu4eeu92njevo@google.com"
    assert simple.organizer == "organizer@example.com"
    assert [(a.email, a.response, a.is_resource) for a in simple.attendees] == [
        ("attendee@example.com", Response.TENTATIVE, False),
        ("attendee2@example.com", Response.TENTATIVE, True),
    ]
    assert simple.created == datetime(2006, 6, 8, 21, 4, 52, tzinfo=UTC)

    all_day = mapped(items["valarm_no_default_override"], BERLIN)
    assert all_day.all_day
    assert (all_day.start, all_day.end) == (
        datetime(2006, 6, 10, tzinfo=BERLIN),
        datetime(2006, 6, 11, tzinfo=BERLIN),
    )
    instance = mapped(items["recur_instance"], BERLIN)
    assert instance.recurrence_id == date(2006, 6, 25)
    assert instance.start == datetime(2006, 6, 26, tzinfo=BERLIN)
    assert mapped(items["recur_rrule"], BERLIN).recurrence_id is None
    assert mapped(items["ooo_event"], BERLIN).event_type == "outOfOffice"
    assert mapped(items["focus_event"], BERLIN).event_type == "focusTime"
    utc = mapped(items["utc_event"], BERLIN)  # endTimeUnspecified: no end at all
    assert utc.start == utc.end == datetime(2006, 6, 10, 1, 2, 3, tzinfo=UTC)


def test_corpus_local_date_time_is_read_in_its_time_zone(corpus):
    items = json.loads((corpus / "google/gdata-provider/gcalItems.json").read_text())
    simple = mapped(items["simple_event"], NY)
    assert simple.start == datetime(2006, 6, 10, 18, tzinfo=BERLIN)
    assert simple.end == datetime(2006, 6, 10, 20, tzinfo=BERLIN)


def test_corpus_items_read_over_http_skip_the_tasks(corpus, google):
    items = json.loads((corpus / "google/gdata-provider/gcalItems.json").read_text())
    google.serve_items("primary", list(items.values()), per_page=5, timeZone="Europe/Berlin")
    period = ra.Period(date(2006, 6, 5), date(2006, 6, 30), BERLIN)
    data = GoogleSource(load_user_credentials(google.token_file)).read(period, zone=BERLIN)
    assert len(google.event_requests()) >= 3  # 12 items, 5 a page
    assert len(data.events) == 9 and data.problems == ()
    assert {e.uid for e in data.events} >= {
        "go6ijb0b46hlpbu4eeu92njevo@google.com",
        "osndfnwejrgnejnsdjfwegjdfr",
    }


# --- our own week, fetched over HTTP ----------------------------------------------------


def test_the_fields_selection_keeps_everything_the_mapping_reads(week):
    """The fake answers with only the selected fields: mapping must not notice."""
    fetched = sorted(fetched_events(), key=lambda e: (e.start, e.uid))
    direct = sorted((mapped(i) for i in week_items()), key=lambda e: (e.start, e.uid))
    assert len(fetched) == len(direct) == 20
    assert fetched == direct
    fields = week.event_requests()[0].args["fields"]
    for name in ("created", "colorId", "eventType", "visibility", "originalStartTime"):
        assert name in fields
    assert "attendees(" in fields and "self" in fields and "resource" in fields


def test_timed_utc_and_all_day_times(week):
    events = by_summary(fetched_events())
    focus = events["Focus time"][0]
    assert focus.start == datetime(2026, 11, 2, 9, tzinfo=NY)
    assert focus.end == datetime(2026, 11, 2, 11, tzinfo=NY)
    assert focus.start.tzinfo == NY and not focus.all_day
    crm = events["CRM cleanup"][0]  # a dateTime in UTC, no timeZone
    assert crm.start == datetime(2026, 11, 2, 20, tzinfo=UTC)
    assert crm.start.utcoffset().total_seconds() == 0
    assert crm.start.astimezone(NY).hour == 15
    home = events["Home"][0]  # all day: midnight to midnight in the rep's zone
    assert home.all_day
    assert (home.start, home.end) == (
        datetime(2026, 11, 2, tzinfo=NY),
        datetime(2026, 11, 3, tzinfo=NY),
    )
    ooo = events["Out of office"][0]
    assert not ooo.all_day and ooo.end - ooo.start == datetime(2026, 11, 7) - datetime(2026, 11, 6)


def test_event_types_are_kept(week):
    types = {e.summary: e.event_type for e in fetched_events()}
    assert types["Focus time"] == "focusTime"
    assert types["Out of office"] == "outOfOffice"
    assert types["Home"] == types["Office"] == "workingLocation"
    assert types["Globex call"] == "default"


def test_what_counts(week):
    result = audit_week()
    expected = {
        "Focus time": (True, ""),
        "Globex call": (True, ""),
        "Pipeline review": (False, "declined"),
        "Acme demo": (True, "tentative"),
        "Intro with Initech": (True, "needs_action"),
        "Lunch & learn": (False, "cancelled"),
        "Lunch": (False, "free"),
        "Home": (False, "free"),  # an all-day working location, transparent
        "Office": (False, "working-location"),  # even if Google sent it as busy
        "Out of office": (False, "out-of-office"),
        "Quarter-end push": (False, "free"),
        "Team offsite": (False, "free"),
        "Doctor PRIVATE-TITLE-SECRET": (True, ""),  # private: the time counts
    }
    for summary, (counted, reason) in expected.items():
        found = row(result, summary)
        assert (bool(found["counted"]), found["reason"]) == (counted, reason), summary
    assert "1 tentative event was counted as booked time" in result.notes
    assert "1 not yet answered event was counted as booked time" in result.notes


def test_an_all_day_marker_without_away_words_is_not_counted_and_keeps_the_day():
    item = next(i for i in week_items() if i["summary"] == "Quarter-end push")
    opaque = mapped({**item, "transparency": "opaque"})
    assert opaque.all_day and not opaque.transparent


def test_declined_by_the_rep_marked_self_is_not_counted(week):
    result = audit_week()
    pipeline = row(result, "Pipeline review")
    assert not pipeline["counted"] and pipeline["reason"] == "declined"
    assert pipeline["counted_hours"] == 0
    # the rep's entry uses an address the routine does not know: self: true is enough
    event = by_summary(fetched_events())["Pipeline review"][0]
    mine = [a for a in event.attendees if a.is_self]
    assert [(a.email, a.response) for a in mine] == [("rsmith@company.example", Response.DECLINED)]
    daily = result.daily
    assert daily[(daily["date"] == date(2026, 11, 3)) & (daily["activity"] == "admin")].empty


def test_private_and_confidential_content_never_reaches_a_manager(week):
    result = audit_week()
    doctor = row(result, "Doctor PRIVATE-TITLE-SECRET")
    assert doctor["private"] and doctor["counted_hours"] == 1.0  # counted, not shown
    assert bool(row(result, f"{CONFIDENTIAL} board prep")["private"])
    owner = ra.build_report(result, "owner")
    manager = ra.build_report(result, "manager")
    assert PRIVATE[0] in render_events(owner, "csv")  # the rep sees their own events
    outputs = [ra.render(manager, fmt) for fmt in ("markdown", "json", "csv", "table")]
    outputs += [render_events(manager, fmt) for fmt in ("csv", "json", "table")]
    for text in outputs:
        for secret in (*PRIVATE, CONFIDENTIAL):
            assert secret not in text
    # titles are shared with the manager in this routine: the other events show theirs
    assert "Globex call" in render_events(manager, "csv")


def test_manager_markdown_never_shows_private_content(week):
    result = audit_week()
    markdown = ra.render(ra.build_report(result, "manager"), "markdown")
    assert markdown.startswith("#")
    for secret in (*PRIVATE, CONFIDENTIAL):
        assert secret not in markdown


def test_recurring_instances_carry_their_original_start(week):
    events = by_summary(fetched_events())
    calls = sorted(events["Cold call block"], key=lambda e: e.start)
    assert {e.uid for e in calls} == {"coldcalls@google.com"}  # the iCalUID, as in an export
    assert [e.recurrence_id for e in calls] == [
        datetime(2026, 11, day, 9, tzinfo=NY) for day in (3, 4, 5)
    ]
    moved = calls[-1]
    assert moved.start == datetime(2026, 11, 5, 10, tzinfo=NY) != moved.recurrence_id
    assert len({e.key for e in calls}) == 3
    sync = events["Team sync"][0]
    assert sync.recurrence_id == datetime(2026, 11, 3, 10, tzinfo=NY)
    assert events["Globex call"][0].recurrence_id is None


def test_color_id_is_usable_by_a_rule(week):
    assert by_summary(fetched_events())["Inbox zero"][0].color == "11"
    default = row(audit_week(), "Inbox zero")
    assert (default["activity"], default["rule"]) == ("other", "")
    coloured = row(audit_week(FIXTURES / "color_rules.yaml"), "Inbox zero")
    assert (coloured["activity"], coloured["rule"]) == ("admin", "tomato-is-admin")


def test_external_attendees_make_a_client_meeting(week):
    event = by_summary(fetched_events())["Globex call"][0]
    assert event.organizer == "rep@company.example"
    assert {a.email for a in event.attendees} == {
        "rep@company.example",
        "buyer@globex.example",  # lower-cased
        "se@company.example",
        "c_1882a@resource.calendar.google.com",
    }
    assert [a.email for a in event.attendees if a.is_resource] == [
        "c_1882a@resource.calendar.google.com"
    ]
    found = row(audit_week(), "Globex call")
    assert (found["activity"], found["rule"]) == ("client-meeting", "external-attendees")
    assert (found["attendees"], found["external_attendees"]) == (2, 1)  # not self, not the room
    internal = row(audit_week(), "Team sync")
    assert internal["external_attendees"] == 0 and internal["activity"] == "other"


def test_focus_time_is_prospecting_and_out_of_office_removes_the_day(week):
    result = audit_week()
    focus = row(result, "Focus time")
    assert (focus["activity"], focus["rule"]) == ("prospecting", "focus-time")
    commitments = result.commitments.set_index("id")
    assert commitments.loc["prospecting", "committed_days"] == 4  # Friday is out of office
    assert commitments.loc["prospecting", "target"] == 8.0
    days = result.commitment_days
    friday = days[(days["commitment"] == "prospecting") & (days["date"] == date(2026, 11, 6))]
    assert friday["target"].tolist() == [0.0]
    assert "days off (no targets): Fri 06 Nov" in result.notes


def test_cancelled_and_status_mapping():
    items = {i["summary"]: i for i in week_items()}
    assert mapped(items["Lunch & learn"]).status is Status.CANCELLED
    assert mapped(items["Globex call"]).status is Status.CONFIRMED
    assert mapped({**items["Globex call"], "status": "tentative"}).status is Status.TENTATIVE
    assert mapped(items["Lunch"]).transparent
    assert mapped(items[f"{CONFIDENTIAL} board prep"]).visibility is Visibility.CONFIDENTIAL
    assert mapped(items["Home"]).visibility is Visibility.PUBLIC
    unknown = mapped({**items["Focus time"], "eventType": "fromGmail"})
    assert unknown.event_type == "fromGmail"  # any other type is available to rules too
    assert replace(unknown, event_type="focusTime") == mapped(items["Focus time"])
