"""A fake Microsoft Graph on a loopback port (http.server in a thread), for issue 23.

It serves calendarView pages (following its own ``@odata.nextLink``), series masters'
iCalUId, and scripted failures (429 with Retry-After, 403 ErrorAccessDenied, ...). It
checks what the client sends the way Graph does for the requests routine-audit makes:
a bearer token, ``startDateTime``/``endDateTime`` in UTC, a ``$select`` naming every
field the audit uses, a ``$top``; a wrong query gets 400. Every request is recorded.

Use it through the ``graph`` fixture (``graph = graph_fake.graph`` in a test module).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from source_contract import REP as SPEC_REP
from source_contract import Spec

TOKEN = "eyJ-graph-access-token-DO-NOT-PRINT"
REQUIRED_SELECT = {
    "subject", "body", "location", "start", "end", "isAllDay", "showAs", "isCancelled",
    "sensitivity", "categories", "responseStatus", "attendees", "organizer", "isOrganizer",
    "type", "seriesMasterId", "iCalUId", "createdDateTime", "originalStart",
}  # fmt: skip
UTC = ZoneInfo("UTC")
_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_VIEW = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)(/calendars/(?P<cal>[^/]+))?/calendarView$")
_EVENT = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/events/(?P<id>[^/]+)$")


@dataclass
class Seen:
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    status: int = 0


@dataclass
class FakeGraph:
    """The server's state: events per (mailbox, calendar or None), and what to fail."""

    url: str = ""
    page_size: int = 3
    calendars: dict[tuple[str, str | None], list[dict[str, Any]]] = field(default_factory=dict)
    masters: dict[str, str] = field(default_factory=dict)  # event id -> iCalUId
    denied: set[str] = field(default_factory=set)  # calendars or mailboxes: 403
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # next answers
    next_link_base: str | None = None  # a foreign host for nextLink (the client refuses)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, mailbox: str, events: list[dict[str, Any]], calendar: str | None = None):
        self.calendars[(mailbox.lower(), calendar)] = events

    def views(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/calendarView")]

    # --- answering ----------------------------------------------------------------------

    def answer(self, path: str, args: dict[str, str], headers: dict[str, str]):
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, _error("InvalidAuthenticationToken", "Access token is empty.")
        with self.lock:
            if self.failures:
                status, extra = self.failures.pop(0)
                return status, extra, _error("TooManyRequests", "slow down")
        if match := _VIEW.match(path):
            return self._view(unquote(match["user"]).lower(), match["cal"], args)
        if match := _EVENT.match(path):
            found = self.masters.get(unquote(match["id"]))
            if found is None:
                return 404, {}, _error("ErrorItemNotFound", "not found")
            return 200, {}, {"id": match["id"], "iCalUId": found}
        return 404, {}, _error("ResourceNotFound", "no such path")

    def _view(self, user: str, calendar: str | None, args: dict[str, str]):
        calendar = unquote(calendar) if calendar else None
        if user in self.denied or (calendar and calendar in self.denied):
            return 403, {}, _error("ErrorAccessDenied", "Access is denied.")
        if (user, calendar) not in self.calendars:
            return 404, {}, _error("ErrorItemNotFound", "The specified object was not found.")
        times = [args.get("startDateTime", ""), args.get("endDateTime", "")]
        select = set(args.get("$select", "").split(","))
        if not all(_UTC.match(t) for t in times) or not select >= REQUIRED_SELECT:
            return 400, {}, _error("BadRequest", "bad query")
        if "$top" not in args:
            return 400, {}, _error("BadRequest", "the client must ask for large pages")
        start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)
        events = [e for e in self.calendars[(user, calendar)] if _meets(e, start, end)]
        skip = int(args.get("$skip", "0"))
        page = {"value": events[skip : skip + self.page_size]}
        if skip + self.page_size < len(events):
            query = "&".join(f"{k}={v}" for k, v in args.items() if k != "$skip")
            base = self.next_link_base or self.url
            route = f"/v1.0/users/{user}" + (f"/calendars/{calendar}" if calendar else "")
            page["@odata.nextLink"] = (
                f"{base}{route}/calendarView?{query}&$skip={skip + self.page_size}"
            )
        return 200, {}, page


# --- the contract's Spec records as Graph events ----------------------------------------


def _utc(spec: Spec, text: str) -> str:
    if spec.all_day:
        return f"{text}T00:00:00.0000000"
    return spec.moment(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def graph_item(spec: Spec, n: int, masters: dict[str, str]) -> dict[str, Any]:
    """A Spec as Graph's event resource (only the fields the reader selects)."""
    item: dict[str, Any] = {
        "id": f"AAMk-{n}",
        "iCalUId": spec.uid,
        "subject": spec.title,
        "start": {"dateTime": _utc(spec, spec.start), "timeZone": "UTC"},
        "end": {"dateTime": _utc(spec, spec.end), "timeZone": "UTC"},
        "isAllDay": spec.all_day,
        "showAs": "free" if spec.free else "busy",
        "isCancelled": spec.status == "cancelled",
        "sensitivity": "private" if spec.private else "normal",
        "type": "singleInstance",
        "isOrganizer": False,
    }
    if spec.created:
        item["createdDateTime"] = spec.created.replace(" ", "T") + ":00Z"
    if spec.response:
        answer = {"accepted": "accepted", "declined": "declined"}[spec.response]
        item["responseStatus"] = {"response": answer}
        item["organizer"] = {"emailAddress": {"address": "boss@company.example"}}
        item["attendees"] = [
            {"type": "required", "status": {"response": "none"},
             "emailAddress": {"address": SPEC_REP}},
            {"type": "required", "status": {"response": "accepted"},
             "emailAddress": {"address": "boss@company.example"}},
        ]  # fmt: skip
    if spec.original:
        master = f"AAMk-master-{spec.uid}"
        masters[master] = spec.uid
        moved = spec.start != spec.original
        item |= {
            "type": "exception" if moved else "occurrence",
            "iCalUId": f"{spec.uid}-occurrence-{n}",  # Graph's own, per occurrence
            "seriesMasterId": master,
            "originalStart": _utc(spec, spec.original)[:19] + "Z",
        }
    return item


def _meets(event: dict[str, Any], start: datetime, end: datetime) -> bool:
    """Whether an event's UTC times overlap [start, end) (unreadable ones always do)."""
    try:
        first = datetime.fromisoformat(event["start"]["dateTime"][:19] + "+00:00")
        last = datetime.fromisoformat(event["end"]["dateTime"][:19] + "+00:00")
    except (KeyError, ValueError, TypeError):
        return True
    return first < end and last > start


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            args = dict(parse_qsl(parts.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body = fake.answer(parts.path, args, headers)
            with fake.lock:
                fake.seen.append(Seen(parts.path, args, headers, status))
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    """A fresh fake Graph; ``ROUTINE_AUDIT_GRAPH_ENDPOINT`` and the token point at it."""
    fake = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", fake.url)
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", TOKEN)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
