"""Issue 24: a hostile or broken CalDAV server. A redirect to another address is never
followed (the password is for the server the url names); an answer larger than any
calendar's is refused while it arrives, not after it filled the memory; XML entities
("billion laughs") are not expanded; garbage is one line. And the deadline's seam into
the HTTP library's pools is in place, so a change in that library fails here rather
than leaving a slow server unbounded.

The servers are small scripted ones on loopback: no Radicale needed.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from caldav_server import PASSWORD_ENV
from loopback import Loopback

from routine_audit.errors import SourceError
from routine_audit.sources import source_class
from routine_audit.sources.base import SourceContext
from routine_audit.sources.caldav import fence as caldav_fence
from routine_audit.sources.caldav import watched as caldav_watched

PASSWORD = "hostile-test-password-9"


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)


class Scripted(Loopback):
    """A loopback HTTP server answering every request with ``answer(handler)``:
    (status, headers, body); it records (method, path, Authorization) of each."""

    def __init__(self, answer):
        self.asked: list[tuple[str, str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.asked.append((self.command, self.path, self.headers.get("Authorization")))
                status, headers, body = answer(self)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = _any  # noqa: N815

        super().__init__(Handler)


def sign_in_first(handler):
    """401 asking for Basic until the request carries credentials."""
    return not handler.headers.get("Authorization")


ASK = (401, {"WWW-Authenticate": 'Basic realm="dav"'}, b"")


def calendars_of(url: str):
    kind = source_class("caldav")
    values = {"url": url, "username": "manager", "password_env": PASSWORD_ENV}
    return kind.calendars(kind.Settings.model_validate(values), SourceContext())


# --- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_address_is_not_followed(status):
    """Neither before nor after signing in: the other address is never asked, and the
    line says what happened (not "wrong password", which sends the user to revoke it)."""
    with Scripted(lambda h: ASK if sign_in_first(h) else (207, {}, b"")) as other:
        target = f"http://localhost:{other.port}/dav/"

        def answer(handler):
            if sign_in_first(handler):
                return ASK
            return status, {"Location": target}, b""

        with Scripted(answer) as server, pytest.raises(SourceError) as caught:
            calendars_of(f"http://127.0.0.1:{server.port}/")
    assert other.asked == []
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: a redirect was not followed: the server sent the request on "
        "to another host (if that is the server's CalDAV address, give it as the url setting)"
    )
    assert caught.value.owner_line().endswith("another host: localhost (if that is the "
                                              "server's CalDAV address, give it as the url "
                                              "setting)")  # fmt: skip
    assert [auth is not None for _, _, auth in server.asked] == [False, True]


def test_a_redirect_on_the_same_server_is_followed():
    """/dav -> /dav/ and the like: the same scheme, host and port."""
    principal = (
        b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/'
        b"</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/dav/</d:href>"
        b"</d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status>"
        b"</d:propstat></d:response></d:multistatus>"
    )

    def answer(handler):
        if sign_in_first(handler):
            return ASK
        if handler.path == "/dav":
            return 301, {"Location": "/dav/"}, b""
        return 207, {"Content-Type": "text/xml"}, principal

    with Scripted(answer) as server:
        try:
            calendars_of(f"http://127.0.0.1:{server.port}/dav")
        except SourceError as exc:  # no calendar home: fine, the point is the redirect
            assert "redirect" not in exc.one_line()
    assert ("PROPFIND", "/dav/") in {(m, p) for m, p, _ in server.asked}


# --- addresses the server names -----------------------------------------------------------


def multistatus(href: str, props: str) -> bytes:
    return (
        f'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" '
        f'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>{href}</d:href>'
        f"<d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status>"
        f"</d:propstat></d:response></d:multistatus>"
    ).encode()


def test_a_calendar_home_on_another_host_gets_no_password():
    """The library moves to the host a calendar-home-set names (iCloud's own hosts):
    a server naming a plain-http host elsewhere would get the password sent there."""
    with Scripted(lambda h: ASK if sign_in_first(h) else (207, {}, b"")) as other:
        home = f"http://localhost:{other.port}/home/"

        def answer(handler):
            if sign_in_first(handler):
                return ASK
            principal = "<d:current-user-principal><d:href>/principal/</d:href>"
            principal += "</d:current-user-principal>"
            homes = f"<c:calendar-home-set><d:href>{home}</d:href></c:calendar-home-set>"
            return 207, {"Content-Type": "text/xml"}, multistatus(handler.path, principal + homes)

        with Scripted(answer) as server, pytest.raises(SourceError) as caught:
            calendars_of(f"http://127.0.0.1:{server.port}/")
    assert other.asked == []
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: the password is not sent to another host, which the "
        "server named for the calendars (if that server is the provider's, give its "
        "https:// address as the url setting)"
    )


@pytest.mark.parametrize(
    ("url", "named", "allowed"),
    [
        ("https://caldav.icloud.com", "https://p45-caldav.icloud.com:443/1/calendars/", True),
        ("https://caldav.icloud.com", "https://icloud.com/x/", True),
        ("https://caldav.icloud.com", "http://p45-caldav.icloud.com/1/calendars/", False),
        ("https://caldav.icloud.com", "https://caldav.icloud.com.evil.example/", False),
        ("https://caldav.icloud.com", "https://evil.example/", False),
        ("https://caldav.fastmail.com/dav/", "https://caldav.fastmail.com:443/dav/x/", True),
        ("https://dav.example", "https://other.example/", False),
        ("http://127.0.0.1:5232/", "http://127.0.0.1:5232/rep/", True),
        ("http://127.0.0.1:5232/", "http://localhost:5232/rep/", False),
        ("https://10.0.0.5/", "https://10.0.0.5:8443/dav/", True),
        ("https://10.0.0.5/", "https://10.0.0.6/dav/", False),
    ],
)
def test_where_the_password_may_go(url, named, allowed):
    """The url setting's server; over https, a host of its domain (iCloud's p45-caldav
    under caldav.icloud.com's icloud.com); never plain http elsewhere."""
    assert caldav_fence.may_go(url, named) is allowed


# --- Retry-After -------------------------------------------------------------------------


def test_an_absurd_retry_after_is_a_plain_refusal():
    """401 digits of seconds: more than a float holds; not waited, said plainly."""
    limited = (429, {"Retry-After": "1" + "0" * 400}, b"")
    with Scripted(lambda h: limited) as server, pytest.raises(SourceError) as caught:
        calendars_of(f"http://127.0.0.1:{server.port}/")
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: the server is limiting requests (HTTP 429); waited 0 times "
        "as it asked (try again later)"
    )
    assert len(server.asked) == 1


# --- huge answers --------------------------------------------------------------------------


def test_a_declared_huge_answer_is_refused_before_its_body(monkeypatch):
    """Content-Length over the limit: refused at once, not read (nor waited for)."""
    monkeypatch.setenv("ROUTINE_AUDIT_FEED_TIMEOUT", "30")
    huge = (207, {"Content-Type": "text/xml", "Content-Length": str(10**12)}, b"<")
    started = time.monotonic()
    server = Scripted(lambda h: ASK if sign_in_first(h) else huge)
    with server, pytest.raises(SourceError) as caught:
        calendars_of(f"http://127.0.0.1:{server.port}/")
    assert time.monotonic() - started < 20  # not the 30 s deadline
    limit = caldav_fence.MAX_ANSWER  # 2 x 50 MiB = 104,857,600 bytes
    assert limit == 104_857_600
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: the server's answer is larger than 104,857,600 bytes; it "
        "was not read (no real calendar holds that much for a period; check the url and "
        "calendar settings)"
    )


def test_an_endless_answer_is_cut_at_the_limit(monkeypatch):
    """A chunked answer without end: read up to the limit (here 1 MB), then refused;
    the server could not make us hold more."""
    monkeypatch.setattr(caldav_fence, "MAX_ANSWER", 1_000_000)
    monkeypatch.setenv("ROUTINE_AUDIT_FEED_TIMEOUT", "60")
    listener = socket.create_server(("127.0.0.1", 0))
    sent = [0]
    stop = threading.Event()

    def serve():
        for _ in range(2):  # the unauthenticated try, then the signed-in one
            connection, _ = listener.accept()
            with connection:
                request = connection.recv(65536)
                if b"Authorization" not in request:
                    connection.sendall(
                        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=x\r\n"
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    continue
                connection.sendall(
                    b"HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n"
                )
                chunk = b"x" * 65536
                frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
                while not stop.is_set() and sent[0] < 200_000_000:
                    try:
                        connection.sendall(frame)
                    except OSError:
                        return
                    sent[0] += len(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(SourceError) as caught:
            calendars_of(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    finally:
        stop.set()
        listener.close()
    thread.join(timeout=30)
    assert not thread.is_alive()  # our side closed the connection: its sending failed
    assert "the server's answer is larger than 1,000,000 bytes" in caught.value.one_line()
    assert sent[0] < 50_000_000  # the limit and the sockets' buffers, not the 200 MB


# --- XML -------------------------------------------------------------------------------


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE d:multistatus ['
    b'<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(9)
    )
    + b']><d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop>'
    b"<d:current-user-principal><d:href>&j;</d:href></d:current-user-principal></d:prop>"
    b"<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
)


def test_xml_entities_are_not_expanded():
    """Ten levels of ten: 10^9 copies if expanded. The library's parser keeps entities
    unresolved (lxml, resolve_entities=False, no_network=True): one line, at once."""
    xml = (207, {"Content-Type": "text/xml"}, LAUGHS)
    started = time.monotonic()
    server = Scripted(lambda h: ASK if sign_in_first(h) else xml)
    with server, pytest.raises(SourceError) as caught:
        calendars_of(f"http://127.0.0.1:{server.port}/")
    assert time.monotonic() - started < 20
    assert caught.value.one_line().startswith("CalDAV server 127.0.0.1: ")
    assert "\n" not in caught.value.one_line()


@pytest.mark.parametrize(
    "body",
    [b"<html>hello</html>", b"\x00\xff garbage", b'<?xml version="1.0"?><d:multistatus'],
)
def test_a_multistatus_that_is_not_one_is_one_line_without_the_password(body):
    from typer.testing import CliRunner

    from routine_audit.cli import app

    garbage = (207, {"Content-Type": "text/xml"}, body)
    with Scripted(lambda h: ASK if sign_in_first(h) else garbage) as server:
        options = [f"url=http://127.0.0.1:{server.port}/", "username=manager",
                   f"password_env={PASSWORD_ENV}"]  # fmt: skip
        pairs = [part for option in options for part in ("--source-option", option)]
        result = CliRunner().invoke(app, ["calendars", "--source", "caldav", *pairs])
    assert result.exit_code in (0, 2)  # one line: nothing listed (an empty list), or why
    assert "\t" not in result.stdout  # no calendar row
    assert len((result.stdout + result.stderr).splitlines()) == 1
    assert "Traceback" not in result.output and PASSWORD not in result.output


# --- the deadline's seam -----------------------------------------------------------------


def test_the_deadline_holds_through_a_proxy_from_the_environment(monkeypatch):
    """A company's HTTP_PROXY drips its answer a byte every 0.2 s (no per-read timeout
    ever trips): the 2 s deadline still ends the exchange."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROUTINE_AUDIT_FEED_TIMEOUT", "2")
    listener = socket.create_server(("127.0.0.1", 0))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{listener.getsockname()[1]}")
    from niquests import utils  # it keeps the environment's proxies once read: read anew

    caches = (utils.getproxies, utils.getproxies_environment)
    for cached in caches:
        cached.cache_clear()

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\n")
            until = time.monotonic() + 40  # bounded: a lost deadline fails, never hangs
            while time.monotonic() < until:
                try:
                    connection.sendall(b"X")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(SourceError) as caught:
            calendars_of("http://localhost:9/")  # the proxy is asked, never port 9
    finally:
        listener.close()
        for cached in caches:  # the next test reads its own environment
            cached.cache_clear()
    assert time.monotonic() - started < 15  # 2 s, and slack for a loaded machine
    assert caught.value.one_line() == (
        "CalDAV server localhost: timed out after 2 s "
        "(check the address and your network connection)"
    )


def test_every_connection_the_client_makes_is_watched_by_the_deadline():
    """The deadline reaches sockets through the HTTP library's pool classes; a new
    version built otherwise must fail here, not leave a drip-feeding server unbounded."""
    from routine_audit.sources.caldav.client import Account, _exchange

    with _exchange(Account("https://caldav.example/")) as exchange:
        adapters = exchange.client.session.adapters.values()
        schemes = {
            scheme: pool
            for adapter in adapters
            for scheme, pool in adapter.poolmanager.pool_classes_by_scheme.items()
        }
    assert {"http", "https"} <= set(schemes)
    for pool in schemes.values():
        assert pool.__name__.startswith("Watched")
        assert pool.ConnectionCls.__name__ == "WatchedConnection"
        assert "_new_conn" in vars(pool.ConnectionCls)
        # the method it overrides is the one the library's connect calls
        assert any("_new_conn" in vars(base) for base in pool.ConnectionCls.__mro__[1:])


def test_an_http_library_built_otherwise_is_no_crash():
    """Adapters without pools, pools without a connection class, slotted adapters: the
    seam leaves them be (the test above is what says the deadline was lost)."""
    from types import SimpleNamespace

    from routine_audit.deadline import Deadline

    class Slotted:
        __slots__ = ()

        def proxy_manager_for(self, proxy):
            return None

    odd = SimpleNamespace(pool_classes_by_scheme={"https": object})
    session = SimpleNamespace(
        adapters={"a": object(), "b": Slotted(), "c": SimpleNamespace(poolmanager=odd)}
    )
    with Deadline(5) as deadline:
        caldav_watched.watch_sockets(session, deadline)
    assert odd.pool_classes_by_scheme == {"https": object}
