"""A private Microsoft 365 event that cannot be read is a data-quality problem; the
manager's reports (every format) name neither its title, location, categories nor
attendees; the rep's own report gives the title, so the rep can find and fix it."""

from __future__ import annotations

import graph_fake
import pytest
from graph_fake import audit
from source_contract import REP

graph = graph_fake.graph
SECRETS = ("Therapy", "Dr Morgan", "Counselling", "morgan@clinic.example")


def private_broken() -> dict:
    return {
        "id": "AAMk-p",
        "iCalUId": "uid-p@t",
        "subject": "Therapy",
        "location": {"displayName": "Dr Morgan"},
        "categories": ["Counselling"],
        "attendees": [{"type": "required", "status": {"response": "none"},
                       "emailAddress": {"address": "morgan@clinic.example"}}],
        "start": {"dateTime": "2026-11-04T25:99:00.0000000", "timeZone": "UTC"},  # unreadable
        "end": {"dateTime": "2026-11-04T16:00:00.0000000", "timeZone": "UTC"},
        "showAs": "busy",
        "sensitivity": "private",
        "type": "singleInstance",
    }  # fmt: skip


def report(audience: str, form: str) -> str:
    result = audit("--audience", audience, "--format", form)  # the routine shares titles
    assert result.exit_code == 1, result.output  # an event was skipped
    return result.output


@pytest.mark.parametrize("form", ["table", "markdown", "json", "csv", "html"])
def test_manager_sees_no_private_content(graph, form):
    graph.serve(REP, [private_broken()])
    text = report("manager", form)
    assert "skipped" in text.lower() or form == "csv"
    for secret in SECRETS:
        assert secret not in text


def test_owner_sees_the_title_to_fix_it(graph):
    graph.serve(REP, [private_broken()])
    assert "Therapy" in report("owner", "table")
