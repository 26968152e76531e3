"""Reading Google Calendar over real HTTP: pages, token refresh, retries, errors, secrets.

Everything runs against the fake Google in google_fake.py (a loopback server
that validates queries like the real API). Every CLI run goes through
``google.invoke``, which fails the test if a token or secret reaches stdout or
stderr; the logs are checked the same way after each test.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import date
from zoneinfo import ZoneInfo

import google_fake
import pytest
from google_fake import (
    EXPIRED_TOKEN,
    FIXTURES,
    load_json,
    mode,
)

import routine_audit as ra
from routine_audit.errors import CredentialError, ExitCode, SourceError, UserError
from routine_audit.sources.google import FIELDS, GoogleSource, open_google
from routine_audit.sources.google.auth import load_user_credentials
from routine_audit.sources.google.service import build_service, execute

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)

ROUTINE = FIXTURES / "rep_company.yaml"
WEEK = "2026-W45"
PAGE1, PAGE2 = "week_page1.json", "week_page2.json"
ALL_IDS = {i["id"] for name in (PAGE1, PAGE2) for i in load_json(name)["items"]}


no_secrets_in_logs = google_fake.no_secrets_in_logs  # autouse: checks every test's logs


@pytest.fixture
def week(google):
    google.serve_pages("primary", [load_json(PAGE1), load_json(PAGE2)])
    return google


def read(calendar: str | None = None, *, week: str = WEEK, **options):
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week=week)
    return ra.load_events(open_google(calendar, **options), period, zone=routine.zone)


def audit_args(*extra: str) -> list[str]:
    return ["audit", "--google", "--routine", str(ROUTINE), "--week", WEEK, *extra]


def one_line_error(result) -> str:
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("routine-audit: error: ")
    return lines[0]


# --- pagination and the query -------------------------------------------------------------


def test_every_page_is_read_with_the_right_query(week):
    data = read()
    assert len(data.events) == 20 and data.problems == ()
    requests = [r for r in week.event_requests("primary") if r.status == 200]
    assert len(requests) == 2
    first, second = (r.args for r in requests)
    assert "pageToken" not in first
    assert second["pageToken"] == load_json(PAGE1)["nextPageToken"]
    for args in (first, second):
        assert args["singleEvents"] == "true"
        assert args["timeMin"] == "2026-11-02T00:00:00-05:00"
        assert args["timeMax"] == "2026-11-09T00:00:00-05:00"
        assert args["timeZone"] == "America/New_York"
        assert args["maxResults"] == "2500"
        assert args["fields"] == FIELDS
    assert {e.calendar for e in data.events} == {"rep@company.example"}  # the page's summary


def test_many_pages(google):
    items = [i for name in (PAGE1, PAGE2) for i in load_json(name)["items"]]
    google.serve_items("primary", items, per_page=3)
    data = read()
    assert len(data.events) == 20
    ok = [r for r in google.event_requests() if r.status == 200]
    assert len(ok) == 7
    assert [r.args.get("pageToken") for r in ok] == [None] + [
        f"tok-primary-{n}" for n in range(1, 7)
    ]


def test_the_real_captured_pages_replay(corpus, google):
    pages = [
        json.loads((corpus / "google/libkgapi" / name).read_text())
        for name in ("events_fetch_page1.json", "events_fetch_page2.json")
    ]
    google.serve_pages("primary", pages)
    prague = ra.Period(date(2018, 3, 26), date(2018, 4, 29), ZoneInfo("Europe/Prague"))
    data = GoogleSource(load_user_credentials(google.token_file)).read(prague, zone=prague.tz)
    assert [e.uid for e in data.events] == [
        "3if6lf59tove1e037baa75l54t@google.com",
        "009c2cc9-0781-482d-8ccd-8fc9bfeb3138",
    ]
    assert {e.calendar for e in data.events} == {"MockAccount"}
    ok = [r for r in google.event_requests() if r.status == 200]
    assert ok[1].args["pageToken"] == pages[0]["nextPageToken"]  # the real, long token
    assert ok[0].args["timeZone"] == "Europe/Prague"


def test_the_real_captured_pages_replay_through_the_librarys_http_mock(corpus):
    """The same pages through googleapiclient's own HttpMockSequence (no server at all)."""
    from googleapiclient.discovery import build
    from googleapiclient.http import HttpMockSequence

    bodies = [
        (corpus / "google/libkgapi" / name).read_text()
        for name in ("events_fetch_page1.json", "events_fetch_page2.json")
    ]
    http = HttpMockSequence([({"status": "200"}, body) for body in bodies])
    service = build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False)
    period = ra.Period(date(2018, 3, 26), date(2018, 4, 29), ZoneInfo("Europe/Prague"))
    data = GoogleSource(None, "primary", service=service).read(period, zone=period.tz)
    assert len(data.events) == 2 and data.problems == ()
    assert len(http.request_sequence) == 2  # both pages were asked for, the second by token
    assert "pageToken=ClEKQ182a3MzaWRoazZv" in http.request_sequence[1][0]


def test_threads_share_one_events_resource_each_on_its_own_connection(week, monkeypatch):
    """Building the client costs ~20 ms: one events resource per process, and each thread
    runs its requests on its own connection (httplib2 is not thread-safe), signed in."""
    from concurrent.futures import ThreadPoolExecutor

    from routine_audit.sources.google import service

    built = []
    monkeypatch.setattr(service, "_SHARED", {})
    monkeypatch.setattr(
        service, "_build", lambda http, _build=service._build: built.append(http) or _build(http)
    )
    credentials = load_user_credentials(week.token_file)
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week=WEEK)

    # every read waits for the others before it ends: four threads, never one reused
    # (an executor hands a new task to an idle thread instead of starting another)
    together = threading.Barrier(4)

    def read_twice(_: int) -> tuple[int, int, object]:
        first, second = (
            GoogleSource(credentials).read(period, zone=routine.zone) for _ in range(2)
        )
        connection = service.thread_http(credentials).http
        assert service.thread_http(credentials).http is connection  # kept for the thread
        together.wait(timeout=60)
        return len(first.events), len(second.events), connection

    with ThreadPoolExecutor(max_workers=4) as pool:
        reads = list(pool.map(read_twice, range(4)))
    assert [r[:2] for r in reads] == [(20, 20)] * 4
    assert len({id(r[2]) for r in reads}) == 4  # a connection per thread (all still alive)
    assert len(built) == 1  # one resource for all
    requests = [r for r in week.event_requests("primary") if r.status == 200]
    assert len(requests) == 16
    assert all(r.headers.get("Authorization", "").startswith("Bearer ") for r in requests)


def test_a_calendar_id_with_at_sign_is_escaped_in_the_path(google):
    google.serve_pages("rep@company.example", [load_json(PAGE1), load_json(PAGE2)])
    assert len(read("rep@company.example").events) == 20
    request = google.event_requests("rep@company.example")[-1]
    assert request.raw_path == "/calendar/v3/calendars/rep%40company.example/events"


# --- the fake rejects what the real API would -----------------------------------------------

GOOD = {
    "calendarId": "primary",
    "singleEvents": True,
    "timeMin": "2026-11-02T00:00:00-05:00",
    "timeMax": "2026-11-09T00:00:00-05:00",
    "timeZone": "America/New_York",
    "maxResults": 2500,
    "fields": FIELDS,
}


@pytest.mark.parametrize(
    "change",
    [
        {"singleEvents": None},
        {"singleEvents": False},
        {"timeMin": None},
        {"timeMax": "2026-11-09T00:00:00"},  # no offset
        {"timeMin": "2026-11-09"},
        {"timeMax": "2026-11-02T00:00:00-05:00"},  # empty range
        {"maxResults": 250},
        {"fields": None},
        {"fields": "items(id,start,end)"},
        {"timeZone": None},
        {"timeZone": "Mars/Olympus_Mons"},
        {"pageToken": "not-a-token-we-gave"},
    ],
    ids=lambda change: ",".join(f"{k}={v}" for k, v in change.items()),
)
def test_a_query_the_api_rejects_is_a_clear_error(week, change):
    service = build_service(load_user_credentials(week.token_file))
    params = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(SourceError) as caught:
        execute(service.events().list(**params), calendar="primary")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "HTTP 400" in str(caught.value) and "primary" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert week.requests[-1].status == 400


def test_the_good_query_is_accepted(week):
    service = build_service(load_user_credentials(week.token_file))
    page = execute(service.events().list(**GOOD), calendar="primary")
    assert page["nextPageToken"] == load_json(PAGE1)["nextPageToken"]
    assert set(page) == {
        "nextPageToken",
        "summary",
        "timeZone",
        "accessRole",
        "items",
    }  # fields applied


# --- the sign-in: refresh, revoked ---------------------------------------------------------


def test_an_expired_token_is_refreshed_and_the_new_one_used(week):
    assert len(read().events) == 20
    refreshes = week.token_requests("refresh_token")
    assert len(refreshes) == 1
    new_token = week.issued[0]
    served = [r for r in week.event_requests() if r.status == 200]
    assert {r.headers["Authorization"] for r in served} == {f"Bearer {new_token}"}


def test_an_expired_token_is_refreshed_before_use_and_saved(week):
    assert len(read().events) == 20
    assert all(r.headers.get("Authorization") != f"Bearer {EXPIRED_TOKEN}" for r in week.requests)
    saved = json.loads(week.token_file.read_text())
    assert saved["token"] == week.issued[0]
    assert saved["refresh_token"] == json.loads(week.token_file.read_text())["refresh_token"]
    assert mode(week.token_file) == 0o600


def test_a_valid_token_is_used_as_is(week):
    week.valid_token_file()
    assert len(read().events) == 20
    assert week.token_requests() == []


def test_a_revoked_sign_in_is_a_credential_error(week):
    week.revoke()
    with pytest.raises(CredentialError) as caught:
        read()
    assert caught.value.exit_code == ExitCode.USAGE
    assert "routine-audit auth login" in str(caught.value)
    assert "revoked" in str(caught.value)


def test_calendars_with_a_revoked_sign_in_exits_2_telling_to_sign_in_again(google):
    google.revoke()
    line = one_line_error(google.invoke("calendars"))
    assert "revoked" in line and "routine-audit auth login" in line


# --- retries -------------------------------------------------------------------------------

RETRIED = [
    (429, "rateLimitExceeded"),
    (500, "backendError"),
    (503, "backendError"),
    (403, "rateLimitExceeded"),
    (403, "userRateLimitExceeded"),
]


@pytest.mark.parametrize(("status", "reason"), RETRIED)
def test_transient_failures_are_retried_with_backoff(week, status, reason):
    week.valid_token_file()
    week.fail_next(status, reason, count=2)
    assert len(read().events) == 20
    statuses = [r.status for r in week.event_requests()]
    assert statuses[:4] == [status, status, 200, 200]
    assert len(week.sleeps) == 2 and week.sleeps[1] > 0  # exponential back-off, not waited


def test_a_failing_second_page_is_retried_alone(week):
    week.valid_token_file()
    week.fail_page("primary", 1, 503, "backendError")
    assert len(read().events) == 20
    requests = week.event_requests()
    assert [r.status for r in requests] == [200, 503, 200]
    assert requests[1].args["pageToken"] == requests[2].args["pageToken"]


def test_calendars_retries_too(google):
    google.fail_next(429, "rateLimitExceeded")
    result = google.invoke("calendars")
    assert result.exit_code == 0, result.output
    assert "rep@company.example\towner" in result.stdout


# --- errors: one line, exit 2, never a traceback --------------------------------------------

ERRORS = {
    "401": (
        lambda g: g.deny("primary", 401, "authError"),
        CredentialError,
        ["HTTP 401", "routine-audit auth login"],
    ),
    "403-forbidden": (
        lambda g: g.deny("primary", 403, "forbidden"),
        SourceError,
        ["no access to this calendar", "share the calendar", "See all event details"],
    ),
    "404": (
        lambda g: g.deny("primary", 404, "notFound"),
        SourceError,
        ["no such calendar", "routine-audit calendars"],
    ),
    "revoked": (lambda g: g.revoke(), CredentialError, ["revoked", "routine-audit auth login"]),
    "400": (lambda g: g.fail_next(400, "badRequest"), SourceError, ["HTTP 400"]),
    "500-persistent": (
        lambda g: g.fail_next(500, "backendError", 6),
        SourceError,
        ["HTTP 500", "retries"],
    ),
    "429-persistent": (
        lambda g: g.fail_next(429, "rateLimitExceeded", 6),
        SourceError,
        ["HTTP 429", "try again later"],
    ),
    "403-rate-limit-persistent": (
        lambda g: g.fail_next(403, "rateLimitExceeded", 6),
        SourceError,
        ["rate limit", "try again later"],
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_from_the_library(week, case):
    setup, kind, words = ERRORS[case]
    setup(week)
    with pytest.raises(UserError) as caught:
        read()
    assert isinstance(caught.value, kind)
    assert caught.value.exit_code == ExitCode.USAGE
    message = str(caught.value)
    # a revoked token is found while refreshing it up front: the message names the token file
    place = str(week.token_file) if case == "revoked" else "Google calendar primary"
    assert "\n" not in message and message.startswith(f"{place}: ")
    for word in words:
        assert word in message
    week.assert_no_secrets(message)


@pytest.mark.parametrize("case", ERRORS)
def test_errors_from_audit_google(week, case):
    setup, _, words = ERRORS[case]
    setup(week)
    line = one_line_error(week.invoke(*audit_args()))
    for word in words:
        assert word in line


def test_a_persistent_429_gives_up_after_five_retries(week):
    week.valid_token_file()
    week.fail_next(429, "rateLimitExceeded", 6)
    with pytest.raises(SourceError, match="after 5 retries"):
        read()
    assert len(week.event_requests()) == 6 and len(week.sleeps) == 5


def test_a_missing_token_is_not_signed_in(google):
    google.token_file.unlink()
    with pytest.raises(CredentialError) as caught:
        read()
    assert "not signed in" in str(caught.value)
    assert "run: routine-audit auth login" in str(caught.value)
    line = one_line_error(google.invoke("calendars"))
    assert str(google.token_file) in line and "run: routine-audit auth login" in line
    assert google.requests == []


def test_an_unreachable_token_endpoint_is_a_clear_error(google, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_GOOGLE_TOKEN_URI", "http://127.0.0.1:9/token")
    line = one_line_error(google.invoke("calendars"))
    assert "cannot reach" in line and "check the network" in line


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        (401, "authError", ["HTTP 401", "run: routine-audit auth login"]),
        (403, "forbidden", ["no access", "share the calendar"]),
        (400, "badRequest", ["HTTP 400"]),
        (500, "backendError", ["HTTP 500", "try again later"]),
    ],
)
def test_calendars_errors_are_one_line(google, status, reason, words):
    google.valid_token_file()
    google.fail_next(status, reason, count=6)  # a 401 is retried after refreshing, 5xx 5 times
    line = one_line_error(google.invoke("calendars"))
    assert line.startswith("routine-audit: error: Google calendar list: ")
    for word in words:
        assert word in line


# --- the CLI: audit and events with --google -------------------------------------------------


def test_audit_google_reads_every_page(week):
    result = week.invoke(*audit_args("--format", "json"))
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)["reps"]["rep@company.example"]
    prospecting = next(c for c in rep["commitments"] if c["id"] == "prospecting")
    assert prospecting["scheduled"] == 6.5
    ok = [r for r in week.event_requests("primary") if r.status == 200]
    assert [r.args.get("pageToken") for r in ok] == [None, load_json(PAGE1)["nextPageToken"]]


def test_events_google_lists_every_occurrence(week):
    result = week.invoke(
        "events", "--google", "--routine", str(ROUTINE), "--week", WEEK, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 20
    declined = next(r for r in rows if r["summary"] == "Pipeline review")
    assert declined["reason"] == "declined"


def test_audit_google_calendar_of_a_rep(google):
    google.serve_pages("rep@company.example", [load_json(PAGE1), load_json(PAGE2)])
    result = google.invoke(*audit_args("--calendar", "rep@company.example", "-f", "json"))
    assert result.exit_code == 0, result.output
    paths = {r.raw_path for r in google.event_requests("rep@company.example")}
    assert paths == {"/calendar/v3/calendars/rep%40company.example/events"}


def test_audit_google_with_token_option(week, tmp_path):
    moved = week.write_token(tmp_path / "elsewhere.json")
    week.token_file.unlink()
    result = week.invoke(*audit_args("--token", str(moved)))
    assert result.exit_code == 0, result.output


def test_audit_google_refreshes_and_the_output_holds_no_secret(week):
    result = week.invoke(*audit_args("--format", "markdown"))
    assert result.exit_code == 0, result.output
    assert week.token_requests("refresh_token")


def test_ics_and_google_together_is_a_usage_error(week):
    result = week.invoke(*audit_args("--ics", str(FIXTURES / "paired_week.ics")))
    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" not in result.output


def test_calendars_lists_what_the_account_can_read(google):
    result = google.invoke("calendars")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "rep@company.example\towner\trep@company.example (primary)",
        "colleague@company.example\treader\tColleague",
    ]
    listed = [r for r in google.requests if r.path.endswith("/calendarList")]
    assert listed[-1].status == 200 and "items(" in listed[-1].args["fields"]
