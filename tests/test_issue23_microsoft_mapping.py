"""Issue 23: Graph event resources (calendarView, UTC) to ``Event``, on hand-made JSON.

Times are Graph's: ``dateTime`` with seven fractional digits and ``timeZone: UTC``
(no Prefer: outlook.timezone header). The rep is rep@company.example in New York,
UTC-5 in the week of 2026-11-02.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from routine_audit.model import Response, Status, Visibility
from routine_audit.sources import source_class, source_settings
from routine_audit.sources.microsoft.mapping import to_event

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
REP = "rep@company.example"


def item(**fields):
    """A Graph event: Mon 2 Nov 2026 14:00-15:00 UTC (09:00-10:00 New York)."""
    base = {
        "id": "AAMk-1",
        "iCalUId": "040000008200E00074C5B7101A82E008-1",
        "subject": "Client call",
        "body": {"contentType": "text", "content": "agenda "},
        "location": {"displayName": "Room 4"},
        "start": {"dateTime": "2026-11-02T14:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-02T15:00:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "showAs": "busy",
        "isCancelled": False,
        "sensitivity": "normal",
        "type": "singleInstance",
        "createdDateTime": "2026-10-01T12:00:00.1234567Z",
    }
    return base | fields


def mapped(value, **kw):
    return to_event(value, zone=NY, calendar="Calendar", source="microsoft:rep", mailbox=REP, **kw)


def test_registered_as_microsoft_with_settings():
    assert source_class("microsoft").name == "microsoft"
    settings = source_settings("microsoft", {"user": REP, "calendar": "AAMkCal"})
    assert settings.graph_url is None  # https://graph.microsoft.com unless overridden
    with pytest.raises(ValueError):
        source_settings("microsoft", {"user": REP, "colour": "red"})


def test_timed_event_in_utc():
    event = mapped(item())
    assert event.start == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert event.start.astimezone(NY).hour == 9  # 14:00 UTC - 5 h
    assert event.end - event.start == datetime(2026, 1, 1, 15) - datetime(2026, 1, 1, 14)
    assert (event.summary, event.description, event.location) == (
        "Client call",
        "agenda",
        "Room 4",
    )
    assert event.created == datetime(2026, 10, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert event.uid == "040000008200E00074C5B7101A82E008-1"
    assert (event.source_id, event.series_id, event.recurrence_id) == ("AAMk-1", "", None)


def test_all_day_is_dates_in_the_reps_zone():
    event = mapped(
        item(
            isAllDay=True,
            start={"dateTime": "2026-11-05T00:00:00.0000000", "timeZone": "UTC"},
            end={"dateTime": "2026-11-07T00:00:00.0000000", "timeZone": "UTC"},
        )
    )
    assert event.all_day
    assert (event.start, event.end) == (
        datetime(2026, 11, 5, tzinfo=NY),
        datetime(2026, 11, 7, tzinfo=NY),
    )


@pytest.mark.parametrize(
    ("show_as", "transparent", "event_type"),
    [
        ("free", True, "default"),
        ("busy", False, "default"),
        ("tentative", False, "default"),  # counts as busy, like BUSYSTATUS:TENTATIVE in .ics
        ("unknown", False, "default"),
        ("oof", False, "outOfOffice"),
        ("workingElsewhere", False, "workingLocation"),  # a marker, not a block (opaque)
    ],
)
def test_show_as(show_as, transparent, event_type):
    event = mapped(item(showAs=show_as))
    assert (event.transparent, event.event_type, event.status) == (
        transparent,
        event_type,
        Status.CONFIRMED,
    )


@pytest.mark.parametrize(
    ("sensitivity", "visibility", "private"),
    [
        ("normal", Visibility.DEFAULT, False),
        ("personal", Visibility.DEFAULT, False),
        ("private", Visibility.PRIVATE, True),
        ("confidential", Visibility.CONFIDENTIAL, True),
    ],
)
def test_sensitivity(sensitivity, visibility, private):
    event = mapped(item(sensitivity=sensitivity))
    assert (event.visibility, event.is_private) == (visibility, private)


def test_cancelled():
    assert mapped(item(isCancelled=True)).status is Status.CANCELLED


def test_declined_is_the_reps_own_answer():
    attendees = [
        {"type": "required", "status": {"response": "none"},
         "emailAddress": {"address": "Rep@Company.example"}},
        {"type": "required", "status": {"response": "accepted"},
         "emailAddress": {"address": "buyer@client.example"}},
        {"type": "resource", "status": {"response": "accepted"},
         "emailAddress": {"address": "room4@company.example"}},
    ]  # fmt: skip
    event = mapped(
        item(
            attendees=attendees,
            responseStatus={"response": "declined", "time": "2026-10-20T08:00:00Z"},
            organizer={"emailAddress": {"address": "Boss@Company.example"}},
            isOrganizer=False,
        )
    )
    rep, buyer, room = event.attendees
    assert (rep.email, rep.is_self, rep.response) == (REP, True, Response.DECLINED)
    assert (buyer.is_self, buyer.response) == (False, Response.ACCEPTED)
    assert room.is_resource
    assert (event.organizer, event.organized_by_self) == ("boss@company.example", False)


def test_declined_through_a_group_is_still_the_reps_answer():
    """Invited through a group, the mailbox is not among Graph's attendees: its answer
    still decides (an entry for the rep is added; other attendees are not counted more)."""
    group = [
        {"type": "required", "status": {"response": "none"},
         "emailAddress": {"address": "sales-team@company.example"}},
    ]  # fmt: skip
    event = mapped(item(attendees=group, responseStatus={"response": "declined"}))
    assert [(a.email, a.is_self, a.response) for a in event.attendees] == [
        (REP, True, Response.DECLINED),  # first: the rep's own answer wins
        ("sales-team@company.example", False, None),
    ]
    # no answer to give (organizer, none): nothing added
    assert len(mapped(item(attendees=group, responseStatus={"response": "none"})).attendees) == 1


def test_occurrence_and_exception_take_the_series_uid_and_original_start():
    masters = {"AAMk-master": "standup-series@company.example"}
    occurrence = item(
        id="AAMk-occ",
        iCalUId="occ-own-uid",
        type="occurrence",
        seriesMasterId="AAMk-master",
        originalStart="2026-11-02T13:00:00Z",
        start={"dateTime": "2026-11-02T13:00:00.0000000", "timeZone": "UTC"},
        end={"dateTime": "2026-11-02T13:15:00.0000000", "timeZone": "UTC"},
    )
    moved = occurrence | {
        "id": "AAMk-exc",
        "iCalUId": "exc-own-uid",
        "type": "exception",
        "originalStart": "2026-11-03T13:00:00Z",
        "start": {"dateTime": "2026-11-03T13:30:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-03T13:45:00.0000000", "timeZone": "UTC"},
    }
    first, second = (mapped(x, series_uids=masters) for x in (occurrence, moved))
    assert first.uid == second.uid == "standup-series@company.example"
    # 13:00 UTC = 08:00 New York: the identity an Outlook .ics export gives
    assert first.recurrence_id == datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
    assert second.recurrence_id == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)
    assert first.key != second.key
    assert (second.source_id, second.series_id) == ("AAMk-exc", "AAMk-master")


def test_all_day_series_original_is_a_date():
    event = mapped(
        item(
            isAllDay=True,
            type="occurrence",
            seriesMasterId="m",
            originalStart="2026-11-05T05:00:00Z",  # midnight New York
            start={"dateTime": "2026-11-05T00:00:00.0000000", "timeZone": "UTC"},
            end={"dateTime": "2026-11-06T00:00:00.0000000", "timeZone": "UTC"},
        ),
        series_uids={"m": "days@t"},
    )
    assert (event.uid, event.recurrence_id) == ("days@t", date(2026, 11, 5))


def test_html_body_is_text():
    body = {"contentType": "html", "content": "<p>Call&nbsp;<b>ACME</b></p>"}
    assert mapped(item(body=body)).description.split() == ["Call", "ACME"]


def test_non_utc_time_is_refused():
    bad = item(start={"dateTime": "2026-11-02T09:00:00", "timeZone": "Eastern Standard Time"})
    with pytest.raises(ValueError):
        mapped(bad)
