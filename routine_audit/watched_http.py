"""urllib handlers whose sockets a ``Deadline`` watches: when it passes, the socket is
shut, so a server that sends a byte now and then cannot hold a read past it. Feeds and
Microsoft Graph read through them."""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.request import HTTPHandler, HTTPSHandler, Request

from .deadline import Deadline


def watched_connection(connection_class: type, deadline: Deadline) -> type:
    """``connection_class`` whose sockets the deadline can shut down, and whose every
    wait is bounded by what is left of it."""

    class Watched(connection_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = self._connect_watched

        def _connect_watched(
            self, address: tuple[str, int], timeout: object = None, source_address: object = None
        ) -> socket.socket:
            sock = socket.create_connection(
                address, min(deadline.remaining(), self.timeout or 1e9), source_address
            )
            return deadline.watch(sock)

    return Watched


class WatchedHTTPHandler(HTTPHandler):
    """http:// through connections ``deadline`` watches."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._connection = watched_connection(http.client.HTTPConnection, deadline)

    def http_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class WatchedHTTPSHandler(HTTPSHandler):
    """https:// through connections ``deadline`` watches (``context``: the TLS trust)."""

    def __init__(self, deadline: Deadline, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self._connection = watched_connection(http.client.HTTPSConnection, deadline)

    def https_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._context)
