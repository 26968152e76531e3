"""Issue 18: calendar sources are plug-ins, end to end.

A toy source, defined here in a few lines and registered with ``register_source``,
works with ``audit --source toy``, in a team file, and in ``rules check --online``,
and keeps the source contract. The old short calendar forms give the same team.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import google_fake
import pytest
from google_fake import FIXTURES as GOOGLE_FIXTURES
from google_fake import load_json
from source_contract import WEEK, SourceContract, Spec
from typer.testing import CliRunner

from routine_audit import sources
from routine_audit.cli import app
from routine_audit.config.load import package_data
from routine_audit.errors import SourceError
from routine_audit.model import Attendee, CalendarData, Event, Problem, Response, Status
from routine_audit.sources import register_source, source_class
from routine_audit.sources.base import Source, SourceSettings

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)
runner = CliRunner()
ROUTINE = GOOGLE_FIXTURES / "rep_company.yaml"


# --- the toy source: a JSON list of events, one module's worth of code ---------------


class ToySettings(SourceSettings):
    path: str  # a JSON file of events


class ToySource(Source):
    name = "toy"
    Settings = ToySettings
    tells_created = True

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, settings, context):
        return cls(context.resolve(settings.path))

    def read(self, period, *, zone):
        try:
            rows = json.loads(self.path.read_text())
        except (OSError, ValueError) as exc:
            raise SourceError(f"{self.path} could not be read: {type(exc).__name__}") from None
        events, problems = [], []
        for row in rows:
            try:
                event = toy_event(row, zone, str(self.path))
            except (KeyError, ValueError) as exc:
                problems.append(Problem(str(self.path), "event skipped", detail=str(exc)))
                continue
            if event.end > period.start and event.start < period.end:
                events.append(event)
        return CalendarData(tuple(events), tuple(problems), (str(self.path),))


def toy_event(row: dict[str, Any], zone, source: str) -> Event:
    def when(text: str) -> datetime:
        if "T" not in text:
            return datetime.combine(date.fromisoformat(text), time(), zone)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)

    original = row.get("original")
    return Event(
        uid=row["uid"],
        start=when(row["start"]),
        end=when(row["end"]),
        all_day="T" not in row["start"],
        summary=row.get("title", ""),
        status=Status(row.get("status", "confirmed")),
        transparent=row.get("free", False),
        visibility="private" if row.get("private") else "default",
        organizer=row.get("organizer", ""),
        attendees=tuple(Attendee(e, Response(r)) for e, r in row.get("attendees", ())),
        recurrence_id=when(original) if original else None,
        created=when(row["created"]) if row.get("created") else None,
        source=source,
    )


@pytest.fixture(autouse=True)
def toy():
    register_source("toy", "test_issue18_sources:ToySource")
    yield
    sources.REGISTRY.pop("toy", None)
    sources._CLASSES.pop("toy", None)


def toy_rows(specs: tuple[Spec, ...]) -> list[dict[str, Any]]:
    """The contract's week as the toy's JSON (instants with their offsets)."""
    rows = []
    for spec in specs:
        row: dict[str, Any] = {"uid": spec.uid, "title": spec.title, "status": spec.status}
        for key, value in (("start", spec.start), ("end", spec.end), ("original", spec.original)):
            if value is None:
                continue
            if spec.all_day or spec.tz is None:  # dates, and floating times: no offset
                row[key] = value.replace(" ", "T")
            else:
                row[key] = spec.moment(value).isoformat()
        if spec.created:
            row["created"] = spec.created.replace(" ", "T") + "+00:00"
        if spec.response:
            row["organizer"] = "boss@company.example"
            row["attendees"] = [
                ["rep@company.example", spec.response],
                ["boss@company.example", "accepted"],
            ]
        row["free"], row["private"] = spec.free, spec.private
        rows.append(row)
    return rows


def write_toy(folder: Path, specs: tuple[Spec, ...] = WEEK, extra=()) -> Path:
    path = folder / "week.json"
    path.write_text(json.dumps(toy_rows(specs) + list(extra)))
    return path


class TestToySource(SourceContract):
    name = "toy"

    def settings(self, folder, specs):
        write_toy(folder, specs)
        return {"path": "week.json"}

    def partial_settings(self, folder, specs):
        write_toy(folder, specs, extra=[{"uid": "broken@t", "start": "nonsense", "end": "x"}])
        return {"path": "week.json"}

    def unreadable_settings(self, folder):
        return {"path": "missing.json"}


# --- the command line -----------------------------------------------------------------


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_audit_with_source_toy_equals_the_ics_audit(tmp_path):
    write_toy(tmp_path)
    from source_contract import IcsWriter

    ics = IcsWriter.write(tmp_path, WEEK)
    common = ["--routine", ROUTINE, "--week", "2026-W45", "--format", "json"]
    toy = invoke("audit", "--source", "toy", "--source-option", f"path={tmp_path / 'week.json'}",
                 *common)  # fmt: skip
    short = invoke("audit", "--ics", ics, *common)
    assert toy.exit_code == short.exit_code == 0, toy.output
    mine = json.loads(toy.stdout)["reps"]["rep@company.example"]
    theirs = json.loads(short.stdout)["reps"]["rep@company.example"]
    assert mine["commitments"] == theirs["commitments"]
    assert mine["findings"] == theirs["findings"]


def test_source_ics_with_options_equals_the_short_form(tmp_path):
    from source_contract import IcsWriter

    ics = IcsWriter.write(tmp_path, WEEK)
    common = ["--routine", ROUTINE, "--week", "2026-W45", "--format", "json"]
    long = invoke("audit", "--source", "ics", "--source-option", f"location={ics}", *common)
    short = invoke("audit", "--ics", ics, *common)
    assert long.exit_code == short.exit_code == 0, long.output
    assert long.stdout == short.stdout


def test_events_takes_source_too(tmp_path):
    write_toy(tmp_path)
    result = invoke("events", "--source", "toy", "--source-option", f"path={tmp_path}/week.json",
                    "--routine", ROUTINE, "--week", "2026-W45", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Prospecting block" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "toy", "--source-option", "colour=red"],
         "routine-audit: error: --source-option colour: unknown field 'colour'; check its "
         "spelling (the toy source takes path)"),
        (["--source", "toy"],
         "routine-audit: error: --source-option path: required field is missing "
         "(the toy source takes path)"),
        (["--source", "toy", "--source-option", "path"],
         "routine-audit: error: --source-option 'path' is not KEY=VALUE "
         "(e.g. --source-option id=primary)"),
        (["--source", "nosuch"],
         "routine-audit: error: no calendar source is named 'nosuch' (use one of caldav, "
         "google, ics, microsoft, toy, or install the plug-in that adds it)"),
        (["--source", "toy", "--ics", "a.ics"],
         "routine-audit: error: give either --source or its short forms (--ics, --google), "
         "not both (e.g. --source toy --source-option KEY=VALUE)"),
        (["--ics", "a.ics", "--source-option", "x=1"],
         "routine-audit: error: --source-option goes with --source"),
    ],
)  # fmt: skip
def test_source_option_errors_name_the_option(args, message):
    result = invoke("audit", *args, "--routine", ROUTINE, "--week", "2026-W45")
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_calendars_through_the_source(google):
    result = google.invoke("calendars", "--source", "google")
    assert result.exit_code == 0, result.output
    assert "colleague@company.example" in result.stdout
    refused = invoke("calendars", "--source", "toy", "--source-option", "path=x.json")
    assert refused.exit_code == 2
    assert "the toy source cannot list calendars" in refused.stderr


# --- team files -----------------------------------------------------------------------

TEAM_HEAD = "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"


def test_toy_in_a_team_file_and_rules_check_online(tmp_path):
    write_toy(tmp_path)
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        TEAM_HEAD + "reps:\n  - {email: rep@company.example, routine: rep.yaml, "
        "calendar: {type: toy, path: week.json}}\n"
    )
    checked = invoke("rules", "check", team)
    assert checked.exit_code == 0, checked.output
    assert "calendars: 1 toy calendar found)" in checked.stdout
    online = invoke("rules", "check", "--online", team)
    assert online.exit_code == 0, online.output
    assert f"ok: {team}: rep@company.example: calendar read" in online.stdout
    audited = invoke("team", "audit", "--config", team, "--week", "2026-W45",
                     "--db", tmp_path / "h.sqlite", "--out", tmp_path / "out")  # fmt: skip
    assert audited.exit_code == 0, audited.output
    figures = json.loads((tmp_path / "out" / "team.json").read_text())
    prospecting = figures["reps"]["rep@company.example"]["commitments"][0]
    assert (prospecting["id"], prospecting["scheduled"]) == ("prospecting", 2.0)  # Mon 09-11


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        ("{type: toy}", ":6: reps[0].calendar.path: required field is missing"),
        ("{type: toy, path: w.json, colour: red}",
         ":6: reps[0].calendar.colour: unknown field 'colour'; check its spelling"),
        ("{type: outlook, path: w.json}",
         ":6: reps[0].calendar.type: no calendar source is named 'outlook'; use one of caldav, "
         "google, ics, microsoft, toy, or install the plug-in that adds it"),
        ("{type: ics, location: [1, {a: b}]}",
         ":6: reps[0].calendar.location: expected text or a list of texts"),
        ("{ics: 7.ics, locaton: x}",
         ":6: reps[0].calendar.locaton: unknown field 'locaton'; check its spelling"),
        ("{type: toy, path: missing.json}", None),  # the toy names no local files
        # a rep's own missing file: that rep's problem, named with the place in the file
        ("{type: ics, location: missing.ics}",
         ": rep@company.example: {team}:6: reps[0].calendar.location: the calendar "
         "missing.ics does not exist (paths are relative to the team file's folder)"),
        ("{ics: missing.ics}",
         ": rep@company.example: {team}:6: reps[0].calendar.ics: the calendar missing.ics "
         "does not exist (paths are relative to the team file's folder)"),
        ("{type: google, id: x, service_account: missing.json}",
         ": rep@company.example: {team}:6: reps[0].calendar.service_account: the key "
         "missing.json does not exist (paths are relative to the team file's folder)"),
    ],
)  # fmt: skip
def test_each_source_validates_its_entry_in_one_line(tmp_path, calendar, message):
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        TEAM_HEAD + f"reps:\n  - {{email: rep@company.example, routine: rep.yaml, "
        f"calendar: {calendar}}}\n"
    )
    result = invoke("rules", "check", team)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {team}" + message.replace("{team}", str(team))]


def test_rules_check_suggests_the_new_form(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(package_data("sample"), folder)
    old = folder / "old.yaml"
    old.write_text(_old_form((folder / "team.yaml").read_text()))
    result = invoke("rules", "check", old)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings[0] == (
        f"warning: {old}: reps[0].calendar (dana@northwind.example): ics: is the old short "
        "form; write calendar: {type: ics, location: ...}"
    )
    assert len(warnings) == 4
    assert invoke("rules", "check", folder / "team.yaml").stderr == ""


def _old_form(text: str) -> str:
    import re

    return re.sub(r"calendar: \{type: ics, location: ([a-z]+\.ics)\}", r"calendar: {ics: \1}", text)


def test_old_and_new_forms_give_the_same_team_json(tmp_path, google):
    """The sample team plus a Google rep, written both ways: team.json alike but for
    tool_version."""
    google.serve_pages("primary", [load_json("paired_page1.json"), load_json("paired_page2.json")])
    folder = tmp_path / "sample"
    shutil.copytree(package_data("sample"), folder)
    shutil.copy(ROUTINE, folder / "rep.yaml")
    new = (folder / "team.yaml").read_text() + (
        "  - {email: rep@company.example, routine: rep.yaml, "
        "calendar: {type: google, id: primary}}\n"
    )
    old = _old_form(new).replace("{type: google, id: primary}", "{google: primary}")
    assert "type:" not in old
    (folder / "new.yaml").write_text(new)
    (folder / "old.yaml").write_text(old)
    written = {}
    for form in ("old", "new"):
        result = google.invoke("team", "audit", "--config", str(folder / f"{form}.yaml"),
                               "--week", "2026-W45", "--db", str(tmp_path / f"{form}.sqlite"),
                               "--out", str(tmp_path / form))  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        written[form] = json.loads((tmp_path / form / "team.json").read_text())
        written[form].pop("tool_version")
    assert written["old"] == written["new"]
    assert len(written["new"]["reps"]) == 5


# --- registration ---------------------------------------------------------------------


def test_importing_the_package_imports_no_source():
    code = (
        "import sys, routine_audit, routine_audit.sources\n"
        "routine_audit.sources.register_source('x', 'nowhere:X')\n"
        "loaded = [m for m in sys.modules if m.startswith(('googleapiclient', 'google.', "
        "'routine_audit.sources.google', 'routine_audit.sources.ics', 'icalendar'))]\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_plug_in_package_adds_a_source_by_entry_point(monkeypatch):
    from importlib import metadata

    point = metadata.EntryPoint(
        "plugged", "test_issue18_sources:ToySource", "routine_audit.sources"
    )
    asked = []

    def entry_points(**kwargs):
        asked.append(kwargs)
        return [point] if kwargs.get("group") == "routine_audit.sources" else []

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.setattr(sources, "_entry_points_read", False)
    assert source_class("ics").name == "ics"
    assert asked == []  # a known name never reads the entry points
    assert source_class("plugged") is ToySource
    assert asked == [{"group": "routine_audit.sources"}]
    source_class("plugged")
    assert len(asked) == 1  # read once
    monkeypatch.delitem(sources.REGISTRY, "plugged")
    monkeypatch.delitem(sources._CLASSES, "plugged")


def test_a_registered_name_that_does_not_load_is_a_usage_error():
    from routine_audit.errors import UsageError

    register_source("broken", "no_such_module_here:Source")
    try:
        with pytest.raises(UsageError, match="could not be loaded"):
            source_class("broken")
    finally:
        sources.REGISTRY.pop("broken")


def test_rules_check_counts_each_sources_calendars_as_before(tmp_path):
    # a team default routine: no rep of its own
    (tmp_path / "rep.yaml").write_text("kind: routine\nversion: 1\ntimezone: America/New_York\n")
    (tmp_path / "a.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    team = tmp_path / "team.yaml"
    team.write_text(
        TEAM_HEAD + "routine: rep.yaml\nreps:\n"
        "  - {email: g@company.example, calendar: {type: google, id: g@company.example}}\n"
        "  - {email: f@company.example, calendar: {type: ics, location: 'https://f.example/f.ics'}}\n"
        "  - {email: i@company.example, calendar: {type: ics, location: [a.ics]}}\n"
    )
    result = invoke("rules", "check", team)
    assert result.exit_code == 0, result.output
    # as before issue 18: feeds before Google calendars, whatever the reps' order
    assert result.stdout.endswith(
        "calendars: 1 .ics calendar found, 1 feed and 1 Google calendar (--online reads them))\n"
    )
