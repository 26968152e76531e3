"""Issue 15: data-quality lines name the event as its owner knows it (title and date),
never by UID; a manager sees the date and time only (unless the rep shares titles, and
never for a private event); ``events`` prints its data-quality lines to stderr."""

from __future__ import annotations

import json

import pytest
from conftest import rep_files
from typer.testing import CliRunner

from routine_audit.cli import app

runner = CliRunner()

# UIDs that carry an address and a title, as some writers make them: never shown
CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        # skipped: its DTEND is before its DTSTART (a time value: the event is lost)
        "BEGIN:VEVENT",
        "UID:pricing-call-buyer@acme.example",
        "DTSTART:20261104T140000Z",
        "DTEND:20261104T130000Z",
        "SUMMARY:Pricing call with Acme",
        "END:VEVENT",
        # kept, noted: a Google export's year-0 CREATED; a private event
        "BEGIN:VEVENT",
        "UID:doctor-visit-rep@northwind.example",
        "DTSTART:20261105T200000Z",
        "DTEND:20261105T210000Z",
        "CREATED:00001231T000000Z",
        "CLASS:PRIVATE",
        "SUMMARY:Doctor visit",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)
OWNER_LINES = [
    'cal.ics ("Pricing call with Acme", Wed 04 Nov 2026 09:00): event skipped, unreadable '
    "value: DTEND is before DTSTART",
    'cal.ics ("Doctor visit", Thu 05 Nov 2026 15:00): kept without its unreadable CREATED '
    "(its creation time is unknown: not judged as booked at short notice): CREATED: Wrong "
    "datetime format: 00001231T000000Z",
]
# 14:00Z and 20:00Z are 09:00 and 15:00 in New York (EST); no title, no parser detail
MANAGER_LINES = [
    "cal.ics (event on Wed 04 Nov 2026 09:00): event skipped, unreadable value",
    "cal.ics (event on Thu 05 Nov 2026 15:00): kept without its unreadable CREATED "
    "(its creation time is unknown: not judged as booked at short notice)",
]
SHARED_LINES = [  # share_titles: the title, except a private event's
    'cal.ics ("Pricing call with Acme", Wed 04 Nov 2026 09:00): event skipped, unreadable value',
    MANAGER_LINES[1],
]


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the file is named as given: cal.ics
    return rep_files(tmp_path, CALENDAR.encode("utf-8"))


def _invoke(command: str, *args: str, routine: str = "routine.yaml"):
    return runner.invoke(
        app, [command, "--ics", "cal.ics", "--routine", routine, "--week", "2026-W45", *args]
    )


@pytest.mark.parametrize(
    ("audience", "routine", "lines"),
    [
        ("owner", "routine.yaml", OWNER_LINES),
        ("manager", "routine.yaml", MANAGER_LINES),
        ("manager", "shared.yaml", SHARED_LINES),
    ],
    ids=["owner", "manager", "manager, titles shared"],
)
def test_data_quality_names_events_by_title_and_date_never_by_uid(files, audience, routine, lines):
    result = _invoke("audit", "-f", "json", "--audience", audience, routine=routine)
    assert result.exit_code == 1  # the skipped event; the noted one alone would be 0
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == lines
    for fmt in ("markdown", "table"):
        text = _invoke("audit", "-f", fmt, "--audience", audience, routine=routine).stdout
        assert "acme.example" not in text and "northwind.example" not in text.split("Data")[-1]
    if audience == "manager":  # a private event's title, shared titles or not
        assert "Doctor visit" not in json.dumps(rep)


def test_events_prints_its_data_quality_lines_to_stderr(files):
    result = _invoke("events", "--audience", "manager")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        *(f"routine-audit: data quality: {line}" for line in MANAGER_LINES),
        "routine-audit: warning: some calendar input could not be read (2 problems); listed above",
    ]
    assert "data quality" not in result.stdout


def test_events_with_only_noted_values_exits_0_and_still_lists_them(files):
    text = CALENDAR.replace("DTEND:20261104T130000Z", "DTEND:20261104T150000Z")
    (files / "cal.ics").write_text(text, encoding="utf-8")
    result = _invoke("events")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"routine-audit: data quality: {OWNER_LINES[1]}"]
