"""Issue 16 (review): a mail server that answers one byte at a time, each well inside the
per-operation timeout, cannot hold a run: signing in, and then each message, has one
deadline in all (``MailSettings.deadline``), as a feed request has."""

from __future__ import annotations

import socket
import threading
import time

from routine_audit.mail import MailSettings, Message, send


def _dripping_server(stop: threading.Event) -> int:
    """Greets one byte every 50 ms, forever (a per-operation timeout never fires)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        connection, _ = listener.accept()
        with connection:
            for byte in iter(lambda: b"2", None):
                if stop.is_set():
                    return
                try:
                    connection.sendall(byte)
                except OSError:
                    return
                time.sleep(0.05)
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def test_a_dripping_server_cannot_outlast_the_deadline():
    stop = threading.Event()
    port = _dripping_server(stop)
    settings = MailSettings(
        host="127.0.0.1", sender="a@b.example", port=port, security="none",
        timeout=5, deadline=1,
    )  # fmt: skip
    started = time.monotonic()
    try:
        results = send(settings, [Message("x@y.example", "s", "t")])
    finally:
        stop.set()
    assert time.monotonic() - started < 4
    [(_, error)] = results
    assert error is not None and "cannot send via 127.0.0.1" in error
    assert "\n" not in error


def test_the_default_deadline_bounds_each_message():
    assert MailSettings(host="h", sender="a@b.example").deadline == 120
