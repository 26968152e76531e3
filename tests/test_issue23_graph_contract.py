"""Issue 23: the Graph source passes the shared contract suite (tests/source_contract.py).

The contract's ``Spec`` week is served by the fake Graph as calendarView would: times
in UTC, all-day events as midnight dates, the series' two instances as an occurrence
and an exception with their own iCalUId, a ``seriesMasterId`` and ``originalStart``.
Graph has no floating times: the floating spec is served at its New York time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import graph_fake
import pytest
from source_contract import REP, SourceContract, Spec

graph = graph_fake.graph
UTC = ZoneInfo("UTC")


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
             "emailAddress": {"address": REP}},
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


class TestGraphSource(SourceContract):
    name = "graph"

    @pytest.fixture(autouse=True)
    def _fake(self, graph):
        self.fake = graph

    def _serve(self, specs: tuple[Spec, ...], extra: list[dict[str, Any]] = ()) -> dict:
        items = [graph_item(s, n, self.fake.masters) for n, s in enumerate(specs)]
        self.fake.serve(REP, items + list(extra))
        return {"mailbox": REP}

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        return self._serve(specs)

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        broken = graph_item(specs[0], 99, self.fake.masters)
        broken |= {"iCalUId": "broken@t", "start": {"dateTime": "2026-11-03 nonsense"}}
        return self._serve(specs, [broken])

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        return {"mailbox": "nobody@company.example"}  # not served: 404

    def test_graph_ids_are_kept(self, tmp_path):
        _, _, data = self.read(tmp_path)
        standups = sorted((e for e in data.events if e.uid == "standup@t"), key=lambda e: e.start)
        assert [e.series_id for e in standups] == ["AAMk-master-standup@t"] * 2
        assert [e.source_id for e in standups] == ["AAMk-10", "AAMk-11"]  # WEEK's 11th, 12th
