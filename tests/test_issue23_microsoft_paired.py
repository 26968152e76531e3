"""Issue 23: the same Outlook week, read through Graph and from Outlook's .ics export,
audits alike (tests/fixtures/microsoft/).

calendarView_page1.json and calendarView_page2.json are the week of 26 Oct 2026 as
Graph's calendarView returns it (UTC times, ``@odata.context``, ``@odata.nextLink``):
every showAs (free, tentative, busy, oof, workingElsewhere, unknown), a cancelled
meeting, a declined one, a private one, an all-day one, a series with occurrences, a
moved exception and a deleted Friday, a London series (originalStartTimeZone "GMT
Standard Time") with a cancelled occurrence, categories, and the New York fall-back on
Sunday 1 Nov. outlook_week.ics is the same week as Outlook exports it: VTIMEZONEs
with Windows names, X-MICROSOFT-CDO-BUSYSTATUS, CATEGORIES, CLASS:PRIVATE, RRULE +
EXDATE + RECURRENCE-ID overrides. master_categories.json is the mailbox's category list.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import graph_fake
import pandas as pd
import pytest
from graph_fake import opened
from graph_recorded import FIXTURES, recorded_pages, serve_recorded
from source_contract import comparable_findings

import routine_audit as ra

graph = graph_fake.graph  # the fixture: a fake Graph on loopback (tests/graph_fake.py)

REP = "rep@contoso.example"
ICS = FIXTURES / "outlook_week.ics"
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
HOUR = 3600


@pytest.fixture
def week(graph):
    serve_recorded(graph, REP)
    routine = ra.load_routine(FIXTURES / "rep_outlook.yaml")
    rules = ra.load_rules(FIXTURES / "category_rules.yaml")
    period = ra.period_for(routine, week="2026-W44")
    return routine, rules, period


def microsoft():
    return opened(REP)  # this file's rep (Contoso's)


def normalized(events, period):
    """What an audit can use of an event, whatever source gave it."""
    rows = []
    for e in events:
        if e.end <= period.start or e.start >= period.end:
            continue  # the .ics reader looks a little beyond the period
        rows.append(
            (
                e.key,
                int(e.start.timestamp()),
                int(e.end.timestamp()),
                e.all_day,
                e.summary,
                e.description.strip(),  # Outlook ends DESCRIPTION with a line break
                e.location,
                e.categories,
                e.status,
                e.transparent,
                e.is_private,  # Outlook exports "normal" as CLASS:PUBLIC, Graph as normal
                e.event_type,
                e.organizer if e.attendees else "",  # Outlook exports ORGANIZER for meetings
                tuple(sorted((a.email, a.response) for a in e.attendees if a.email == REP)),
                tuple(sorted(a.email for a in e.attendees)),
                int(e.created.timestamp()),
            )
        )
    return sorted(rows, key=lambda r: (r[1], r[2], r[0]))


def test_both_sources_give_the_same_events(week):
    routine, _, period = week
    from_graph = ra.load_events(microsoft(), period, zone=routine.zone)
    from_ics = ra.load_events(ICS, period, zone=routine.zone)
    assert from_graph.problems == from_ics.problems == ()
    graph_events, ics_events = (
        normalized(from_graph.events, period),
        normalized(from_ics.events, period),
    )
    assert len(graph_events) == 18  # 16 VEVENTs: two series give 4 + 2 occurrences, less EXDATE
    assert graph_events == ics_events


def test_both_sources_give_the_same_audit(week):
    routine, rules, period = week
    from_graph = ra.audit_calendar(microsoft(), routine, rules, period)
    from_ics = ra.audit_calendar(ICS, routine, rules, period)

    pd.testing.assert_frame_equal(from_graph.commitments, from_ics.commitments)
    pd.testing.assert_frame_equal(from_graph.daily, from_ics.daily)
    pd.testing.assert_frame_equal(from_graph.commitment_days, from_ics.commitment_days)
    assert comparable_findings(from_graph) == comparable_findings(from_ics)
    assert from_graph.coverage == from_ics.coverage
    assert from_graph.health == from_ics.health
    assert from_graph.notes == from_ics.notes
    columns = ["start", "end", "hours", "counted_hours", "activity", "rule", "counted", "reason"]
    columns += ["all_day", "summary", "private", "attendees", "external_attendees", "created"]
    columns += ["uid", "identity"]
    # two events start at 09:00 on Thursday: their order is each source's own
    graph_rows = (
        from_graph.occurrences[columns].sort_values(["start", "end"]).reset_index(drop=True)
    )
    ics_rows = from_ics.occurrences[columns].sort_values(["start", "end"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(graph_rows, ics_rows)


@pytest.mark.parametrize("side", ["graph", "ics"])
def test_the_weeks_figures_worked_out_by_hand(week, side):
    """New York is UTC-4 (EDT) Monday to Sunday 02:00, then UTC-5: the seconds below."""
    routine, rules, period = week
    calendar = microsoft() if side == "graph" else ICS
    result = ra.audit_calendar(calendar, routine, rules, period)
    table = result.commitments.set_index("id")

    # prospecting (category "Prospecting"): Mon, Tue, Thu 09:00-11:00 = 3 x 7,200 s, and
    # Wednesday's block moved to 13:00-15:00 (RECURRENCE-ID / exception) = 7,200 s outside
    # the 09:00-12:00 window, still counted; Friday's was deleted (EXDATE / no occurrence)
    assert table.loc["prospecting", "scheduled"] * HOUR == 3 * 7_200 + 7_200  # 28,800 s
    assert table.loc["prospecting", "outside_window_hours"] * HOUR == 7_200
    assert table.loc["prospecting", "target"] == 5 * 2  # 5 committed days x 2 h
    # client meetings: Mon 14:00 discovery (tentative: counted), Tue 15:00 demo (category
    # "Customer"), Tue 18:00 dinner (external guest, no category), Fri 10:00 hold (showAs
    # unknown: busy); the all-day trade show is a marker, not a meeting
    assert table.loc["client-meetings", "scheduled"] == 4
    occ = result.occurrences.set_index("summary")
    counted = {
        "Prospecting block": 4 * 7_200,
        "Discovery call with Fabrikam": 3_600,
        "Pipeline sync": 1_800,  # 15:00-15:30 London (GMT since 25 Oct) = 11:00-11:30 EDT
        "Contoso x Northwind demo": 3_600,
        "Dinner with Northwind": 7_200,
        "Therapy": 3_600,
        "Hold: partner call": 3_600,
        # Sun 1 Nov 00:30 EDT (04:30 UTC) to 03:00 EST (08:00 UTC): 3.5 h, not 2.5
        "Red-eye flight home": 12_600,
    }
    seconds = (occ["counted_hours"] * HOUR).round().astype(int).groupby(level=0).sum()
    assert {k: v for k, v in seconds.items() if v} == counted
    reasons = occ["reason"].to_dict()
    assert {k: reasons[k] for k in NOT_COUNTED} == NOT_COUNTED
    assert occ.loc["Discovery call with Fabrikam", "reason"] == "tentative"
    assert occ.loc["Therapy", "private"]
    kinds = sorted((f.kind, str(f.day)) for f in result.finding_objects)
    assert kinds == [
        ("limit_broken", "2026-10-27"),  # the dinner, 2 h after 17:00
        ("missing_block", "2026-10-30"),  # Friday's deleted block
        ("outside_window", "None"),  # Wednesday's moved block
        ("under_target", "None"),  # 28,800 s of 36,000 s (10 h)
    ]
    assert result.coverage.events_in_period == 18
    assert result.health.booked_seconds == (3 + 3.5 + 2 + 2 + 1) * HOUR  # in working hours


NOT_COUNTED = {
    "Quarterly kickoff": "declined",  # responseStatus declined / PARTSTAT=DECLINED
    "Canceled: Pipeline sync": "cancelled",  # a cancelled occurrence of the London series
    "Canceled: Lunch and learn": "cancelled",  # isCancelled / STATUS:CANCELLED
    "Read industry news": "free",  # showAs free / BUSYSTATUS:FREE
    "Fabrikam trade show": "all-day",
    "Dentist": "out-of-office",  # showAs oof / BUSYSTATUS:OOF
    "Working from the Boston office": "working-location",  # showAs workingElsewhere
}


def test_the_graph_side_was_read_as_recorded(week, graph):
    routine, rules, period = week
    ra.audit_calendar(microsoft(), routine, rules, period)
    views = graph.views()
    assert [v.args.get("$skip") for v in views] == [None, "10"]  # the recorded nextLink
    assert (views[0].args["startDateTime"], views[0].args["endDateTime"]) == (
        "2026-10-26T04:00:00Z",  # Mon 00:00 EDT
        "2026-11-02T05:00:00Z",  # Mon 00:00 EST, after the fall-back
    )
    assert len(recorded_pages()) == 2
    paths = [s.path for s in graph.seen]
    assert sum(p.endswith("/outlook/masterCategories") for p in paths) == 1
    # the series' UIDs are read off the occurrences' global object ids: no master asked
    assert not any("/events/" in p or p.endswith("$batch") for p in paths)


def test_series_identity_is_the_exports(week):
    """An occurrence's key is the master's UID and its original start, as in the export."""
    routine, _, period = week
    events = ra.load_events(microsoft(), period, zone=routine.zone).events
    moved = [e for e in events if e.summary == "Prospecting block" and e.start.day == 28]
    assert moved[0].recurrence_id == datetime(2026, 10, 28, 13, tzinfo=UTC)  # 09:00 EDT
    assert moved[0].start.astimezone(NY) == datetime(2026, 10, 28, 13, tzinfo=NY)
    ics = ra.load_events(ICS, period, zone=routine.zone).events
    assert moved[0].key in {e.key for e in ics}
