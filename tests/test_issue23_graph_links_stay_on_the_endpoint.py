"""Issue 23: the bearer token only goes to the configured Graph endpoint, scheme
included: a next page on the same host over http (a downgrade from https), file: or
ftp: is refused before anything is sent, in one line; a ``$batch`` answer naming ids
that were never asked (a Unicode digit among them) is ignored, never a traceback."""

from __future__ import annotations

import json

import graph_fake
import pytest
from source_contract import REP
from test_issue23_microsoft_hostile import audit, raw

from routine_audit.errors import SourceError
from routine_audit.sources.microsoft.client import GraphClient

graph = graph_fake.graph


def test_an_https_endpoint_never_sends_the_token_over_http_on_the_same_host(graph):
    # the fake listens on http://127.0.0.1:PORT; the client is told its endpoint is
    # https on that same host and port, then handed a next page over plain http
    host = graph.url.split("://", 1)[1]
    client = GraphClient(f"https://{host}", lambda: graph_fake.TOKEN)
    with pytest.raises(SourceError, match="another host or scheme"):
        client.get(f"http://{host}/v1.0/users/{REP}/calendarView", what="calendar")
    assert graph.seen == []  # nothing reached the server: no token in the clear


@pytest.mark.parametrize("scheme", ["file", "ftp", "HTTPS"])
def test_a_next_page_with_another_scheme_is_one_line_at_once(graph, scheme):
    graph.serve(REP, [])
    host = graph.url.split("://", 1)[1]
    page = {"value": [], "@odata.nextLink": f"{scheme}://{host}/v1.0/users/{REP}/calendarView"}
    graph.hostile.append(raw(200, json.dumps(page).encode()))
    result, seconds = audit()
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "next page on another host or scheme" in line
    assert graph_fake.TOKEN not in result.output
    assert seconds < 10  # ftp: was followed, and waited out the whole 120 s deadline
    assert len(graph.seen) == 1


def test_an_uppercase_host_in_a_next_page_is_the_same_endpoint(graph):
    graph.serve(REP, [])
    host = graph.url.split("://", 1)[1]
    page = {"value": [], "@odata.nextLink": f"HTTP://{host.upper()}/v1.0/users/{REP}/x"}
    graph.hostile.append(raw(200, json.dumps(page).encode()))
    result, _ = audit()
    # followed (http on the configured host): the fake answers 404 for that path
    assert "another host" not in result.output
    assert [s.path for s in graph.seen][1:] == [f"/v1.0/users/{REP}/x"]


def series_page() -> bytes:
    occurrence = {
        "id": "AAMk-occ", "subject": "Standup", "type": "occurrence",
        "seriesMasterId": "AAMk-master", "iCalUId": "not-a-global-object-id",
        "start": {"dateTime": "2026-11-03T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-03T10:30:00", "timeZone": "UTC"},
        "showAs": "busy", "sensitivity": "normal", "isAllDay": False,
    }  # fmt: skip
    return json.dumps({"value": [occurrence]}).encode()


@pytest.mark.parametrize("given", ["\u00b2", "\u0663", "-1", "7", 0, None, "0x0"])
def test_a_batch_answer_with_ids_not_asked_is_ignored(graph, given):
    graph.serve(REP, [])
    answer = {"responses": [{"id": given, "status": 200, "body": {"iCalUId": "INJECTED"}}]}
    graph.hostile += [raw(200, series_page()), raw(200, json.dumps(answer).encode())]
    result, _ = audit()
    assert result.exit_code in (0, 1), result.output  # an audit, whatever its findings
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
