"""The rep's own answer (the event's ``responseStatus``) decides whether a Microsoft 365
meeting counts, even where the mailbox is named by its user id, so no attendee entry
carries the mailbox's address: the entry added for the mailbox comes before the
attendees Graph lists, whose status for the rep's address is the organizer's view and
may be out of date (accepted, then declined)."""

from __future__ import annotations

import json

import graph_fake
from graph_fake import audit, graph_event

graph = graph_fake.graph
REP = "rep@company.example"  # the routine's rep.email
USER_ID = "6e3c2a5f-0d1b-4c8e-9a7f-2b4d6e8f0a1c"  # the same mailbox, by its user id


def meeting(response: str) -> dict:
    """Tue 3 Nov 2026 15:00-16:00 UTC (10:00-11:00 New York), a client meeting."""
    return graph_event(1, "2026-11-03T15:00", "2026-11-03T16:00") | {
        "subject": "Client call",
        "isOrganizer": False,
        "responseStatus": {"response": response},
        "organizer": {"emailAddress": {"address": "buyer@client.example"}},
        "attendees": [
            {"type": "required", "status": {"response": "accepted"},
             "emailAddress": {"address": REP}},  # the organizer's view, from before
            {"type": "required", "status": {"response": "accepted"},
             "emailAddress": {"address": "buyer@client.example"}},
        ],
    }  # fmt: skip


def counted_hours(graph, response: str) -> float:
    graph.serve(USER_ID, [meeting(response)])
    result = audit("--format", "json", user=USER_ID)
    assert result.exit_code in (0, 1), result.output
    daily = json.loads(result.stdout)["reps"][REP]["daily"]
    return sum(d["hours"] for d in daily if d["activity"] != "prospecting")


def test_declined_by_the_rep_does_not_count(graph):
    # responseStatus says declined: the 1 h does not count, whatever the list says
    assert counted_hours(graph, "declined") == 0.0


def test_accepted_by_the_rep_counts(graph):
    assert counted_hours(graph, "accepted") == 1.0  # 15:00-16:00 UTC: 1 h
