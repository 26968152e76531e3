"""fetch_feed against a loopback HTTP server: success, every failure mode, and no leaked secrets."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from routine_audit._version import __version__
from routine_audit.errors import SourceError
from routine_audit.sources.feed import _http_url, fetch_feed, is_feed_url, redact_url

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Kundentermin Müller\r\n"
    "DTSTART:20240102T090000Z\r\nDTEND:20240102T100000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()
SIGN_IN_PAGE = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>"
SECRET_PATH = "/calendar/ical/abc%40group/private-SECRETTOKEN/basic.ics"


@pytest.fixture
def httpserver(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """The plugin's server, bound to 127.0.0.1 rather than "localhost"."""
    return httpserver_ipv4


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def fetch_error(url: str, **options: float) -> SourceError:
    """The SourceError ``fetch_feed(url)`` raises, checked to be one line."""
    with pytest.raises(SourceError) as caught:
        fetch_feed(url, **options)  # type: ignore[arg-type]
    error = caught.value
    assert "\n" not in str(error)
    return error


def base_url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


@contextmanager
def raw_server(serve: Callable[[socket.socket], None]) -> Iterator[str]:
    """A one-connection loopback server whose replies ``serve`` writes byte by byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            serve(connection)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/cal.ics"
    finally:
        thread.join(timeout=5)
        listener.close()


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://example.com/a.ics", True),
        ("https://example.com/a.ics", True),
        ("webcal://example.com/a.ics", True),
        ("WEBCALS://example.com/a.ics", True),
        ("HTTPS://example.com", True),
        ("calendar.ics", False),
        ("/home/rep/calendar.ics", False),
        (r"C:\cal\rep.ics", False),
        ("ftp://example.com/a.ics", False),
        ("file:///tmp/a.ics", False),
    ],
)
def test_is_feed_url(text: str, expected: bool) -> None:
    assert is_feed_url(text) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("webcal://example.com/cal.ics", "https://example.com/cal.ics"),
        ("webcals://example.com/cal.ics", "https://example.com/cal.ics"),
        ("WebCal://example.com/cal.ics?x=1", "https://example.com/cal.ics?x=1"),
        ("http://example.com:8080/cal.ics", "http://example.com:8080/cal.ics"),
        ("HTTPS://example.com/a%40b/cal.ics", "https://example.com/a%40b/cal.ics"),
        (
            "https://example.com/Kalender Müller.ics",
            "https://example.com/Kalender%20M%C3%BCller.ics",
        ),
    ],
)
def test_http_url_rewrites_webcal_and_escapes(url: str, expected: str) -> None:
    assert _http_url(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.ics", "webcal:///a.ics", "http://example.com:port/a.ics"]
)
def test_http_url_rejects_what_cannot_be_fetched(url: str) -> None:
    with pytest.raises(SourceError):
        _http_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://calendar.google.com/calendar/ical/abc%40group/private-TOKEN/basic.ics",
            "https://calendar.google.com/…",
        ),
        (
            "webcal://p01-caldav.icloud.com/published/2/TOKEN",
            "webcal://p01-caldav.icloud.com/…",
        ),
        ("https://example.com/feed.php?token=TOKEN", "https://example.com/…?…"),
        ("https://user:TOKEN@example.com/dav/cal.ics", "https://…@example.com/…"),
        ("https://example.com/cal.ics#TOKEN", "https://example.com/…#…"),
        ("https://example.com/calendars/", "https://example.com/…"),
        ("webcal://host.example/SECRET/basic.ics", "webcal://host.example/…"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com", "https://example.com"),
        ("http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/…"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert "TOKEN" not in redact_url(url)


# --- success ---------------------------------------------------------------------------------


def test_calendar_is_returned_byte_for_byte_with_our_headers(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/cal.ics",
        headers={
            "User-Agent": f"routine-audit/{__version__}",
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": "gzip",
        },
    ).respond_with_data(CALENDAR, content_type="text/calendar; charset=utf-8")
    assert fetch_feed(httpserver.url_for("/cal.ics")) == CALENDAR


def test_gzip_body_is_decompressed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(
        gzip.compress(CALENDAR), content_type="text/calendar", headers={"Content-Encoding": "gzip"}
    )
    assert fetch_feed(httpserver.url_for("/cal.ics")) == CALENDAR


def test_redirect_to_a_calendar_is_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.ics").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new.ics")}
    )
    httpserver.expect_request("/new.ics").respond_with_data(CALENDAR, content_type="text/calendar")
    assert fetch_feed(httpserver.url_for("/old.ics")) == CALENDAR


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xef\xbb\xbf \r\n" + CALENDAR, "text/calendar"),
        (CALENDAR.replace(b"BEGIN:VCALENDAR", b"begin:vcalendar", 1), "text/calendar"),
        (CALENDAR.decode().encode("utf-16"), "text/calendar"),
        (b"\xfe\xff" + CALENDAR.decode().encode("utf-16-be"), "application/octet-stream"),
        # PHP scripts often serve feeds with PHP's default content type
        (CALENDAR, "text/html; charset=UTF-8"),
    ],
    ids=["utf8-bom", "lowercase", "utf16-le-bom", "utf16-be-bom", "served-as-html"],
)
def test_calendar_variants_are_accepted(
    httpserver: HTTPServer, body: bytes, content_type: str
) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(body, content_type=content_type)
    assert fetch_feed(httpserver.url_for("/cal.ics")) == body


def test_credentials_in_the_address_are_sent_as_basic_auth(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/dav/cal.ics", headers={"Authorization": "Basic cmVwOnMzY3JldCE="}
    ).respond_with_data(CALENDAR, content_type="text/calendar")
    url = base_url(httpserver).replace("http://", "http://rep:s3cret%21@") + "/dav/cal.ics"
    assert fetch_feed(url) == CALENDAR


# --- HTTP errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "in_message", "in_hint"),
    [
        (404, "HTTP 404 NOT FOUND", "the address is wrong or the calendar was deleted"),
        (403, "HTTP 403 FORBIDDEN", "not public"),
        (401, "HTTP 401 UNAUTHORIZED", "secret iCal address"),
        (500, "HTTP 500 INTERNAL SERVER ERROR", "try again later"),
        (503, "HTTP 503 SERVICE UNAVAILABLE", "try again later"),
    ],
)
def test_http_error_names_status_and_gives_a_hint(
    httpserver: HTTPServer, status: int, in_message: str, in_hint: str
) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data("nope", status=status)
    error = fetch_error(httpserver.url_for("/cal.ics"))
    assert in_message.lower() in error.message.lower()
    assert error.hint is not None
    assert in_hint in error.hint
    assert str(error.where) == httpserver.url_for("/…")


def test_redirect_to_sign_in_page(httpserver: HTTPServer) -> None:
    secret_url = base_url(httpserver) + SECRET_PATH
    login = "/accounts/ServiceLogin?service=cl&continue=" + secret_url.replace("/", "%2F")
    httpserver.expect_request(
        "/calendar/ical/abc@group/private-SECRETTOKEN/basic.ics"
    ).respond_with_data("", status=302, headers={"Location": base_url(httpserver) + login})
    httpserver.expect_request("/accounts/ServiceLogin").respond_with_data(
        SIGN_IN_PAGE, content_type="text/html; charset=utf-8"
    )
    error = fetch_error(secret_url)
    assert "redirected to a sign-in page" in error.message
    assert "sign-in page at http://127.0.0.1:" in error.message
    assert error.hint is not None
    assert "secret iCal address" in error.hint
    assert "SECRETTOKEN" not in str(error)


@pytest.mark.parametrize("location", ["/loop.ics", "ftp://127.0.0.1:9/private/SECRETTOKEN.ics"])
def test_redirect_loop_or_unfetchable_redirect(httpserver: HTTPServer, location: str) -> None:
    httpserver.expect_request("/loop.ics").respond_with_data(
        "", status=302, headers={"Location": location}
    )
    error = fetch_error(httpserver.url_for("/loop.ics"))
    assert "redirect" in error.message
    assert "SECRETTOKEN" not in str(error)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (SIGN_IN_PAGE, "text/html"),
        ("\n  <html><body>Welcome</body></html>", "text/plain"),
        ("<!doctype html><html></html>", ""),
    ],
)
def test_web_page_is_not_a_calendar(httpserver: HTTPServer, body: str, content_type: str) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(body, content_type=content_type)
    error = fetch_error(httpserver.url_for("/cal.ics"))
    assert "returned a web page (a sign-in page?), not a calendar" in error.message
    assert error.hint is not None
    assert "secret iCal address" in error.hint


def test_json_is_not_an_icalendar_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cal.ics").respond_with_json({"error": "gone"})
    error = fetch_error(httpserver.url_for("/cal.ics"))
    assert "not an iCalendar feed" in error.message
    assert "application/json" in error.message


def test_empty_body_is_not_a_calendar(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(b"", content_type="text/calendar")
    assert "empty" in fetch_error(httpserver.url_for("/cal.ics")).message


def test_broken_gzip_is_reported(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(
        CALENDAR, content_type="text/calendar", headers={"Content-Encoding": "gzip"}
    )
    assert "could not be decompressed" in fetch_error(httpserver.url_for("/cal.ics")).message


# --- size, time and connection limits --------------------------------------------------------


def test_body_over_the_size_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cal.ics").respond_with_data(
        CALENDAR + b" " * 5000, content_type="text/calendar"
    )
    error = fetch_error(httpserver.url_for("/cal.ics"), max_bytes=1000)
    assert "larger than 1,000 bytes" in error.message


def test_streamed_body_over_the_size_limit(httpserver: HTTPServer) -> None:
    chunks = (CALENDAR for _ in range(1000))  # no Content-Length to refuse early
    httpserver.expect_request("/cal.ics").respond_with_response(
        Response(chunks, content_type="text/calendar")
    )
    assert "larger than" in fetch_error(httpserver.url_for("/cal.ics"), max_bytes=10_000).message


def test_gzip_body_over_the_size_limit_once_decompressed(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(CALENDAR + b" " * 5_000_000)
    httpserver.expect_request("/cal.ics").respond_with_data(
        bomb, content_type="text/calendar", headers={"Content-Encoding": "gzip"}
    )
    assert len(bomb) < 100_000
    error = fetch_error(httpserver.url_for("/cal.ics"), max_bytes=100_000)
    assert "larger than 100,000 bytes" in error.message


def test_timeout(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def slow(_request: Request) -> Response:
        release.wait(5)
        return Response(CALENDAR, content_type="text/calendar")

    httpserver.expect_request("/cal.ics").respond_with_handler(slow)
    try:
        started = time.monotonic()
        error = fetch_error(httpserver.url_for("/cal.ics"), timeout=0.2)
        assert time.monotonic() - started < 2
    finally:
        release.set()
    assert error.message == "timed out after 0.2 s"
    assert error.hint is not None
    assert "check the address" in error.hint


def test_trickling_server_cannot_outlast_the_timeout() -> None:
    def trickle(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\nBEGIN:")
        for _ in range(12):
            time.sleep(0.05)
            try:
                connection.sendall(b" ")
            except OSError:
                return

    with raw_server(trickle) as url:
        started = time.monotonic()
        error = fetch_error(url, timeout=0.2)
        assert time.monotonic() - started < 0.55
    assert "timed out after 0.2 s" in error.message


def test_download_cut_off_before_content_length() -> None:
    def cut_off(connection: socket.socket) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 1000\r\n\r\n"
            + CALENDAR[:40]
        )

    with raw_server(cut_off) as url:
        assert "cut off" in fetch_error(url).message


def test_connection_refused() -> None:
    with socket.socket() as reserved:  # bound but not listening: connections are refused
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        error = fetch_error(f"http://127.0.0.1:{port}/cal.ics", timeout=2)
    assert "connection was refused" in error.message
    assert str(error.where) == f"http://127.0.0.1:{port}/…"


def test_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*_args: object, **_kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no real DNS lookup in tests
    error = fetch_error("https://calendar.example.invalid/calendar/ical/x/basic.ics", timeout=2)
    assert error.message == "the host name could not be found"
    assert str(error.where) == "https://calendar.example.invalid/…"


# --- secrets never shown ---------------------------------------------------------------------


def _respond(status: int, body: str | bytes, content_type: str) -> Callable[[Request], Response]:
    return lambda _request: Response(body, status=status, content_type=content_type)


@pytest.mark.parametrize(
    "handler",
    [
        _respond(404, "not found", "text/plain"),
        _respond(403, "forbidden", "text/plain"),
        _respond(500, "boom", "text/plain"),
        _respond(200, SIGN_IN_PAGE, "text/html"),
        _respond(200, '{"a": 1}', "application/json"),
        _respond(200, b"", "text/calendar"),
    ],
    ids=["404", "403", "500", "html", "json", "empty"],
)
def test_no_message_shows_the_secret(
    httpserver: HTTPServer, handler: Callable[[Request], Response]
) -> None:
    httpserver.expect_request(
        "/calendar/ical/abc@group/private-SECRETTOKEN/basic.ics"
    ).respond_with_handler(handler)
    error = fetch_error(base_url(httpserver) + SECRET_PATH)
    assert "SECRETTOKEN" not in str(error)
    assert "abc%40group" not in str(error)
    assert str(error.where).endswith(":" + str(httpserver.port) + "/…")


def test_no_message_shows_the_secret_when_unreachable() -> None:
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        url = f"http://user:PASSWORD@127.0.0.1:{reserved.getsockname()[1]}{SECRET_PATH}"
        error = fetch_error(url, timeout=2)
    assert "SECRETTOKEN" not in str(error)
    assert "PASSWORD" not in str(error)
