"""An http.server handler served on a free 127.0.0.1 port, in a thread, for a test.

``with Loopback(Handler) as server: ... server.url`` (https when ``context`` wraps it
in TLS); the server is shut down and closed at the end of the ``with``. ``send``
answers a request from a handler, as JSON unless told otherwise.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


def send(
    handler: BaseHTTPRequestHandler, status: int, body: Any, headers: Mapping[str, str] = {}
) -> None:
    """Answer ``body`` (bytes as they are, None as nothing, anything else as JSON) with
    ``headers``; its Content-Type is JSON unless ``headers`` name one."""
    data = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    rest = dict(headers)
    handler.send_response(status)
    handler.send_header("Content-Type", rest.pop("Content-Type", "application/json"))
    handler.send_header("Content-Length", str(len(data)))
    for name, value in rest.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)
