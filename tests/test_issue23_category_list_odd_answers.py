"""Issue 23: a category list (masterCategories) whose ``value`` is not a list is read as
no colours, like an unreadable list: the audit goes on, never a traceback."""

from __future__ import annotations

import json

import graph_fake
import pytest
from graph_fake import audit
from source_contract import REP
from test_issue23_microsoft_hostile import raw

graph = graph_fake.graph
TAGGED = {
    "id": "AAMk-1", "subject": "Call", "categories": ["Red category"], "type": "singleInstance",
    "start": {"dateTime": "2026-11-03T15:00:00.0000000", "timeZone": "UTC"},
    "end": {"dateTime": "2026-11-03T16:00:00.0000000", "timeZone": "UTC"},
    "iCalUId": "u1", "showAs": "busy", "sensitivity": "normal", "isAllDay": False,
}  # fmt: skip


@pytest.mark.parametrize("value", [5, None, "Red category", {"displayName": "x"}])
def test_a_category_list_that_is_not_a_list_reads_as_no_colours(graph, value):
    graph.serve(REP, [])
    graph.hostile += [
        raw(200, json.dumps({"value": [TAGGED]}).encode()),
        raw(200, json.dumps({"value": value}).encode()),
    ]
    result = audit("--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1), result.output
    assert [s.path.rsplit("/", 1)[-1] for s in graph.seen][:2] == [
        "calendarView",
        "masterCategories",
    ]
    # 15:00-16:00 UTC on Tue 3 Nov is 10:00-11:00 in New York: 1 h booked, read as usual
    assert json.loads(result.stdout)["reps"][REP]["health"]["booked_hours"] == 1.0
