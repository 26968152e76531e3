"""Issue 16: one overall deadline per feed request, covering connect, headers and body
(a server that trickles its headers one byte at a time used to hang a run forever)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from routine_audit.errors import SourceError, UsageError
from routine_audit.sources.feed import DEFAULT_TIMEOUT, TIMEOUT_ENV, feed_timeout, fetch_feed


@contextmanager
def header_trickler(stop: threading.Event) -> Iterator[str]:
    """A server that answers with a status line and then one header byte every 50 ms."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/cal.ics"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_headers_trickled_one_byte_at_a_time_cannot_outlast_the_deadline():
    stop = threading.Event()
    with header_trickler(stop) as url:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            fetch_feed(url, timeout=0.5)
        took = time.monotonic() - started
    assert caught.value.message == "timed out after 0.5 s"
    assert took < 2.0  # each byte came well inside a per-read timeout: only a deadline ends it


def test_the_deadline_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert feed_timeout() == DEFAULT_TIMEOUT == 60
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    stop = threading.Event()
    with header_trickler(stop) as url, pytest.raises(SourceError, match=r"timed out after 0\.5 s"):
        fetch_feed(url)


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan"])
def test_a_bad_deadline_setting_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(UsageError, match=TIMEOUT_ENV):
        feed_timeout()
