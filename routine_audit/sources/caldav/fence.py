"""What a CalDAV exchange may send and read: the password goes only to the url's server
(or, over https, a host of its domain), no redirect leaves it, and an answer is read
only up to ``MAX_ANSWER`` bytes."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from ...errors import SourceError
from ..limits import MAX_BYTES
from .account import Account

# bytes of one answer: a period's objects under the read's own limit, in XML's escaping
MAX_ANSWER = 2 * MAX_BYTES
_CHUNK = 64 * 1024


def guard(account: Account) -> Callable[..., Any]:
    """A response hook, run before the body is read and on every redirect: another
    address is never followed (the password is for this server), and an answer is
    read only up to ``MAX_ANSWER`` bytes, however much the server sends."""
    home = origin(account.url)

    def check(response: Any, **_: Any) -> Any:
        location = response.headers.get("Location") if response.is_redirect else None
        if location:
            target = urljoin(str(response.url), location)
            if origin(target) != home:
                raise SourceError(
                    "a redirect was not followed: the server sent the request on to another host",
                    where=account.where,
                    hint="if that is the server's CalDAV address, give it as the url setting",
                    detail=urlsplit(target).hostname or "?",
                )
        wait = str(response.headers.get("Retry-After") or "").strip()
        if wait.isdigit() and len(wait) > 6:  # past any wait (and a float's range): refused
            response.headers["Retry-After"] = "999999"
        response._content = bounded_body(response, account)  # read here, under the limit
        return response

    return check


def fence(account: Account) -> Callable[..., Any]:
    """A hook run before each request is sent: the password goes only to the url
    setting's server, or over https to a host of its domain that the server names
    (iCloud keeps each account's calendars on one, p45-caldav.icloud.com); never in
    the clear, never to a host a server merely names."""

    def check(request: Any, **_: Any) -> Any:
        if not may_go(account.url, str(request.url)):
            raise SourceError(
                "the password is not sent to another host, which the server named for the "
                "calendars",
                where=account.where,
                hint="if that server is the provider's, give its https:// address as the url "
                "setting",
                detail=urlsplit(str(request.url)).hostname or "?",
            )
        return request

    return check


def may_go(own: str, url: str) -> bool:
    home, there = origin(own), origin(url)
    if there == home:
        return True
    if there[0] != "https":
        return False
    host, other = home[1], there[1]
    try:
        ipaddress.ip_address(host)
        return other == host  # an address: that machine only (another port)
    except ValueError:
        pass
    base = host.split(".", 1)[1] if host.count(".") >= 2 else host
    return other == base or other.endswith("." + base)


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def bounded_body(response: Any, account: Account) -> bytes:
    """The answer's body, refused past ``MAX_ANSWER`` bytes (decoded: a compressed
    body counts as it unpacks)."""
    length = str(response.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > MAX_ANSWER:
        response.close()
        raise too_large(account)
    raw = response.raw
    if raw is None:
        return b""
    chunks: list[bytes] = []
    size = 0
    while chunk := raw.read(_CHUNK, decode_content=True):
        size += len(chunk)
        if size > MAX_ANSWER:
            response.close()  # the connection too: the rest is never read
            raise too_large(account)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(account: Account) -> SourceError:
    return SourceError(
        f"the server's answer is larger than {MAX_ANSWER:,} bytes; it was not read",
        where=account.where,
        hint="no real calendar holds that much for a period; check the url and calendar settings",
    )
