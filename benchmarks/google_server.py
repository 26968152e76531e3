"""A loopback Calendar API for the benchmark: every rep's events.list, a fixed latency per
request, and a count of the requests made. Threaded, like Google: slow answers overlap.

It serves each calendar one week of events from a JSON page (the same page for every
rep, with the rep's address as attendee) and pages it at ``page_size`` items.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from json_server import JsonHandler, LoopbackJsonServer

EVENTS = "/calendar/v3/calendars/"


class _Handler(JsonHandler):
    def do_GET(self) -> None:  # noqa: N802  (http.server names it)
        api = self.fake
        self._wait()
        parts = urlsplit(self.path)
        if not parts.path.startswith(EVENTS) or not parts.path.endswith("/events"):
            self._send(404, {"error": {"code": 404, "message": "Not Found"}})
            return
        calendar = unquote(parts.path[len(EVENTS) : -len("/events")])
        query = parse_qs(parts.query)
        start = int(query.get("pageToken", ["0"])[0])
        page = api.items[start : start + api.page_size]
        body: dict[str, Any] = {"summary": calendar, "timeZone": "UTC", "items": page}
        if start + api.page_size < len(api.items):
            body["nextPageToken"] = str(start + api.page_size)
        self._send(200, body)


class FakeCalendarApi(LoopbackJsonServer):
    """Start with ``with FakeCalendarApi(items, latency=0.1) as api: ... api.url``."""

    url_path = "/"

    def __init__(self, items: list[dict[str, Any]], *, latency: float, page_size: int = 250):
        super().__init__(_Handler, latency=latency)
        self.items = items
        self.page_size = page_size


def week_items(fixture_dir: Path) -> list[dict[str, Any]]:
    """The recorded week of the test suite's Google fixtures (two pages), as one list."""
    items: list[dict[str, Any]] = []
    for name in ("week_page1.json", "week_page2.json"):
        items += json.loads((fixture_dir / name).read_text())["items"]
    return items


def write_token(path: Path) -> Path:
    """A valid (unexpired) authorized-user token: no refresh request is needed."""
    path.write_text(
        json.dumps(
            {
                "token": "ya29.benchmark",
                "refresh_token": "1//benchmark",
                "client_id": "benchmark.apps.googleusercontent.com",
                "client_secret": "benchmark",
                "scopes": [
                    "https://www.googleapis.com/auth/calendar.events.readonly",
                    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
                ],
                "expiry": "2099-01-01T00:00:00Z",
            }
        )
    )
    path.chmod(0o600)
    return path
