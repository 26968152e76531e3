"""A loopback Microsoft Graph for the benchmark: every mailbox's calendarView and the
``$batch`` of its series masters, a fixed latency per request, and a count of the
requests made. Threaded, like Graph: slow answers overlap.

Every mailbox holds the same week (``week_items``): single meetings and the occurrences
of two series, their ``iCalUId`` Exchange's global object ids as Graph gives them (the
series' own is read off them: no request for the masters; a ``$batch`` is served all
the same, for ids that say nothing).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from json_server import JsonHandler, LoopbackJsonServer


class _Handler(JsonHandler):
    def do_GET(self) -> None:  # noqa: N802  (http.server names it)
        self._wait()
        if not urlsplit(self.path).path.endswith("/calendarView"):
            self._send(404, {"error": {"code": "ResourceNotFound"}})
            return
        self._send(200, {"value": self.fake.items})

    def do_POST(self) -> None:  # noqa: N802
        self._wait()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if urlsplit(self.path).path != "/v1.0/$batch":
            self._send(404, {"error": {"code": "ResourceNotFound"}})
            return
        answers = [
            {
                "id": r["id"],
                "status": 200,
                "body": {"iCalUId": "series-" + r["url"].split("/events/")[1][:9]},
            }
            for r in body["requests"]
        ]
        self._send(200, {"responses": answers})


class FakeGraph(LoopbackJsonServer):
    """Start with ``with FakeGraph(items, latency=0.1) as graph: ... graph.url``."""

    def __init__(self, items: list[dict[str, Any]], *, latency: float):
        super().__init__(_Handler, latency=latency)
        self.items = items


CLASS_ID = "040000008200E00074C5B7101A82E008"  # Exchange's global object ids begin so


def global_id(number: int, on: date | None = None) -> str:
    """Event ``number``'s global object id; of its occurrence ``on`` when given."""
    when = f"{on.year:04X}{on.month:02X}{on.day:02X}" if on else "00000000"
    return f"{CLASS_ID}{when}A0B1C2D3E4F5A6B7{'0' * 16}10000000{number:032X}"


def week_items(monday: date) -> list[dict[str, Any]]:
    """A working week of Graph events (UTC times) from ``monday``: a prospecting block
    and two meetings a day; the daily syncs and Monday's block are occurrences of two
    series."""
    items: list[dict[str, Any]] = []
    for day in range(5):
        when = monday + timedelta(days=day)
        on = when.isoformat()
        slots = [("Prospecting", 9, 11), ("Call with a client", 13, 14), ("Team sync", 15, 16)]
        for n, (subject, start, end) in enumerate(slots):
            number = day * 10 + n
            item: dict[str, Any] = {
                "id": f"AAMk-{number}",
                "iCalUId": global_id(number),
                "subject": subject,
                "body": {"contentType": "text", "content": ""},
                "start": {"dateTime": f"{on}T{start:02d}:00:00.0000000", "timeZone": "UTC"},
                "end": {"dateTime": f"{on}T{end:02d}:00:00.0000000", "timeZone": "UTC"},
                "isAllDay": False,
                "showAs": "busy",
                "isCancelled": False,
                "sensitivity": "normal",
                "type": "singleInstance",
                "isOrganizer": True,
                "createdDateTime": "2025-10-01T08:00:00Z",
            }
            if n == 2 or (n == 0 and day == 0):  # the syncs and Monday's block: series
                master = f"{subject[:4]}{n:05d}"  # 9 characters: the fake's iCalUId
                item |= {
                    "iCalUId": global_id(n, when),
                    "type": "occurrence",
                    "seriesMasterId": master,
                    "originalStart": f"{on}T{start:02d}:00:00Z",
                }
            items.append(item)
    return items
