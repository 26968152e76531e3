"""Issue 16: error messages are data, not content. For a manager (``--audience manager``,
and every team run, whose roll-up, log and mail reach the manager) a parser error never
quotes a calendar line, and no text of a private event, its TZID included, is shown.
The calendar's owner still gets the parser's words, made visible."""

from __future__ import annotations

import json
import shutil

import google_fake
import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

runner = CliRunner()
google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)
WEEK = "2026-W45"
SECRET = "Therapy"  # the private words that must never reach a manager

# icalendar refuses this file, and its complaint quotes the file's first lines
UNREADABLE = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Therapy with Dr Who\r\nEND:VCALENDAR\r\n"
# a private event whose TZID is a name only its owner should read: an unknown zone
PRIVATE_TZID = "\r\n".join(
    [
        "BEGIN:VEVENT",
        "UID:private-tzid@x",
        "DTSTART;TZID=Therapy with Dr Who:20261106T100000",
        "DTEND;TZID=Therapy with Dr Who:20261106T110000",
        "CLASS:PRIVATE",
        "SUMMARY:Private appointment",
        "END:VEVENT",
    ]
)
GOOD = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        "BEGIN:VEVENT",
        "UID:good@x",
        "DTSTART:20261102T140000Z",
        "DTEND:20261102T150000Z",
        "SUMMARY:Prospecting",
        "END:VEVENT",
        "{extra}",
        "END:VCALENDAR",
        "",
    ]
)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.ics").write_text(UNREADABLE)
    (tmp_path / "good.ics").write_text(GOOD.format(extra=""))
    (tmp_path / "tzid.ics").write_text(GOOD.format(extra=PRIVATE_TZID))
    (tmp_path / "routine.yaml").write_text((FIXTURES / "rep_ny.yaml").read_text())
    return tmp_path


def _audit(*ics: str, audience: str = "owner", command: str = "audit", fmt: str = "table"):
    places = [arg for file in ics for arg in ("--ics", file)]
    return runner.invoke(
        app,
        [command, *places, "--routine", "routine.yaml", "--week", WEEK,
         "--audience", audience, "--format", fmt],
    )  # fmt: skip


# -- a file that fails to parse --------------------------------------------------------


def test_a_parser_error_quoting_the_file_is_the_owners_alone(files):
    manager = _audit("broken.ics", audience="manager")
    assert manager.exit_code == 2
    assert manager.stderr.strip() == (
        "routine-audit: error: broken.ics: not a readable iCalendar file "
        "(re-export the calendar, or remove this file)"
    )
    owner = _audit("broken.ics")
    assert owner.exit_code == 2
    assert "SUMMARY:Ther" in owner.stderr  # the parser's words, for the file's owner


def test_no_readable_calendar_names_the_first_failure_without_its_words(files):
    (files / "broken2.ics").write_text(UNREADABLE)
    manager = _audit("broken.ics", "broken2.ics", audience="manager")
    assert manager.exit_code == 2
    assert SECRET not in manager.stderr and "SUMMARY" not in manager.stderr
    assert "none of the 2 calendars could be read" in manager.stderr
    assert "SUMMARY:Ther" in _audit("broken.ics", "broken2.ics").stderr


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_an_unreadable_file_beside_a_good_one_is_named_without_its_words(files, fmt):
    manager = _audit("good.ics", "broken.ics", audience="manager", fmt=fmt)
    assert manager.exit_code == 1
    assert SECRET not in manager.stdout and SECRET not in manager.stderr
    assert "could not be read: not a readable iCalendar file" in manager.stdout


# -- a private event's TZID --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_a_private_events_tzid_never_reaches_a_manager(files, fmt):
    manager = _audit("tzid.ics", audience="manager", fmt=fmt)
    assert manager.exit_code == 0, manager.output
    assert SECRET not in manager.output
    assert "a time zone is unknown; its times were read in America/New_York" in (
        manager.stdout.replace("New\\_York", "New_York")
    )


def test_the_owner_is_told_which_tzid_is_unknown(files):
    owner = _audit("tzid.ics", fmt="json")
    lines = json.loads(owner.stdout)["reps"]["rep@northwind.example"]["data_quality"]
    assert lines == [
        "tzid.ics: a time zone is unknown; its times were read in America/New_York: "
        "TZID 'Therapy with Dr Who'"
    ]


def test_events_prints_no_private_tzid_for_a_manager(files):
    manager = _audit("tzid.ics", audience="manager", command="events")
    assert SECRET not in manager.output
    assert "routine-audit: data quality: tzid.ics: a time zone is unknown" in manager.stderr


# -- team runs: manager audience ---------------------------------------------------------


@pytest.fixture
def team(tmp_path, monkeypatch):
    """The sample team; Dana's export is unreadable, Morgan's holds a private event with an
    unknown TZID."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    (folder / "dana.ics").write_text(UNREADABLE)
    morgan = folder / "morgan.ics"
    text = morgan.read_text()
    end = text.rindex("END:VCALENDAR")
    morgan.write_text(text[:end] + PRIVATE_TZID + "\r\n" + text[end:])
    path = folder / "team.yaml"
    path.write_text(path.read_text() + "output_dir: out\n")
    return path


def _all_text(folder) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_team_run_log_and_reports_quote_no_calendar(team, tmp_path):
    log = tmp_path / "run.log"
    result = runner.invoke(
        app,
        ["run", "--no-mail", "--config", str(team), "--week", WEEK,
         "--db", str(tmp_path / "h.sqlite"), "--log", str(log)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    logged = log.read_text()
    assert "dana@northwind.example FAILED: " in logged
    assert "not a readable iCalendar file" in logged
    everything = logged + result.output + _all_text(team.parent / "out")
    assert SECRET not in everything and "SUMMARY:" not in everything


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_team_audit_roll_up_quotes_no_calendar(team, tmp_path, fmt):
    out = tmp_path / "pages"
    result = runner.invoke(
        app,
        ["team", "audit", "--config", str(team), "--week", WEEK, "--format", fmt,
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "not a readable iCalendar file" in result.stdout
    everything = result.output + _all_text(out)
    assert SECRET not in everything and "SUMMARY:" not in everything


# -- Google: a free-text error message is server text -----------------------------------


def test_a_google_error_message_is_not_shown_raw(google):
    google.valid_token_file()
    google.fail_next(400, "Bad \x1b[2J request for Therapy", count=6)
    result = google.invoke("calendars")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\x1b" not in line and SECRET not in line
    assert line.startswith("routine-audit: error: Google calendar list: ")
    assert "HTTP 400" in line


def test_a_calendar_name_is_listed_made_visible(google):
    google.valid_token_file()
    google.calendar_list[0]["summary"] = "Work\x1b]0;pwned\x07"
    result = google.invoke("calendars")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "Work\\x1b]0;pwned\\x07" in result.stdout


# Review of issue 15: a private event's TZID reached the manager's view. The data-quality
# line for a time zone the file does not define quoted its name ("time zone 'Dr Lee
# oncology' is unknown"); the name is calendar content, so it is now the parser's detail,
# shown to the owner only (docs/audit.md, "Reading calendars").
# (Was tests/test_review15_private_tzid.py.)

ROUTINE = (
    "kind: routine\nversion: 1\nrep: {email: rep@x.example}\ntimezone: Europe/London\n"
    "share_titles: true\n"
    "commitments:\n  - {id: p, activity: prospecting, unit: hours, per: week, target: 2}\n"
)
EVENT = (
    "BEGIN:VEVENT\nUID:p@t\nDTSTAMP:20261001T000000Z\nSUMMARY:Oncology follow-up\n"
    "CLASS:PRIVATE\nDTSTART;TZID=Dr Lee oncology:20261103T100000\n"
    "DTEND;TZID=Dr Lee oncology:20261103T110000\nEND:VEVENT\n"
)


def test_an_unknown_tzid_is_named_to_the_owner_only(tmp_path):
    calendar = tmp_path / "cal.ics"
    calendar.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{EVENT}END:VCALENDAR\n")
    routine = tmp_path / "routine.yaml"
    routine.write_text(ROUTINE)
    args = ["audit", "--ics", str(calendar), "--routine", str(routine), "--week", "2026-W45"]
    for fmt in ("json", "markdown", "table", "html"):
        manager = runner.invoke(app, [*args, "--audience", "manager", "--format", fmt])
        assert "Dr Lee" not in manager.stdout + manager.stderr, fmt
        assert "Oncology" not in manager.stdout + manager.stderr, fmt
    manager = runner.invoke(app, [*args, "--audience", "manager", "--format", "json"])
    lines = json.loads(manager.stdout)["reps"]["rep@x.example"]["data_quality"]
    assert lines == [f"{calendar}: a time zone is unknown; its times were read in Europe/London"]
    owner = runner.invoke(app, [*args, "--format", "json"])
    lines = json.loads(owner.stdout)["reps"]["rep@x.example"]["data_quality"]
    assert lines == [
        f"{calendar}: a time zone is unknown; its times were read in Europe/London: "
        "TZID 'Dr Lee oncology'"
    ]
