"""Issue 15, "Real exports read robustly".

- A property that does not decide time (CREATED, LAST-MODIFIED, DTSTAMP, alarms,
  X- properties) with an unreadable value costs only that property: the event is
  kept, the data-quality section notes it (not skipped), and the exit code stays 0.
- A saved Google sign-in whose scopes cover ours (calendar.readonly, calendar) is accepted.
- A TZID with surrounding whitespace matches the file's own VTIMEZONE of that name.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import google_fake
import pytest
from conftest import CORPUS, FIXTURES, SAMPLE, SAMPLE_WEEK
from google_fake import SCOPES
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.errors import CredentialError, ExitCode
from routine_audit.period import Period
from routine_audit.sources.google import auth, open_google
from routine_audit.sources.ics import Document, IcsSource, read_document

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)
no_secrets_in_logs = google_fake.no_secrets_in_logs

runner = CliRunner()
UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
W45 = Period(date(2026, 11, 2), date(2026, 11, 8), NEW_YORK)
GOOGLE_EXPORT = FIXTURES / "google_created_year_zero.ics"
ROUTINE = str(FIXTURES / "rep_ny.yaml")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def _calendar(*vevents: str) -> bytes:
    body = "".join(vevents)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def _vevent(uid: str, start: str, *lines: str) -> str:
    body = [f"UID:{uid}", f"DTSTART:{start}", "DURATION:PT1H", f"SUMMARY:Meeting {uid}", *lines]
    return "BEGIN:VEVENT\r\n" + "\r\n".join(body) + "\r\nEND:VEVENT\r\n"


def _alarm(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", *lines, "END:VALARM"])


def _read(data: bytes, period: Period = W45, zone: ZoneInfo = NEW_YORK):
    """Both reading paths, which must agree; then the plain path's result."""
    fast = read_document(Document("cal.ics", data), period, zone, fast=True)
    plain = read_document(Document("cal.ics", data), period, zone, fast=False)
    assert fast == plain
    return plain


# -- a Google export's CREATED:00001231T000000Z ----------------------------------------


def test_a_google_export_with_a_year_zero_created_keeps_its_events_and_exits_0():
    result = invoke(
        "events", "--ics", str(GOOGLE_EXPORT), "--routine", ROUTINE, "--week", "2026-W45",
        "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # the single call and five daily prospecting blocks (Mon-Fri 09:00 New York)
    assert [(r["start"], r["summary"]) for r in rows] == [
        ("2026-11-02T09:00:00-05:00", "Prospecting block"),
        ("2026-11-03T09:00:00-05:00", "Prospecting block"),
        ("2026-11-03T10:00:00-05:00", "Acme renewal call"),  # 15:00Z
        ("2026-11-04T09:00:00-05:00", "Prospecting block"),
        ("2026-11-05T09:00:00-05:00", "Prospecting block"),
        ("2026-11-06T09:00:00-05:00", "Prospecting block"),
    ]
    # one note per event, named as its owner knows it (the series by its first occurrence)
    assert "could not be read" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if "data quality" in line]
    assert len(notes) == 2
    assert '"Prospecting block", Mon 02 Nov 2026 09:00' in notes[0]
    assert '"Acme renewal call", Tue 03 Nov 2026 10:00' in notes[1]
    assert all("unreadable CREATED" in note for note in notes)


def test_the_audit_of_a_google_export_with_a_year_zero_created_is_complete():
    result = invoke(
        "audit", "--ics", str(GOOGLE_EXPORT), "--routine", ROUTINE, "--week", "2026-W45",
        "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["incomplete"] is False
    assert len(rep["data_quality"]) == 2
    prospecting = next(c for c in rep["commitments"] if c["id"] == "prospecting")
    assert prospecting["scheduled"] == 5.0  # five 1-hour blocks, none lost


def test_an_unreadable_created_means_the_creation_time_is_unknown():
    data = ra.load_events(GOOGLE_EXPORT, W45, zone=NEW_YORK)
    assert len(data.events) == 6
    assert all(event.created is None for event in data.events)  # not "booked at short notice"
    assert all(not p.skipped and p.event for p in data.problems)
    assert {p.title for p in data.problems} == {"Prospecting block", "Acme renewal call"}


# -- every property that does not decide time ------------------------------------------

UNREADABLE = {
    "CREATED, year 0 (Google)": "CREATED:00001231T000000Z",
    "CREATED, month 13": "CREATED:20261301T000000Z",
    "LAST-MODIFIED": "LAST-MODIFIED:00001231T000000Z",
    "DTSTAMP, empty": "DTSTAMP:",
    "X- date-time": "X-MOZ-LASTACK;VALUE=DATE-TIME:yesterday",
    "X- integer": "X-MICROSOFT-CDO-IMPORTANCE;VALUE=INTEGER:high",
    "alarm TRIGGER PT-2H (khal's non_dst_error.ics)": _alarm("TRIGGER:PT-2H"),
    "alarm TRIGGER a2002... (vobject's badstream.ics)": _alarm("TRIGGER:a20021028120000"),
    "alarm REPEAT": _alarm("TRIGGER:-PT15M", "REPEAT:x", "DURATION:PT5M"),
    "alarm ACKNOWLEDGED": _alarm("TRIGGER:-PT15M", "ACKNOWLEDGED:00001231T000000Z"),
}


@pytest.mark.parametrize("line", UNREADABLE.values(), ids=UNREADABLE)
def test_an_unreadable_value_costs_only_itself(line):
    data = _calendar(
        _vevent("kept", "20261104T140000Z", line),
        _vevent("plain", "20261105T140000Z"),
        _vevent("far", "20200105T140000Z", line),  # outside the week: nothing to say
    )
    events, problems = _read(data)
    assert [e.uid for e in events] == ["kept", "plain"]
    assert events[0].end - events[0].start == events[1].end - events[1].start
    assert len(problems) == 1
    (problem,) = problems
    assert not problem.skipped and problem.event
    # 14:00Z is 09:00 in New York (EST)
    assert problem.brief() == (
        f'cal.ics ("Meeting kept", Wed 04 Nov 2026 09:00): {problem.message}'
    )
    assert problem.message.startswith("kept without its unreadable ")


def test_a_series_with_an_unreadable_created_is_noted_once_by_its_first_occurrence():
    data = _calendar(
        _vevent("series", "20261102T140000Z", "RRULE:FREQ=DAILY;COUNT=5", "CREATED:0000")
    )
    events, problems = _read(data)
    assert len(events) == 5 and len(problems) == 1
    assert problems[0].start == datetime(2026, 11, 2, 9, 0, tzinfo=NEW_YORK)


def test_a_time_value_that_cannot_be_read_still_skips_its_event():
    """Only what does not decide time is set aside: a bad DTEND is a skipped event."""
    data = _calendar(_vevent("bad", "20261104T140000Z", "DTEND:20261131T150000Z"))
    events, problems = _read(data)
    assert events == [] and [p.skipped for p in problems] == [True]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
@pytest.mark.parametrize(
    ("file", "week", "titles"),
    [
        (
            "ics/khal/non_dst_error.ics",
            date(2023, 1, 30),
            [
                "Trip from Utrecht to Bruxelles Central/Brussel Centraal",
                "Trip from Bruxelles Central/Brussel Centraal to Utrecht",
            ],
        ),
        ("ics/vobject/badstream.ics", date(2002, 10, 28), [""]),
    ],
)
def test_real_files_with_an_unreadable_alarm_are_read_with_their_events(file, week, titles):
    """icalendar rejects these whole files over one alarm's TRIGGER; we keep the events."""
    berlin = ZoneInfo("Europe/Berlin")
    period = Period(week, date.fromordinal(week.toordinal() + 6), berlin)
    data = IcsSource(CORPUS / file).read(period, zone=berlin)
    assert sorted(e.summary for e in data.events) == sorted(titles)
    assert [p.skipped for p in data.problems] == [False] * len(titles)
    assert all("reminder (VALARM)" in p.message for p in data.problems)


# -- a TZID with surrounding whitespace ------------------------------------------------

EXCHANGE = (FIXTURES / "exchange_mez_summer.ics").read_bytes()
JUNE = Period(date(2026, 6, 15), date(2026, 6, 21), UTC)
REFERENCES = {
    "as Exchange writes it (no space)": "TZID=Mitteleuropäische Zeit:",
    "quoted, with the space": 'TZID="Mitteleuropäische Zeit ":',
    "unquoted, with the space": "TZID=Mitteleuropäische Zeit :",
    "quoted, no space": 'TZID="Mitteleuropäische Zeit":',
    "leading space": 'TZID=" Mitteleuropäische Zeit":',
}


@pytest.mark.parametrize("reference", REFERENCES.values(), ids=REFERENCES)
def test_a_tzid_with_surrounding_whitespace_uses_the_files_own_vtimezone(reference):
    """The VTIMEZONE says TZID:Mitteleuropäische Zeit␠ (summer: UTC+2); the meeting is
    17:00-18:00 local on Mon 15 Jun 2026, so 15:00-16:00 UTC, for a rep in UTC."""
    data = EXCHANGE.replace("TZID=Mitteleuropäische Zeit:".encode(), reference.encode())
    events, problems = _read(data, JUNE, UTC)
    assert problems == []  # the zone is not "unknown"
    ((start, end),) = [(e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in events]
    assert (start, end) == (
        datetime(2026, 6, 15, 15, 0, tzinfo=UTC),
        datetime(2026, 6, 15, 16, 0, tzinfo=UTC),
    )


def test_the_exchange_meeting_is_at_15_utc_through_the_cli(tmp_path):
    result = invoke(
        "events", "--ics", str(FIXTURES / "exchange_mez_summer.ics"), "--routine", ROUTINE,
        "--start", "2026-06-15", "--end", "2026-06-21", "--tz", "UTC", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [(r["start"], r["end"]) for r in json.loads(result.stdout)] == [
        ("2026-06-15T15:00:00+00:00", "2026-06-15T16:00:00+00:00")
    ]
    assert result.stderr == ""  # no unknown zone, nothing to note


# -- a saved Google sign-in with broader scopes ----------------------------------------

CALENDAR = "https://www.googleapis.com/auth/calendar"


@pytest.mark.parametrize(
    "scopes",
    [[f"{CALENDAR}.readonly"], [CALENDAR], [CALENDAR, *SCOPES], [f"{CALENDAR}.readonly", "openid"]],
    ids=["calendar.readonly", "calendar", "calendar and ours", "calendar.readonly and openid"],
)
def test_a_saved_sign_in_with_scopes_that_cover_ours_is_accepted(google, scopes):
    google.write_token(scopes=scopes)  # expired: the first call refreshes it
    credentials = auth.load_user_credentials(google.token_file)
    assert set(credentials.scopes) == set(scopes)
    result = google.invoke("auth", "status")
    assert result.exit_code == 0, result.output
    assert f"scopes: {', '.join(sorted(scopes))}" in result.stdout
    assert google.invoke("calendars").exit_code == 0


@pytest.mark.parametrize(
    "scopes",
    [[SCOPES[0]], [f"{CALENDAR}.events"], [f"{CALENDAR}.events.readonly", "openid"]],
    ids=["events only", "calendar.events (no calendar list)", "events and openid"],
)
def test_a_saved_sign_in_that_does_not_cover_ours_is_still_refused(google, scopes):
    google.write_token(scopes=scopes)
    with pytest.raises(CredentialError, match="lacks the calendar read scopes"):
        auth.load_user_credentials(google.token_file)
    assert google.invoke("calendars").exit_code == ExitCode.USAGE


def _sign_in(google, tmp_path):
    from test_google_auth import Person, login

    return login(google, tmp_path, Person(google))


@pytest.mark.parametrize("granted", [CALENDAR, f"{CALENDAR}.readonly openid"])
def test_a_sign_in_that_grants_broader_scopes_is_kept(google, tmp_path, granted):
    """Google may grant more than asked (an earlier, broader consent): oauthlib's
    'Scope has changed' used to end the sign-in."""
    google.granted = granted
    destination = _sign_in(google, tmp_path)
    assert auth.load_user_credentials(destination).refresh_token


def test_a_sign_in_that_grants_too_little_says_so_and_saves_nothing(google, tmp_path):
    google.granted = SCOPES[0]  # the calendar list unticked on Google's consent page
    with pytest.raises(CredentialError, match="granted only part of the calendar read access"):
        _sign_in(google, tmp_path)
    assert not (tmp_path / "signed-in" / "token.json").exists()


# -- the same through the Google source: a year-0 created ------------------------------


def test_a_google_event_with_a_year_zero_created_is_kept_and_noted_once(google):
    def instance(day: int, created: str) -> dict:
        return {
            "kind": "calendar#event",
            "id": f"weekly_202611{day:02d}T140000Z",
            "recurringEventId": "weekly",
            "status": "confirmed",
            "summary": "Pipeline review",
            "created": created,
            "start": {"dateTime": f"2026-11-{day:02d}T09:00:00-05:00"},
            "end": {"dateTime": f"2026-11-{day:02d}T10:00:00-05:00"},
        }

    google.serve_items("primary", [instance(day, "0000-12-31T00:00:00.000Z") for day in (3, 5)])
    data = ra.load_events(open_google(), W45, zone=NEW_YORK)
    assert [e.created for e in data.events] == [None, None]
    assert [p.brief() for p in data.problems] == [
        'google:primary ("Pipeline review", Tue 03 Nov 2026 09:00): kept without its '
        "unreadable created (its creation time is unknown: not judged as booked at short "
        "notice)"
    ]
    assert not data.problems[0].skipped


# Review of issue 16: files a run reads besides calendars end in one line when they
# cannot be read. A saved Google sign-in that cannot be read (another user's token, as when
# cron runs as someone else) was a traceback (OSError), and so was `run --rep` over a
# reports folder whose team.csv is not UTF-8 (UnicodeDecodeError).
# (Was tests/test_review16_unreadable_files.py; its team.csv case: test_issue16_run_one_rep.)


def test_a_token_that_cannot_be_read_is_a_credential_error(tmp_path, monkeypatch):
    token = tmp_path / "token.json"
    token.write_text("{}")
    real = Path.read_text

    def refuse(self: Path, *args, **kwargs):
        if self == token:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(CredentialError, match="cannot read the saved sign-in: Permission denied"):
        auth.load_user_credentials(token)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_audit_with_an_unreadable_token_is_one_line():
    result = CliRunner().invoke(
        app,
        ["audit", "--google", "--token", "/proc/self/mem", "--week", SAMPLE_WEEK,
         "--routine", str(SAMPLE / "dana.yaml")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot read the saved sign-in" in result.output
    assert not isinstance(result.exception, OSError)
