"""An http.server handler served on a free 127.0.0.1 port, in a thread, for a test.

``with Loopback(Handler) as server: ... server.url`` (https when ``context`` wraps it
in TLS); the server is shut down and closed at the end of the ``with``.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Loopback:
    """``handler`` on loopback; ``daemon_threads`` lets a request left hanging (a
    hostile answer) not hold the close."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        context: ssl.SSLContext | None = None,
        daemon_threads: bool = False,
    ):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = daemon_threads
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port: int = self.server.server_address[1]
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        # a short poll: the shutdown at the end of each test is quick
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
