"""Issue 23: whatever a server answering as Microsoft Graph does, a read ends in
bounded time and memory with one line (exit 2), never a traceback, the token or the
server's words. Each case through the CLI, against the fake Graph's ``hostile`` answers."""

from __future__ import annotations

import socket
import struct
import time

import graph_fake
import pytest
from source_contract import REP, ROUTINE

import routine_audit as ra
from routine_audit.errors import SourceError
from routine_audit.sources.microsoft import MicrosoftSource
from routine_audit.sources.microsoft.client import GraphClient

graph = graph_fake.graph
SECRET = "SERVER-WORDS-NOT-SHOWN"


def audit():
    """The rep's audit through the CLI, and the seconds it took."""
    began = time.monotonic()
    result = graph_fake.audit()
    return result, time.monotonic() - began


def raw(status: int, body: bytes, content_type: str = "application/json", **headers: str):
    def answer(handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def reset_mid_body(handler) -> None:
    """Promise 1000 bytes, send 20, then reset the connection (RST, not a clean close)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b'{"value": [{"id": "x')
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def endless(handler) -> None:
    """A page with no length that never ends (until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    try:
        handler.wfile.write(b'{"value": [')
        while True:
            handler.wfile.write(b'{"id": "AAMk", "subject": "' + b"x" * 60_000 + b'"},')
    except OSError:
        return


CASES = {
    "garbage JSON": (raw(200, b'{"value": [tru'), "not a JSON object (application/json)"),
    "a 200 with HTML": (
        raw(200, f"<html><body>{SECRET} sign in</body></html>".encode(), "text/html"),
        "not a JSON object (text/html)",
    ),
    "JSON that is not an object": (raw(200, b"[1, 2, 3]"), "not a JSON object"),
    "a huge page declared": (raw(200, b"{}", Content_Length=str(10**12)), "over 50 MB"),
    "Retry-After of 10 days": (
        raw(
            429,
            b'{"error": {"code": "TooManyRequests", "message": "' + SECRET.encode() + b'"}}',
            Retry_After="864000",
        ),
        "stayed busy for the calendar of rep@company.example (429 TooManyRequests)",
    ),
    "a reset mid-body": (reset_mid_body, "was cut off"),
    "a redirect elsewhere": (
        raw(302, b"", Location="https://evil.example/steal"),
        "answered 302 for the calendar",
    ),
    "an error code that is a sentence": (
        raw(403, b'{"error": {"code": "Please email ' + SECRET.encode() + b'"}}'),
        "no access to the calendar of rep@company.example (403)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_one_line_in_bounded_time(graph, case):
    graph.serve(REP, [])
    answer, expected = CASES[case]
    graph.hostile.append(answer)
    result, seconds = audit()
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert expected in line
    assert "Traceback" not in result.output and SECRET not in result.output
    assert graph_fake.TOKEN not in result.output
    assert seconds < 10
    assert [s.path for s in graph.seen][:1] == ["/v1.0/users/rep@company.example/calendarView"]
    assert not any("evil" in s.path for s in graph.seen)


def test_next_link_to_another_host_is_one_line(graph):
    graph.serve(REP, [{"id": f"AAMk-{n}"} for n in range(5)])
    graph.next_link_base = "https://graph.evil.example"
    result, _ = audit()
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "another host" in line and graph_fake.TOKEN not in result.output


def test_a_page_without_end_stops_at_the_size_limit(graph):
    graph.serve(REP, [])
    graph.hostile.append(endless)
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    client = GraphClient(graph.url, lambda: graph_fake.TOKEN, max_bytes=2 * 2**20)
    with pytest.raises(SourceError, match="over 2 MB"):
        MicrosoftSource(client, REP).read(period, zone=routine.zone)


def test_next_pages_without_end_stop(graph, monkeypatch):
    from routine_audit.sources.microsoft import reader

    monkeypatch.setattr(reader, "MAX_PAGES", 5)
    graph.serve(REP, [])
    looping = {"value": [], "@odata.nextLink": f"{graph.url}/v1.0/users/{REP}/calendarView?x=1"}
    body = __import__("json").dumps(looping).encode()
    graph.hostile += [raw(200, body)] * 6
    result, _ = audit()
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "kept sending next pages" in line and "after 5" in line
    assert len(graph.seen) == 5


def test_401_is_exit_2_without_the_token(graph, monkeypatch):
    graph.serve(REP, [])
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", "stolen-DO-NOT-PRINT")
    result, _ = audit()
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "401 InvalidAuthenticationToken" in line and "DO-NOT-PRINT" not in result.output
