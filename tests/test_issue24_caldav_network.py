"""Issue 24: the CalDAV source's network behaviour, each with a one-line error: 429 and
503 with Retry-After are waited out (a few times, never past the deadline); one
deadline bounds an exchange however slowly a server drips its answer; a TLS
certificate that cannot be verified names the host and how to trust a company CA;
a refused connection says so.

A small forwarding proxy on loopback stands in front of Radicale (tests/caldav_server.py)
to answer 429/503 first, or to speak TLS with a self-signed certificate.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import caldav_server as radicale
import pytest
from caldav_server import free_port, manager, opened
from loopback import Loopback
from source_contract import NY, ROUTINE, WEEK, IcsWriter

import routine_audit as ra
from routine_audit.errors import SourceError

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
manager_password = radicale.manager_password  # autouse: the manager's password in the env


@pytest.fixture(scope="module")
def shared(caldav_server):
    caldav_server.shared(IcsWriter.text(WEEK), "shared-net")
    return caldav_server


class Proxy(Loopback):
    """Forwards every request to ``backend``; answers the first ones from ``script``
    (status, headers) instead. Counts what it was asked."""

    def __init__(self, backend: str, script=(), context: ssl.SSLContext | None = None):
        self.backend = urlsplit(backend)
        self.script = list(script)
        self.asked: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                return

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.asked.append(self.command)
                if proxy.script:
                    status, headers = proxy.script.pop(0)
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                upstream = http.client.HTTPConnection(
                    proxy.backend.hostname, proxy.backend.port, timeout=30
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_PROPFIND = do_REPORT = do_OPTIONS = do_HEAD = _any  # noqa: N815

        super().__init__(Handler, context=context)


def read(url: str, calendar: str = "shared-net", **more):
    source = opened(manager(url, calendar, **more))
    model = ra.load_routine(ROUTINE)
    return source.read(ra.period_for(model, week="2026-W45"), zone=NY)


# --- 429 / 503 with Retry-After ---------------------------------------------------------


def test_429_and_503_with_retry_after_are_waited_out(shared):
    script = [(429, {"Retry-After": "1"}), (503, {"Retry-After": "1"})]
    with Proxy(shared.url, script) as proxy:
        started = time.monotonic()
        data = read(proxy.url)
        waited = time.monotonic() - started
    assert "prospect@t" in {e.uid for e in data.events}
    assert waited >= 2.0  # 1 s + 1 s, as the server asked
    assert proxy.asked[:2] == ["PROPFIND", "PROPFIND"]  # the same request, asked again


def test_a_server_that_keeps_limiting_gives_up_after_three_waits(shared):
    script = [(429, {"Retry-After": "0"})] * 10
    with Proxy(shared.url, script) as proxy, pytest.raises(SourceError) as caught:
        read(proxy.url)
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: the server is limiting requests (HTTP 429); waited 3 "
        "times as it asked (try again later)"
    )
    assert len(proxy.asked) == 4  # the first try and three more


def test_a_retry_after_beyond_the_limit_is_not_waited(shared, monkeypatch):
    with Proxy(shared.url, [(503, {"Retry-After": "3600"})]) as proxy:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            read(proxy.url)
    assert time.monotonic() - started < 20  # not an hour
    assert "limiting requests (HTTP 503); waited 0 times" in caught.value.one_line()
    assert len(proxy.asked) == 1


# --- one deadline per exchange ----------------------------------------------------------


def test_a_slow_drip_server_cannot_hold_a_read_past_the_deadline(monkeypatch):
    """A byte every 0.2 s never trips a per-read timeout; the deadline ends it."""
    monkeypatch.setenv("ROUTINE_AUDIT_FEED_TIMEOUT", "2")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\n")
            until = time.monotonic() + 60  # bounded: a lost deadline fails, never hangs
            while not stop.is_set() and time.monotonic() < until:
                try:
                    connection.sendall(b"X")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(SourceError) as caught:
            read(f"http://127.0.0.1:{port}/")
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 15  # 2 s, and slack for a loaded machine
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: timed out after 2 s "
        "(check the address and your network connection)"
    )


# --- TLS and connections ----------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (as a company CA's would look to us)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return cert, key


def tls_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


def test_an_unverified_certificate_names_the_host_and_how_to_trust_a_ca(
    shared, certificate, monkeypatch
):
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    with Proxy(shared.url, context=tls_context(certificate)) as proxy:
        with pytest.raises(SourceError) as caught:
            read(proxy.url)
        assert caught.value.one_line() == (
            "CalDAV server 127.0.0.1: the TLS certificate of 127.0.0.1 could not be verified "
            "(if a company CA signs it, give its certificate file with the ca_bundle setting "
            "(or set REQUESTS_CA_BUNDLE or SSL_CERT_FILE))"
        )
        # trusted through the setting, or through the usual variable
        trusted = read(proxy.url, ca_bundle=str(certificate[0]))
        assert "prospect@t" in {e.uid for e in trusted.events}
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        assert "prospect@t" in {e.uid for e in read(proxy.url).events}


def test_a_refused_connection_is_one_line():
    with pytest.raises(SourceError) as caught:
        read(f"http://127.0.0.1:{free_port()}/")
    assert caught.value.one_line() == (
        "CalDAV server 127.0.0.1: the connection was refused (nothing is listening at that "
        "address) (check the address and your network connection)"
    )
