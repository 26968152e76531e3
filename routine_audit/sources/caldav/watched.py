"""The deadline over a CalDAV exchange's sockets: every connection the HTTP session
opens is handed to the ``Deadline``, which shuts it when the time is up."""

from __future__ import annotations

import socket
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from ...deadline import Deadline


def watch_sockets(session: Any, deadline: Deadline) -> None:
    """Every connection the session opens from now on is watched by ``deadline``.

    The HTTP library's pools make their connections from a class; each pool here gets
    a subclass whose new sockets the deadline can shut, through a proxy too (the
    environment's HTTPS_PROXY). Where the library is not built so, the per-operation
    timeout alone bounds each wait (tests/test_issue24_caldav_hostile_server.py
    checks that it is)."""
    for adapter in getattr(session, "adapters", {}).values():
        _watch_manager(getattr(adapter, "poolmanager", None), deadline)
        make_proxy = getattr(adapter, "proxy_manager_for", None)
        if callable(make_proxy):
            with suppress(AttributeError, TypeError):  # an adapter built otherwise
                adapter.proxy_manager_for = _watching(make_proxy, deadline)


def _watching(make_proxy: Callable[..., Any], deadline: Deadline) -> Callable[..., Any]:
    def proxy_manager_for(proxy: str, **kwargs: Any) -> Any:
        manager = make_proxy(proxy, **kwargs)
        _watch_manager(manager, deadline)
        return manager

    return proxy_manager_for


def _watch_manager(manager: Any, deadline: Deadline) -> None:
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if not isinstance(classes, dict):
        return
    manager.pool_classes_by_scheme = {
        scheme: pool
        if getattr(pool, "deadline_watched", False) or not hasattr(pool, "ConnectionCls")
        else _watched_pool(pool, deadline)
        for scheme, pool in classes.items()
    }


def _watched_pool(pool: type, deadline: Deadline) -> type:
    connection = pool.ConnectionCls

    class WatchedConnection(connection):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> Any:
            sock = super()._new_conn()
            if isinstance(sock, socket.socket):
                deadline.watch(sock)
            return sock

    members = {"ConnectionCls": WatchedConnection, "deadline_watched": True}
    return type(f"Watched{pool.__name__}", (pool,), members)
