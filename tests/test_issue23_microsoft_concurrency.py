"""Issue 23, Reading: at most 4 requests at once per mailbox, parallel across mailboxes;
series masters asked in $batch requests of 20; one deadline per request, so a server
sending a byte now and then cannot hold a read. Against the fake Graph (graph_fake.py)."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import graph_fake
import pytest
from source_contract import REP, ROUTINE
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.errors import SourceError
from routine_audit.sources.microsoft import MicrosoftSource
from routine_audit.sources.microsoft.client import PER_MAILBOX, GraphClient

graph = graph_fake.graph


def event(n: int, **fields):
    """Event ``n`` of a series: Mon 2 Nov 2026, 14:00-14:30 UTC (one per minute)."""
    minute = f"{n % 60:02d}"
    return {
        "id": f"AAMk-{n}",
        "iCalUId": f"uid-{n}@t",
        "subject": f"Meeting {n}",
        "start": {"dateTime": f"2026-11-02T14:{minute}:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-02T15:00:00.0000000", "timeZone": "UTC"},
        "showAs": "busy",
        "type": "singleInstance",
    } | fields


def read(source, week="2026-W45"):
    routine = ra.load_routine(ROUTINE)
    return source.read(ra.period_for(routine, week=week), zone=routine.zone)


def client(fake, **options) -> GraphClient:
    return GraphClient(fake.url, lambda: graph_fake.TOKEN, **options)


def test_45_series_masters_in_three_batches_once(graph):
    graph.page_size = 100
    items = []
    for n in range(45):
        master = f"AAMk-master-{n}"
        graph.masters[master] = f"series-{n}@t"
        items.append(event(n, type="occurrence", seriesMasterId=master,
                           originalStart=f"2026-11-02T14:{n:02d}:00Z"))  # fmt: skip
    graph.serve(REP, items)
    source = MicrosoftSource(client(graph), REP)
    data = read(source)
    assert {e.uid for e in data.events} == {f"series-{n}@t" for n in range(45)}
    batches = graph.posts("/$batch")
    assert sorted(len(b.body["requests"]) for b in batches) == [5, 20, 20]  # 45 = 20 + 20 + 5
    read(source)  # known masters are never asked again
    assert len(graph.posts("/$batch")) == 3
    assert len(graph.views()) == 2


def test_a_throttled_batch_member_is_asked_again(graph):
    graph.masters |= {"AAMk-a": "a@t", "AAMk-b": "b@t"}
    graph.serve(REP, [
        event(1, type="occurrence", seriesMasterId="AAMk-a", originalStart="2026-11-02T14:01:00Z"),
        event(2, type="occurrence", seriesMasterId="AAMk-b", originalStart="2026-11-02T14:02:00Z"),
    ])  # fmt: skip
    original = graph.answer
    asked: list[str] = []

    def once_throttled(path, args, headers):
        asked.append(path)
        if path.endswith("/AAMk-b") and asked.count(path) == 1:
            return 429, {}, {"error": {"code": "TooManyRequests"}}
        return original(path, args, headers)

    graph.answer = once_throttled
    data = read(MicrosoftSource(client(graph), REP))
    assert {e.uid for e in data.events} == {"a@t", "b@t"}
    batches = graph.posts("/$batch")
    assert [len(b.body["requests"]) for b in batches] == [2, 1]


def test_at_most_four_requests_at_once_per_mailbox(graph):
    graph.serve(REP, [event(1)])
    graph.serve("other@company.example", [event(1)])
    graph.latency = 0.1
    shared = client(graph)
    sources = [MicrosoftSource(shared, REP) for _ in range(10)]
    sources += [MicrosoftSource(shared, "other@company.example") for _ in range(10)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(read, sources))
    assert PER_MAILBOX == 4
    assert graph.peak[REP] == 4 and graph.peak["other@company.example"] == 4
    assert graph.busiest == 8  # both mailboxes at once: the limit is each mailbox's


def test_a_team_reads_its_mailboxes_side_by_side(graph, tmp_path):
    reps = [f"rep{n}@company.example" for n in range(6)]
    for n, address in enumerate(reps):
        graph.serve(address, [event(1)])
        (tmp_path / f"rep{n}.yaml").write_text(ROUTINE.read_text().replace(REP, address))
    graph.latency = 0.2
    lines = "".join(
        f"  - {{email: {a}, routine: rep{n}.yaml, calendar: {{type: microsoft}}}}\n"
        for n, a in enumerate(reps)
    )
    team = tmp_path / "team.yaml"
    team.write_text(f"kind: team\nversion: 1\nname: T\ntimezone: America/New_York\nreps:\n{lines}")
    result = CliRunner().invoke(app, [
        "team", "audit", "--config", str(team), "--week", "2026-W45",
        "--db", str(tmp_path / "h.sqlite"),
    ])  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert len(graph.views()) == 6
    assert graph.busiest > 1  # not one mailbox after another


def trickle(handler) -> None:
    """Headers, then one byte of body every 0.2 s: each read is inside any socket timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(100):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        return


def test_a_trickling_server_meets_the_deadline(graph):
    graph.serve(REP, [event(1)])
    graph.hostile.append(trickle)
    began = time.monotonic()
    with pytest.raises(SourceError, match=r"did not answer .* within 1 s"):
        read(MicrosoftSource(client(graph, timeout=1.0), REP))
    assert time.monotonic() - began < 5  # 1 s deadline, not 100 x 0.2 s


def test_the_deadline_covers_the_waits_between_tries(graph):
    graph.serve(REP, [event(1)])
    graph.failures = [(429, {"Retry-After": "30"})]
    waits: list[float] = []
    with pytest.raises(SourceError, match="stayed busy"):
        read(MicrosoftSource(client(graph, timeout=10.0, sleep=waits.append), REP))
    assert waits == []  # 30 s of waiting cannot fit a 10 s deadline: no wait, one line


def test_a_silent_server_meets_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts (the kernel does) and never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        began = time.monotonic()
        with pytest.raises(SourceError, match="within 1 s"):
            read(MicrosoftSource(GraphClient(url, lambda: "t", timeout=1.0), REP))
        assert time.monotonic() - began < 5
    finally:
        listener.close()


# Exchange's global object id of a series (MS-OXOCAL): the class id, a zero date, then
# the creation time, 8 zero bytes, the data's size (16) and 16 bytes of data
SERIES_ID = (
    "040000008200E00074C5B7101A82E008" "00000000" "A0B1C2D3E4F5A6B7" "0000000000000000"
    "10000000" "00112233445566778899AABBCCDDEEFF"
)  # fmt: skip


def test_a_global_object_id_names_its_series_without_a_request(graph):
    # the occurrences of Mon 2 and Tue 3 Nov carry their original date: 07EA 0B 02/03
    on_the_2nd = SERIES_ID[:32] + "07EA0B02" + SERIES_ID[40:]
    on_the_3rd = SERIES_ID[:32] + "07EA0B03" + SERIES_ID[40:]
    graph.serve(REP, [
        event(1, iCalUId=on_the_2nd, type="occurrence", seriesMasterId="AAMk-s",
              originalStart="2026-11-02T14:01:00Z"),
        event(2, iCalUId=on_the_3rd.lower(), type="exception", seriesMasterId="AAMk-s",
              originalStart="2026-11-03T14:02:00Z"),
        event(3, iCalUId="not-exchange@t", type="occurrence", seriesMasterId="AAMk-x",
              originalStart="2026-11-02T14:03:00Z"),
    ])  # fmt: skip
    graph.masters["AAMk-x"] = "external@t"
    data = read(MicrosoftSource(client(graph), REP))
    assert sorted(e.uid for e in data.events) == sorted([SERIES_ID, SERIES_ID, "external@t"])
    (batch,) = graph.posts("/$batch")  # only the series whose id says nothing is asked
    assert [r["url"] for r in batch.body["requests"]] == [
        "/users/rep@company.example/events/AAMk-x?$select=iCalUId"
    ]
