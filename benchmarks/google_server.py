"""A loopback Calendar API for the benchmark: every rep's events.list, a fixed latency per
request, and a count of the requests made. Threaded, like Google: slow answers overlap.

It serves each calendar one week of events from a JSON page (the same page for every
rep, with the rep's address as attendee) and pages it at ``page_size`` items.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

EVENTS = "/calendar/v3/calendars/"


class _Server(ThreadingHTTPServer):
    # a listen backlog as a real server has: socketserver's default of 5 drops some of
    # 16 simultaneous connections, and each dropped one waits a second for its retry
    request_queue_size = 128


class FakeCalendarApi:
    """Start with ``with FakeCalendarApi(items, latency=0.1) as api: ... api.url``."""

    def __init__(self, items: list[dict[str, Any]], *, latency: float, page_size: int = 250):
        self.items = items
        self.latency = latency
        self.page_size = page_size
        self.requests = 0
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api._count()
                time.sleep(api.latency)
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

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def _count(self) -> None:
        with self._lock:
            self.requests += 1

    def __enter__(self) -> FakeCalendarApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


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
