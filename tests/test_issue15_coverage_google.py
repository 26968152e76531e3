"""Issue 15, "Coverage", for Google Calendar: ``accessRole: freeBusyReader`` is free_busy;
an empty week costs one more request, for the 14 days before it, which tells a quiet
week (``empty``) from a calendar that stopped updating (``stale``).

Week 2026-W45 in America/New_York (the routine's zone) starts Mon 2026-11-02 00:00-05:00;
its stale line is 14 days earlier, Mon 2026-10-19 00:00 (still EDT, -04:00).
"""

from __future__ import annotations

import json
from datetime import date

import google_fake
from google_fake import FIXTURES, load_json

import routine_audit as ra
from routine_audit.sources.google import GoogleSource

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)
no_secrets_in_logs = google_fake.no_secrets_in_logs
ROUTINE = FIXTURES / "rep_company.yaml"
WEEK = "2026-W45"


def audit_json(google):
    result = google.invoke(
        "audit", "--google", "--routine", str(ROUTINE), "--week", WEEK, "--format", "json"
    )
    return result, json.loads(result.stdout)["reps"]["rep@company.example"]


def test_a_free_busy_reader_sees_only_busy_blocks_and_no_commitment_is_judged(google):
    pages = [load_json("week_page1.json"), load_json("week_page2.json")]
    for page in pages:
        page["accessRole"] = "freeBusyReader"
        # what such a reader gets: times, no titles or descriptions
        page["items"] = [{k: i[k] for k in ("id", "start", "end")} for i in page["items"]]
    google.serve_pages("primary", pages)
    result, rep = audit_json(google)
    assert result.exit_code == 0, result.stderr
    assert rep["coverage"]["status"] == "free_busy"  # today: no coverage; every gap "short"
    assert {c["status"] for c in rep["commitments"]} == {"not_judged"}
    assert {f["kind"] for f in rep["findings"]} <= {"not_achievable", "fragmentation"}


def test_an_owner_with_full_events_is_ok(google):
    google.serve_pages("primary", [load_json("week_page1.json"), load_json("week_page2.json")])
    _, rep = audit_json(google)
    assert rep["coverage"]["status"] == "ok"
    assert rep["coverage"]["events_in_period"] > 0


def test_an_empty_week_asks_once_more_for_the_14_days_before_it(google):
    google.serve_items("primary", [])
    result, rep = audit_json(google)
    assert result.exit_code == 1 and "no calendar data" in result.stderr
    coverage = rep["coverage"]
    assert coverage["status"] == "stale"  # nothing in the 14 days before either
    assert coverage["last_event"] is None
    assert "older events were not looked for" in coverage["note"]
    requests = [r.args for r in google.event_requests("primary") if r.status == 200]
    assert len(requests) == 2  # the week, then one bounded look back
    assert requests[1]["timeMin"] == "2026-10-19T00:00:00-04:00"
    assert requests[1]["timeMax"] == requests[0]["timeMin"] == "2026-11-02T00:00:00-05:00"


class _Events:
    """A Calendar ``events`` resource that answers by the asked range: nothing in the
    week, one meeting on Fri 2026-10-30 in the 14 days before it."""

    def __init__(self) -> None:
        self.asked: list[dict] = []

    def list(self, **query):
        self.asked.append(query)
        items = []
        if query["timeMax"].startswith("2026-11-02"):  # the look back
            items = [
                {
                    "id": "m1",
                    "summary": "Client call",
                    "start": {"dateTime": "2026-10-30T10:00:00-04:00"},
                    "end": {"dateTime": "2026-10-30T11:00:00-04:00"},
                }
            ]
        page = {"summary": "primary", "accessRole": "owner", "items": items}
        return _Request(page)


class _Request:
    def __init__(self, page: dict) -> None:
        self.page = page

    def execute(self, http=None, num_retries=0) -> dict:
        return self.page


class _Service:
    def __init__(self) -> None:
        self.resource = _Events()

    def events(self) -> _Events:
        return self.resource


def test_an_event_in_the_14_days_before_makes_the_week_empty_with_its_day():
    service = _Service()
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week=WEEK)
    source = GoogleSource(None, "primary", service=service)
    result = ra.audit_calendar(source, routine, ra.load_rules(), period)
    assert result.coverage.status == "empty"
    assert result.coverage.last_event == date(2026, 10, 30)
    assert result.no_data and result.finding_objects == []
    assert len(service.resource.asked) == 2
