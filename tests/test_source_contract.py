"""The .ics and Google sources keep the source contract (tests/source_contract.py).

Google is the fake on loopback (tests/google_fake.py), serving what the API would
for the period asked: the events that overlap it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import google_fake
import pytest
from source_contract import NY, REP, IcsWriter, SourceContract, Spec

from routine_audit.sources import REGISTRY

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)


class TestIcsSource(SourceContract):
    name = "ics"

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        IcsWriter.write(folder, specs)
        return {"location": "week.ics"}  # relative: against the context's folder

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        IcsWriter.write(folder, specs, broken=True)
        return {"location": "week.ics"}

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        return {"location": "missing.ics"}


PERIOD_START, PERIOD_END = "2026-11-02T00:00:00-05:00", "2026-11-09T00:00:00-05:00"


class TestGoogleSource(SourceContract):
    name = "google"

    @pytest.fixture(autouse=True)
    def _fake(self, google):
        self.fake = google

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        items = [google_item(s) for s in specs if _overlaps(s)]  # the API's own filter
        self.fake.serve_items("primary", items, per_page=5, timeZone="America/New_York")
        return {"id": "primary"}

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        broken = {**google_item(specs[0]), "id": "broken", "iCalUID": "broken@t"}
        broken["start"] = {"dateTime": "2026-11-03 nonsense"}
        items = [google_item(s) for s in specs if _overlaps(s)] + [broken]
        self.fake.serve_items("primary", items, timeZone="America/New_York")
        return {"id": "primary"}

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        return {"id": "nobody@company.example"}  # not served: 404 notFound

    def test_the_source_asks_for_the_period(self, tmp_path):
        self.read(tmp_path)
        asked = {(r.args["timeMin"], r.args["timeMax"]) for r in self.fake.event_requests()}
        assert asked == {(PERIOD_START, PERIOD_END)}

    def test_google_ids_are_kept(self, tmp_path):
        _, _, data = self.read(tmp_path)
        standups = sorted((e for e in data.events if e.uid == "standup@t"), key=lambda e: e.start)
        assert [(e.source_id, e.series_id) for e in standups] == [
            ("standup_20261102T130000Z", "standup"),
            ("standup_20261103T130000Z", "standup"),
        ]


def test_every_built_in_source_runs_the_contract():
    covered = {c.name for c in SourceContract.__subclasses__()}
    assert {"ics", "google"} <= covered
    assert {"ics", "google"} <= set(REGISTRY)


def google_item(spec: Spec) -> dict[str, Any]:
    """A Spec as an events.list item (singleEvents: instances carry their series)."""
    base = spec.uid.split("@")[0]
    item: dict[str, Any] = {
        "kind": "calendar#event",
        "id": base,
        "iCalUID": spec.uid,
        "status": spec.status,
        "summary": spec.title,
        "start": _when(spec, spec.start),
        "end": _when(spec, spec.end),
        "eventType": "default",
        "organizer": {"email": REP, "self": True},
    }
    if spec.original:
        original = spec.moment(spec.original).astimezone(NY.__class__("UTC"))
        item["id"] = f"{base}_{original:%Y%m%dT%H%M%SZ}"
        item["recurringEventId"] = base
        item["originalStartTime"] = _when(spec, spec.original)
    if spec.created:
        item["created"] = spec.created.replace(" ", "T") + ":00.000Z"
    if spec.response:
        item["organizer"] = {"email": "boss@company.example"}
        item["attendees"] = [
            {"email": REP, "self": True, "responseStatus": spec.response},
            {"email": "boss@company.example", "responseStatus": "accepted"},
        ]
    if spec.free:
        item["transparency"] = "transparent"
    if spec.private:
        item["visibility"] = "private"
    return item


def _when(spec: Spec, value: str) -> dict[str, str]:
    if " " not in value:
        return {"date": value}
    if spec.tz is None:  # floating: local time, no zone (the reader's zone applies)
        return {"dateTime": value.replace(" ", "T") + ":00"}
    return {"dateTime": spec.moment(value).isoformat(), "timeZone": spec.tz}


def _overlaps(spec: Spec) -> bool:
    from datetime import datetime

    start, end = datetime.fromisoformat(PERIOD_START), datetime.fromisoformat(PERIOD_END)
    return spec.moment(spec.end) > start and spec.moment(spec.start) < end
