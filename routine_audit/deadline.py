"""One deadline for a whole exchange with a server: when it passes, every socket the
exchange opened is shut down, which ends any connect, read or write still waiting on it.

A per-operation socket timeout does not bound a server that sends one byte just inside
it, again and again; this does (feeds, mail).
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import suppress


class Deadline:
    """Shut down the watched sockets ``seconds`` from entering the ``with`` block."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.001)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
