"""The skeleton the benchmark's loopback APIs share: a threaded server on 127.0.0.1 that
answers JSON after a fixed latency and counts the requests made."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    # a listen backlog as a real server has: socketserver's default of 5 drops some of
    # 16 simultaneous connections, and each dropped one waits a second for its retry
    request_queue_size = 128
    fake: LoopbackJsonServer


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler of a ``LoopbackJsonServer``: ``self.fake`` is its server."""

    server: _Server

    @property
    def fake(self) -> Any:
        return self.server.fake

    def _wait(self) -> None:
        """Count the request, then take the server's latency."""
        self.fake._count()
        time.sleep(self.fake.latency)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


class LoopbackJsonServer:
    """Serve ``handler`` on a free loopback port inside ``with``; ``url`` ends in
    ``url_path``."""

    url_path = ""

    def __init__(self, handler: type[JsonHandler], *, latency: float):
        self.latency = latency
        self.requests = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.fake = self
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.url_path}"

    def _count(self) -> None:
        with self._lock:
            self.requests += 1

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
