"""A fake Microsoft Graph on a loopback port (http.server in a thread), for issue 23.

It serves calendarView pages (following its own ``@odata.nextLink``), series masters'
iCalUId (alone or in a ``$batch`` of at most 20), getSchedule's free/busy items, a
mailbox's calendars, scripted failures (429 with Retry-After, 403 ErrorAccessDenied,
...) and hostile answers (``hostile``: raw bytes, a trickle, a cut). It checks what the
client sends the way Graph does for the requests routine-audit makes: a bearer token,
``startDateTime``/``endDateTime`` in UTC, a ``$select`` naming every field the audit
uses, a ``$top``; getSchedule's body (the one mailbox, UTC times, at most 62 days); a
wrong request gets 400. Every request is recorded, with the most requests one mailbox
had at once (``peak``); ``latency`` delays every answer.

Use it through the ``graph`` fixture (``graph = graph_fake.graph`` in a test module);
``graph_event`` makes a Graph event, ``opened`` the source reading a mailbox and
``audit`` runs ``routine-audit audit`` on the contract's rep through it, ``team_file``
and ``check_and_audit`` a team file of that rep.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from loopback import Loopback, send
from source_contract import REP as SPEC_REP
from source_contract import ROUTINE, Spec
from typer.testing import CliRunner, Result

from routine_audit.cli import app
from routine_audit.sources import source_class
from routine_audit.sources.base import SourceContext
from routine_audit.sources.microsoft import MicrosoftSource

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
_SCHEDULE = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/calendar/getSchedule$")
_CALENDARS = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/calendars$")
_USER = re.compile(r"/users/(?P<user>[^/?]+)")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


@dataclass
class Seen:
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    method: str = "GET"
    body: Any = None


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
    free_busy: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # getSchedule
    schedule_denied: set[str] = field(default_factory=set)  # getSchedule answers 403
    calendar_list: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # next raw answers: each writes to the handler's socket itself (hostile servers)
    hostile: list[Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=list)
    latency: float = 0.0  # seconds before each answer
    seen: list[Seen] = field(default_factory=list)
    active: dict[str, int] = field(default_factory=dict)  # mailbox -> requests now
    peak: dict[str, int] = field(default_factory=dict)  # mailbox -> most at once
    busiest: int = 0  # most requests at once over all mailboxes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, mailbox: str, events: list[dict[str, Any]], calendar: str | None = None):
        self.calendars[(mailbox.lower(), calendar)] = events

    def views(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/calendarView")]

    def posts(self, ending: str) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path.endswith(ending)]

    def enter(self, user: str) -> None:
        with self.lock:
            self.active[user] = self.active.get(user, 0) + 1
            self.peak[user] = max(self.peak.get(user, 0), self.active[user])
            self.busiest = max(self.busiest, sum(self.active.values()))

    def leave(self, user: str) -> None:
        with self.lock:
            self.active[user] -= 1

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
        if match := _CALENDARS.match(path):
            user = unquote(match["user"]).lower()
            if user in self.denied:
                return 403, {}, _error("ErrorAccessDenied", "Access is denied.")
            if user not in self.calendar_list:
                return 404, {}, _error("ErrorItemNotFound", "not found")
            return 200, {}, {"value": self.calendar_list[user]}
        return 404, {}, _error("ResourceNotFound", "no such path")

    def answer_post(self, path: str, body: Any, headers: dict[str, str]):
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, _error("InvalidAuthenticationToken", "Access token is empty.")
        if "application/json" not in headers.get("content-type", ""):
            return 400, {}, _error("BadRequest", "JSON only")
        with self.lock:
            if self.failures:
                status, extra = self.failures.pop(0)
                return status, extra, _error("TooManyRequests", "slow down")
        if path == "/v1.0/$batch":
            return self._batch(body, headers)
        if match := _SCHEDULE.match(path):
            return self._schedule(unquote(match["user"]).lower(), body)
        return 404, {}, _error("ResourceNotFound", "no such path")

    def _batch(self, body: Any, headers: dict[str, str]):
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not 1 <= len(requests) <= 20:
            return 400, {}, _error("BadRequest", "1 to 20 requests in a batch")
        responses = []
        for request in requests:
            parts = urlsplit("/v1.0" + str(request.get("url", "")))
            args = dict(parse_qsl(parts.query, keep_blank_values=True))
            if request.get("method") != "GET" or not _EVENT.match(parts.path):
                return 400, {}, _error("BadRequest", "only series masters are batched here")
            status, _, answer = self.answer(parts.path, args, headers)
            responses.append({"id": request.get("id"), "status": status, "body": answer})
        return 200, {}, {"responses": responses}

    def _schedule(self, user: str, body: Any):
        if user in self.schedule_denied:
            return 403, {}, _error("ErrorAccessDenied", "Access is denied.")
        try:
            schedules = body["schedules"]
            times = [body["startTime"], body["endTime"]]
            interval = body.get("availabilityViewInterval", 30)
        except (KeyError, TypeError):
            return 400, {}, _error("BadRequest", "schedules, startTime and endTime")
        if [str(s).lower() for s in schedules] != [user]:
            return 400, {}, _error("BadRequest", "this reader asks for the one mailbox")
        if not all(
            t.get("timeZone") == "UTC" and _LOCAL.match(t.get("dateTime", "")) for t in times
        ):
            return 400, {}, _error("BadRequest", "times in UTC")
        start, end = (datetime.fromisoformat(t["dateTime"][:19] + "+00:00") for t in times)
        if not (isinstance(interval, int) and 5 <= interval <= 1440):
            return 400, {}, _error("BadRequest", "availabilityViewInterval")
        if not start < end <= start + timedelta(days=62):
            return 400, {}, _error("BadRequest", "at most 62 days")
        if user not in self.free_busy:
            entry: dict[str, Any] = {
                "scheduleId": user,
                "error": {"message": "no free/busy for you", "responseCode": "ErrorAccessDenied"},
            }
        else:
            items = [i for i in self.free_busy[user] if _meets(i, start, end)]
            entry = {"scheduleId": user, "availabilityView": "2", "scheduleItems": items}
        return 200, {}, {"value": [entry]}

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


def free_busy_item(status: str, start: str, end: str, **more: Any) -> dict[str, Any]:
    """A getSchedule scheduleItem between two UTC times ("2026-11-02T14:00")."""
    return {
        "isPrivate": False,
        "status": status,
        "start": {"dateTime": f"{start}:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}:00.0000000", "timeZone": "UTC"},
    } | more


def graph_event(n: int, start: str, end: str, **fields: Any) -> dict[str, Any]:
    """Graph's event ``AAMk-{n}`` ("Meeting {n}", iCalUId ``uid-{n}@t``): a busy single
    event between two UTC times ("2026-11-02T14:00"); ``fields`` add or replace."""
    return {
        "id": f"AAMk-{n}",
        "iCalUId": f"uid-{n}@t",
        "subject": f"Meeting {n}",
        "start": {"dateTime": f"{start}:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}:00.0000000", "timeZone": "UTC"},
        "showAs": "busy",
        "type": "singleInstance",
    } | fields


def opened(user: str = SPEC_REP, **values: Any) -> MicrosoftSource:
    """The microsoft source reading ``user``'s mailbox, with the settings ``values``."""
    kind = source_class("microsoft")
    return kind.open(kind.Settings.model_validate({"user": user, **values}), SourceContext())


def audit(*more: object, user: str = SPEC_REP) -> Result:
    """``routine-audit audit`` of the contract's routine (ROUTINE) in 2026-W45, reading
    ``user``'s mailbox; ``more`` are further options (``--format json``, ...)."""
    return CliRunner().invoke(app, [
        "audit", "--source", "microsoft", "--source-option", f"user={user}",
        "--routine", str(ROUTINE), "--week", "2026-W45", *map(str, more),
    ])  # fmt: skip


def team_file(folder: Path, section: str = "") -> Path:
    """A team file in ``folder`` (the contract's routine copied beside it) whose one rep
    reads their own mailbox; ``section`` goes before the reps (a ``microsoft:`` one)."""
    shutil.copy(ROUTINE, folder / "rep.yaml")
    team = folder / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"
        + section
        + f"reps:\n  - {{email: {SPEC_REP}, routine: rep.yaml, calendar: {{type: microsoft}}}}\n"
    )
    return team


def check_and_audit(team: Path) -> tuple[Result, Result]:
    """``rules check --online`` and ``team audit`` of 2026-W45 of ``team`` (history and
    output beside it): both succeed, and the rep's prospecting is the contract week's
    Mon 09-11 (2 h). The two results."""
    runner, folder = CliRunner(), team.parent
    online = runner.invoke(app, ["rules", "check", "--online", str(team)])
    assert online.exit_code == 0, online.output
    audited = runner.invoke(app, [
        "team", "audit", "--config", str(team), "--week", "2026-W45",
        "--db", str(folder / "h.sqlite"), "--out", str(folder / "out"),
    ])  # fmt: skip
    assert audited.exit_code == 0, audited.output
    figures = json.loads((folder / "out" / "team.json").read_text())
    assert figures["reps"][SPEC_REP]["commitments"][0]["scheduled"] == 2.0
    return online, audited


def _mailbox(path: str, body: Any) -> str:
    """Whose mailbox a request is for (a batch: its first request's)."""
    if isinstance(body, dict) and isinstance(body.get("requests"), list) and body["requests"]:
        path = str(body["requests"][0].get("url", ""))
    found = _USER.search(path)
    return unquote(found["user"]).lower() if found else ""


def _handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            args = dict(parse_qsl(parts.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            body: Any = None
            if method == "POST":
                raw = self.rfile.read(int(headers.get("content-length", "0")))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
            with fake.lock:
                hostile = fake.hostile.pop(0) if fake.hostile else None
            if hostile is not None:
                with fake.lock:
                    fake.seen.append(Seen(parts.path, args, headers, -1, method, body))
                hostile(self)
                return
            user = _mailbox(parts.path, body)
            fake.enter(user)
            try:
                time.sleep(fake.latency)
                if method == "POST":
                    status, extra, answer = fake.answer_post(parts.path, body, headers)
                else:
                    status, extra, answer = fake.answer(parts.path, args, headers)
            finally:
                fake.leave(user)
            with fake.lock:
                fake.seen.append(Seen(parts.path, args, headers, status, method, body))
            send(self, status, answer, extra)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    """A fresh fake Graph; ``ROUTINE_AUDIT_GRAPH_ENDPOINT`` and the token point at it."""
    fake = FakeGraph()
    # daemon threads: a hostile answer left hanging does not hold the shutdown
    with Loopback(_handler(fake), daemon_threads=True) as server:
        fake.url = server.url
        monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", fake.url)
        monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", TOKEN)
        yield fake
