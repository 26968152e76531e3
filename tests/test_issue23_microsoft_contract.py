"""Issue 23: the Graph source passes the shared contract suite (tests/source_contract.py).

The contract's ``Spec`` week is served by the fake Graph as calendarView would: times
in UTC, all-day events as midnight dates, the series' two instances as an occurrence
and an exception with their own iCalUId, a ``seriesMasterId`` and ``originalStart``.
Graph has no floating times: the floating spec is served at its New York time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graph_fake
import pytest
from graph_fake import graph_item
from source_contract import REP, SourceContract, Spec

graph = graph_fake.graph


class TestMicrosoftSource(SourceContract):
    name = "microsoft"

    @pytest.fixture(autouse=True)
    def _fake(self, graph):
        self.fake = graph

    def _serve(self, specs: tuple[Spec, ...], extra: list[dict[str, Any]] = ()) -> dict:
        items = [graph_item(s, n, self.fake.masters) for n, s in enumerate(specs)]
        self.fake.serve(REP, items + list(extra))
        return {"user": REP}

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        return self._serve(specs)

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        broken = graph_item(specs[0], 99, self.fake.masters)
        broken |= {"iCalUId": "broken@t", "start": {"dateTime": "2026-11-03 nonsense"}}
        return self._serve(specs, [broken])

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        return {"user": "nobody@company.example"}  # not served: 404

    def test_graph_ids_are_kept(self, tmp_path):
        _, _, data = self.read(tmp_path)
        standups = sorted((e for e in data.events if e.uid == "standup@t"), key=lambda e: e.start)
        assert [e.series_id for e in standups] == ["AAMk-master-standup@t"] * 2
        assert [e.source_id for e in standups] == ["AAMk-10", "AAMk-11"]  # WEEK's 11th, 12th
