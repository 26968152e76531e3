"""Issue 24: the CalDAV source reads the edges of a period exactly as the .ics source
reads the same calendar as a file (docs/audit.md, "Reading calendars"): an event that
overlaps the period's start or end (across midnight, and across a DST change), a series
whose master starts long before the period, an instance moved into or out of it, a
RANGE=THISANDFUTURE override, a custom VTIMEZONE kept in only one resource, and a
quiet week's coverage.

The server is Radicale on loopback (tests/caldav_server.py); the manager reads the
rep's shared calendars. Every figure is worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import caldav_server as radicale
from caldav_server import manager, opened

import routine_audit as ra
from routine_audit.coverage import Status
from routine_audit.sources.ics import Document, IcsSource

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
manager_password = radicale.manager_password  # autouse: the manager's password in the env
ROUTINE = Path(__file__).parent / "fixtures" / "rep_ny.yaml"  # prospecting 09-12 weekdays
HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
TAIL = "END:VCALENDAR\r\n"


def event(uid: str, start: str, end: str, *more: str, title: str = "Prospecting") -> str:
    """A VEVENT, times local in New York (or as ``start``/``end`` say, when they hold a
    property's parameters)."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261001T000000Z",
        f"SUMMARY:{title}",
        start if ":" in start else f"DTSTART;TZID=America/New_York:{start}",
        end if ":" in end else f"DTEND;TZID=America/New_York:{end}",
        *more,
        "END:VEVENT",
    ]
    return "\r\n".join(lines) + "\r\n"


def through_caldav(server, name: str):
    return opened(manager(server.url, name))


def from_text(text: str) -> IcsSource:
    source = IcsSource(["edges.ics"])
    source._held = [Document("edges.ics", text.encode())]
    return source


def audit_both(server, text: str, **period: str):
    model = ra.load_routine(ROUTINE)
    rules = ra.load_rules()
    when = ra.period_for(model, **period)
    from_file = ra.audit_calendar(from_text(text), model, rules, when)
    through = ra.audit_calendar(through_caldav(server, server.shared(text)), model, rules, when)
    return from_file, through


def prospecting(result) -> tuple[int, int]:
    """(scheduled seconds, outside-window seconds) of the prospecting commitment."""
    row = result.commitments.set_index("id").loc["prospecting"]
    return round(row["scheduled"] * 3600), round(row["outside_window_hours"] * 3600)


def test_events_overlapping_the_periods_start_and_end(caldav_server):
    """2026-W45: Mon 2 Nov 00:00 EST to Mon 9 Nov 00:00 EST (UTC-5 all week)."""
    text = (
        HEAD
        # Sun 1 Nov 22:00 EST -> Mon 2 Nov 02:00: inside from 00:00, 2 h = 7200 s
        + event("start@t", "20261101T220000", "20261102T020000")
        # Sun 8 Nov 23:00 -> Mon 9 Nov 01:30: inside until 24:00, 1 h = 3600 s
        + event("end@t", "20261108T230000", "20261109T013000")
        + TAIL
    )
    from_file, through = audit_both(caldav_server, text, week="2026-W45")
    # 7200 + 3600 = 10800, all of it outside the 09:00-12:00 weekday window
    assert prospecting(through) == (10800, 10800)
    assert prospecting(from_file) == prospecting(through)


def test_a_dst_day_as_the_period_counts_real_seconds_at_both_ends(caldav_server):
    """Sun 1 Nov 2026 in New York is 25 hours long (02:00 EDT falls back to 01:00 EST):
    the period is 04:00Z (00:00 EDT) to 05:00Z on 2 Nov (00:00 EST)."""
    text = (
        HEAD
        # Sat 31 Oct 23:00 EDT (03:00Z) -> Sun 1 Nov 03:00 EST (08:00Z): inside from
        # 04:00Z to 08:00Z = 4 h = 14400 s (the wall clock says 3 h)
        + event("night@t", "20261031T230000", "20261101T030000")
        # Sun 1 Nov 23:00 EST (04:00Z on 2 Nov) -> Mon 2 Nov 01:00 EST: inside until
        # 05:00Z = 3600 s
        + event("late@t", "20261101T230000", "20261102T010000")
        + TAIL
    )
    from_file, through = audit_both(caldav_server, text, start="2026-11-01", end="2026-11-01")
    # 14400 + 3600 = 18000 s, on a Sunday: all outside the weekday window
    assert prospecting(through) == (18000, 18000)
    assert prospecting(from_file) == prospecting(through)


def test_series_from_long_ago_and_instances_moved_in_and_out(caldav_server):
    text = (
        HEAD
        # every Monday 09:00-10:00 since Mon 1 Jan 2024: Mon 2 Nov 2026 = 3600 s
        + event("old@t", "20240101T090000", "20240101T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO")
        # four Tuesdays in September (1, 8, 15, 22), none near the period; the last
        # moved to Wed 4 Nov 09:00-10:30 = 5400 s
        + event("in@t", "20260901T100000", "20260901T110000", "RRULE:FREQ=WEEKLY;COUNT=4")
        + event(
            "in@t",
            "20261104T090000",
            "20261104T103000",
            "RECURRENCE-ID;TZID=America/New_York:20260922T100000",
        )
        # every Thursday 09:00-10:00 from 1 Oct; Thu 5 Nov's moved to Thu 19 Nov: 0 s
        + event("out@t", "20261001T090000", "20261001T100000", "RRULE:FREQ=WEEKLY")
        + event(
            "out@t",
            "20261119T090000",
            "20261119T100000",
            "RECURRENCE-ID;TZID=America/New_York:20261105T090000",
        )
        + TAIL
    )
    from_file, through = audit_both(caldav_server, text, week="2026-W45")
    # 3600 + 5400 + 0 = 9000 s, all inside 09:00-12:00
    assert prospecting(through) == (9000, 0)
    assert prospecting(from_file) == prospecting(through)


def test_a_this_and_future_override_moves_the_periods_instance(caldav_server):
    text = (
        HEAD
        # every Friday 09:00-10:00 from 2 Oct; from 23 Oct on, 13:00-14:00 (THISANDFUTURE)
        + event("fri@t", "20261002T090000", "20261002T100000", "RRULE:FREQ=WEEKLY")
        + event(
            "fri@t",
            "20261023T130000",
            "20261023T140000",
            "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20261023T090000",
        )
        + TAIL
    )
    from_file, through = audit_both(caldav_server, text, week="2026-W45")
    # Fri 6 Nov 13:00-14:00 = 3600 s, outside the 09:00-12:00 window
    assert prospecting(through) == (3600, 3600)
    assert prospecting(from_file) == prospecting(through)


OFFICE = (
    "BEGIN:VTIMEZONE\r\nTZID:Office Time\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def test_a_custom_time_zone_defined_in_one_resource_only(caldav_server):
    """Some clients store a VTIMEZONE once per calendar, not in every resource: the
    zone one resource defines applies to the one that only names it, as in a file."""
    path = caldav_server.calendar("shared-edges-tz")
    office = "DTSTART;TZID=Office Time:20261102T150000", "DTEND;TZID=Office Time:20261102T170000"
    later = "DTSTART;TZID=Office Time:20261103T150000", "DTEND;TZID=Office Time:20261103T170000"
    # each resource as its own PUT: the first without the VTIMEZONE it names
    bare = HEAD + event("bare@t", *later) + TAIL
    defined = HEAD + OFFICE + event("defined@t", *office) + TAIL
    for name, body in (("bare.ics", bare), ("defined.ics", defined)):
        caldav_server.request(
            "PUT", path + name, owner="rep", body=body.encode(), expect=(201, 204)
        )
    model = ra.load_routine(ROUTINE)
    when = ra.period_for(model, week="2026-W45")
    through = ra.audit_calendar(
        through_caldav(caldav_server, "shared-edges-tz"), model, ra.load_rules(), when
    )
    from_file = ra.audit_calendar(
        from_text(HEAD + OFFICE + event("bare@t", *later) + event("defined@t", *office) + TAIL),
        model,
        ra.load_rules(),
        when,
    )
    # 15:00-17:00 at UTC+1 = 14:00-16:00Z = 09:00-11:00 EST, Mon and Tue: 2 x 7200 s,
    # inside the window (read as New York's own 15:00 it would all be outside)
    assert prospecting(through) == (14400, 0)
    assert prospecting(from_file) == prospecting(through)


def test_a_calendar_named_by_its_path_names_its_events_by_its_display_name(caldav_server):
    """The rules' `calendars` match the calendar's name however the setting names it:
    Radicale's display name of /rep/NAME/ is "rep/NAME"."""
    text = HEAD + event("named@t", "20261102T090000", "20261102T100000") + TAIL
    name = caldav_server.shared(text)
    model = ra.load_routine(ROUTINE)
    when = ra.period_for(model, week="2026-W45")
    by_name = through_caldav(caldav_server, name).read(when, zone=model.zone)
    by_path = through_caldav(caldav_server, f"/rep/{name}/").read(when, zone=model.zone)
    assert {e.calendar for e in by_path.events} == {e.calendar for e in by_name.events}
    assert {e.calendar for e in by_path.events} == {f"rep/{name}"}


def test_a_quiet_week_of_a_calendar_that_stopped_is_stale_as_for_google(caldav_server):
    """Nothing in 2026-W49 (30 Nov - 6 Dec) nor in the 14 days before it (from 16 Nov):
    the newest event (Mon 2 Nov) ends before that line, so the calendar looks stale, as
    the file says and as the Google source says of its own 14 days."""
    text = HEAD + event("only@t", "20261102T090000", "20261102T100000") + TAIL
    from_file, through = audit_both(caldav_server, text, week="2026-W49")
    assert from_file.coverage.status is Status.STALE
    assert through.coverage.status is Status.STALE
    assert "looks stale" in through.coverage.note
