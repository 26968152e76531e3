"""Issue 23: reading a mailbox through calendarView, against the fake Graph (graph_fake.py).

The week is 2026-W45 of rep@company.example (New York, UTC-5): Mon 2 Nov 00:00 New
York is 05:00 UTC, so the period asks for 2026-11-02T05:00:00Z to 2026-11-09T05:00:00Z.
"""

from __future__ import annotations

import graph_fake
import pytest
from graph_fake import graph_event, opened
from source_contract import REP, ROUTINE

import routine_audit as ra
from routine_audit.errors import CredentialError, SourceError
from routine_audit.sources.microsoft import MicrosoftSource
from routine_audit.sources.microsoft.client import GraphClient

graph = graph_fake.graph


def event(n: int, day: int = 2, hour: int = 14, **fields):
    """A one-hour Graph event on ``day`` November 2026 at ``hour`` UTC."""
    on = f"2026-11-{day:02d}T"
    return graph_event(n, f"{on}{hour:02d}:00", f"{on}{hour + 1:02d}:00", **fields)


def read(source: MicrosoftSource):
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    return source.read(period, zone=routine.zone)


def test_query_in_utc_with_select_and_top(graph):
    graph.serve(REP, [event(1)])
    data = read(opened())
    assert [e.uid for e in data.events] == ["uid-1@t"]
    (view,) = graph.views()
    assert view.path == "/v1.0/users/rep@company.example/calendarView"
    assert (view.args["startDateTime"], view.args["endDateTime"]) == (
        "2026-11-02T05:00:00Z",  # Mon 00:00 New York (UTC-5)
        "2026-11-09T05:00:00Z",  # Mon 9 00:00 New York, the exclusive end
    )
    assert int(view.args["$top"]) >= 100  # not Graph's default of 10
    assert "prefer" in view.headers and "timezone" not in view.headers["prefer"]


def test_named_calendar(graph):
    graph.serve(REP, [event(1)], calendar="AAMkCal")
    read(opened(calendar="AAMkCal"))
    assert graph.views()[0].path.endswith("/calendars/AAMkCal/calendarView")


def test_every_page_followed(graph):
    graph.serve(REP, [event(n, hour=8 + n) for n in range(7)])  # pages of 3: 3 + 3 + 1
    data = read(opened())
    assert len(data.events) == 7
    assert len(graph.views()) == 3


def test_next_link_on_another_host_is_not_followed(graph):
    graph.serve(REP, [event(n, hour=8 + n) for n in range(4)])
    graph.next_link_base = "https://graph.evil.example"
    with pytest.raises(SourceError, match="another host"):
        read(opened())
    assert len(graph.views()) == 1  # the token never went elsewhere


@pytest.mark.parametrize("status", [429, 503, 504])
def test_throttling_retried_honouring_retry_after(graph, status):
    graph.serve(REP, [event(1)])
    graph.failures = [(status, {"Retry-After": "7"}), (status, {"Retry-After": "2"})]
    waits: list[float] = []
    client = GraphClient(graph.url, lambda: graph_fake.TOKEN, sleep=waits.append)
    data = read(MicrosoftSource(client, REP))
    assert [e.uid for e in data.events] == ["uid-1@t"]
    assert waits == [7.0, 2.0]


def test_backoff_without_retry_after_grows(graph):
    graph.serve(REP, [event(1)])
    graph.failures = [(503, {}), (503, {}), (503, {})]
    waits: list[float] = []
    client = GraphClient(graph.url, lambda: graph_fake.TOKEN, sleep=waits.append)
    read(MicrosoftSource(client, REP))
    # 1 s, 2 s, 4 s, each with up to half again of jitter
    assert [1 <= waits[0] <= 1.5, 2 <= waits[1] <= 3, 4 <= waits[2] <= 6] == [True] * 3


def test_throttled_too_long_is_one_error(graph):
    graph.serve(REP, [event(1)])
    graph.failures = [(429, {"Retry-After": "0"})] * 5
    client = GraphClient(graph.url, lambda: graph_fake.TOKEN, sleep=lambda s: None)
    with pytest.raises(SourceError, match="stayed busy"):
        read(MicrosoftSource(client, REP))


def test_401_is_a_credential_error_without_the_token(graph, monkeypatch):
    graph.serve(REP, [event(1)])
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", "wrong-token-DO-NOT-PRINT")
    with pytest.raises(CredentialError) as caught:
        read(opened())
    assert "401" in str(caught.value) and "DO-NOT-PRINT" not in str(caught.value)


def test_403_access_denied_says_how_to_share(graph):
    graph.serve(REP, [event(1)])
    graph.denied.add(REP)
    with pytest.raises(SourceError) as caught:
        read(opened())
    text = str(caught.value)
    assert "ErrorAccessDenied" in text and "share" in text.lower()
    assert "Access is denied" not in text  # the server's words are not repeated


def test_404_names_the_mailbox(graph):
    with pytest.raises(SourceError, match=r"rep@company\.example was not found"):
        read(opened())


def test_no_token_is_a_credential_error(graph, monkeypatch):
    monkeypatch.delenv("ROUTINE_AUDIT_GRAPH_TOKEN")
    with pytest.raises(CredentialError, match="ROUTINE_AUDIT_GRAPH_TOKEN"):
        opened()


def test_token_file(graph, tmp_path, monkeypatch):
    monkeypatch.delenv("ROUTINE_AUDIT_GRAPH_TOKEN")
    (tmp_path / "token").write_text(graph_fake.TOKEN + "\n", encoding="utf-8")
    graph.serve(REP, [event(1)])
    assert len(read(opened(token_file=str(tmp_path / "token"))).events) == 1


def test_series_master_fetched_once(graph):
    series = {"type": "occurrence", "seriesMasterId": "AAMk-m"}
    graph.serve(REP, [
        event(1, day=2, originalStart="2026-11-02T14:00:00Z", **series),
        event(2, day=3, originalStart="2026-11-03T14:00:00Z", **series),
    ])  # fmt: skip
    graph.masters["AAMk-m"] = "weekly@t"
    source = opened()
    data = read(source)
    assert {e.uid for e in data.events} == {"weekly@t"}
    read(source)
    (batch,) = graph.posts("/$batch")  # once per series, not per occurrence nor per read
    assert [r["url"] for r in batch.body["requests"]] == [
        "/users/rep@company.example/events/AAMk-m?$select=iCalUId"
    ]


def test_unreadable_event_is_a_problem(graph):
    graph.serve(REP, [event(1), event(2) | {"start": {"dateTime": "nonsense", "timeZone": "UTC"}}])
    data = read(opened())
    assert [e.uid for e in data.events] == ["uid-1@t"]
    assert [p.message for p in data.problems] == ["event skipped, unreadable value"]
