"""Everything that talks to a CalDAV server, through the ``caldav`` package.

Each exchange (list the calendars, fetch a period) runs under one ``Deadline``: a
fresh client whose every socket the deadline shuts when it passes, so a server that
sends a byte now and then cannot hold a read past it. 429 and 503 with Retry-After
are waited out a few times (never past the deadline). Every failure becomes one
line that names the server's host and the calendar, never a password or content.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from ...deadline import Deadline
from ...errors import CredentialError, Location, SourceError, UsageError, UserError
from ..limits import MAX_BYTES
from .password import Secret

T = TypeVar("T")

EXTRA = "pip install 'routine-audit[caldav]'"
RETRIES = 3  # waits for a 429/503 with Retry-After, per exchange
MAX_WAIT = 30.0  # seconds one Retry-After may make us wait
DEFAULT_WAIT = 2.0  # a 429 without a readable Retry-After
# bytes of one answer: a period's objects under the read's own limit, in XML's escaping
MAX_ANSWER = 2 * MAX_BYTES
_CHUNK = 64 * 1024
CA_ENVS = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
_CA_HINT = (
    "if a company CA signs it, give its certificate file with the ca_bundle setting "
    "(or set REQUESTS_CA_BUNDLE or SSL_CERT_FILE)"
)
_NETWORK_HINT = "check the address and your network connection"


def import_caldav() -> Any:
    """The ``caldav`` package, or a one-line error saying how to install it."""
    try:
        import caldav
    except ImportError:
        raise UsageError(
            "reading a CalDAV calendar needs the caldav package", hint=f"install it: {EXTRA}"
        ) from None
    return caldav


@dataclass(frozen=True)
class Account:
    """Where and as whom to sign in; ``repr`` shows no password."""

    url: str
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    verify: bool | str = True  # a CA bundle's path, or True: the system's
    timeout: float = 60.0  # seconds for one exchange in all

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "?"

    @property
    def where(self) -> Location:
        return Location(f"CalDAV server {self.host}")


@dataclass(frozen=True)
class Listed:
    """One calendar the account can see."""

    name: str  # its display name ("" when it has none)
    url: str
    readable: bool | None  # None: the server did not say

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def segment(self) -> str:
        return unquote(self.path.rstrip("/").rpartition("/")[2])


def ca_bundle(setting: str | None) -> bool | str:
    """The certificates to trust: the setting's file, else REQUESTS_CA_BUNDLE or
    SSL_CERT_FILE, else the system's (True)."""
    if setting:
        return setting
    for name in CA_ENVS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return True


def list_calendars(account: Account, also: str | None = None) -> list[Listed]:
    """The calendars of the principal's home, and those in the collection ``also``
    (a URL or path of another user's calendars that were shared with the account)."""
    with _exchange(account) as exchange:
        return _calendars(exchange, also, readable=True)


def fetch(
    account: Account, calendar: str, start: datetime, end: datetime, also: str | None = None
) -> tuple[Listed, list[bytes]]:
    """The calendar ``calendar`` (a display name, a path segment, a path or a URL) and
    the raw iCalendar data of every object the server says meets ``start``..``end``:
    one time-range REPORT, no expansion on the server."""
    with _exchange(account) as exchange:
        target = _choose(exchange, calendar, also)
        client = exchange.client
        handle = exchange.call(lambda: client.calendar(url=target.url), calendar)
        if target.readable is None and target.name == calendar:  # given as a path or URL
            # its events are named by its display name, however the setting names it
            target = Listed(_display_name(handle), target.url, None)
        objects = exchange.call(
            lambda: handle.search(
                start=start, end=end, event=True, expand=False, post_filter=False
            ),
            calendar,
        )
        data = [_raw(obj) for obj in objects]
    return target, [d for d in data if d]


def _raw(obj: Any) -> bytes:
    """An object's data exactly as the server sent it (not the library's mended text)."""
    raw = getattr(obj, "raw_data", None)
    if raw:
        return raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
    text = obj.data or ""
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def _calendars(exchange: _Exchange, also: str | None, *, readable: bool = False) -> list[Listed]:
    """The calendars the account sees; with ``readable``, whether it may read each (one
    more request per calendar: only ``calendars`` asks)."""
    found: dict[str, Listed] = {}
    principal = exchange.call(exchange.client.principal, None)
    homes = exchange.call(principal.calendars, None)
    extra: list[Any] = []
    if also:
        caldav = import_caldav()
        url = _join(exchange.account, also)
        other = caldav.Principal(client=exchange.client, url=url)
        extra = exchange.call(other.calendars, also)
    for handle in [*homes, *extra]:
        url = str(handle.url)
        if url not in found:
            found[url] = Listed(_display_name(handle), url, _readable(handle) if readable else None)
    return list(found.values())


def _display_name(handle: Any) -> str:
    try:
        return str(handle.get_display_name() or "")
    except Exception:  # noqa: BLE001  (a server without the property: no name)
        return ""


def _readable(handle: Any) -> bool | None:
    """Whether the account may read the calendar (DAV:read or DAV:all among its
    DAV:current-user-privilege-set); None when the server does not say."""
    from caldav.elements import dav

    try:
        props = handle.get_properties([dav.CurrentUserPrivilegeSet()], parse_props=False)
        element = props.get(dav.CurrentUserPrivilegeSet.tag)
    except Exception:  # noqa: BLE001  (not told: unknown)
        return None
    if element is None or not hasattr(element, "iter"):
        return None
    return any(str(node.tag) in _READ_PRIVILEGES for node in element.iter())


_READ_PRIVILEGES = frozenset({"{DAV:}read", "{DAV:}all"})


def _choose(exchange: _Exchange, calendar: str, also: str | None) -> Listed:
    """The calendar a setting names: a URL or path as given, else by name."""
    account = exchange.account
    if "://" in calendar or calendar.startswith("/"):
        return Listed(calendar, _join(account, calendar), None)
    listed = _calendars(exchange, also)
    for match in (
        lambda c: c.name == calendar,
        lambda c: c.segment == calendar,
        lambda c: c.name.casefold() == calendar.casefold(),
    ):
        chosen = [c for c in listed if match(c)]
        if chosen:
            return chosen[0]
    others = f"{len(listed)} other{'s' if len(listed) != 1 else ''}" if listed else "none at all"
    raise SourceError(
        f"{_who(account)} can read no calendar named {calendar!r} ({others})",
        where=account.where,
        hint="routine-audit calendars `source` caldav lists them; a calendar another "
        "user owns must be shared with this account (on a server that shares by access "
        "rights, name the owner's collection with shared_home)",
        names=("source",),
    )


def _join(account: Account, value: str) -> str:
    """A calendar's URL from a path or URL; another host's URL is refused (the
    password must not go there)."""
    url = urljoin(account.url if account.url.endswith("/") else account.url + "/", value)
    given, own = urlsplit(url), urlsplit(account.url)
    if (given.scheme, given.netloc) != (own.scheme, own.netloc):
        raise UsageError(
            f"the calendar's address is not on the server {account.host}",
            hint="give the calendar setting as a name, or a path on the url setting's server",
        )
    return url


@dataclass(frozen=True)
class _Exchange:
    """A client for one exchange, the deadline over it and the account it signs in as."""

    client: Any
    deadline: Deadline
    account: Account

    def call(self, action: Callable[[], T], calendar: str | None) -> T:
        """``action()``, waiting out 429/503 with Retry-After; failures as one line."""
        from caldav.lib import error

        waits = 0
        while True:
            try:
                return action()
            except error.RateLimitError as exc:
                wait = exc.retry_after_seconds
                wait = DEFAULT_WAIT if wait is None else max(float(wait), 0.0)
                if waits >= RETRIES or wait > MAX_WAIT or wait >= self.deadline.remaining():
                    raise SourceError(
                        f"the server is limiting requests (HTTP {exc.status or 429}); "
                        f"waited {waits} time{'s' if waits != 1 else ''} as it asked",
                        where=self.account.where,
                        hint="try again later",
                    ) from None
                waits += 1
                time.sleep(wait)
            except UserError:  # ours, worded already (a SourceError from the guard too)
                raise
            except Exception as exc:  # noqa: BLE001  (the library and its HTTP stack raise many)
                if self.deadline.expired:
                    raise _timed_out(self.account) from None
                raise _failure(exc, self.account, calendar) from None


@contextmanager
def _exchange(account: Account) -> Iterator[_Exchange]:
    """A fresh client whose sockets one deadline watches; closed at the end."""
    caldav = import_caldav()
    with Deadline(account.timeout) as deadline:
        try:
            client = caldav.DAVClient(
                url=account.url,
                username=account.username,
                password=account.password.reveal() if account.password else None,
                timeout=account.timeout,
                ssl_verify_cert=account.verify,
                enable_rfc6764=False,  # the url is the server's: no DNS discovery
                rate_limit_handle=False,  # we wait, within the deadline
            )
        except Exception:  # noqa: BLE001  (the library's words may quote the address)
            raise SourceError(
                "not a valid server address", where=account.where, hint=_NETWORK_HINT
            ) from None
        _watch_sockets(client.session, deadline)
        hooks = client.session.hooks
        hooks.setdefault("pre_request", []).append(_fence(account))
        hooks.setdefault("response", []).append(_guard(account))
        try:
            yield _Exchange(client, deadline, account)
        finally:
            client.close()


def _who(account: Account) -> str:
    return account.username or "the account"


def _timed_out(account: Account) -> SourceError:
    return SourceError(
        f"timed out after {account.timeout:g} s", where=account.where, hint=_NETWORK_HINT
    )


def _guard(account: Account) -> Callable[..., Any]:
    """A response hook, run before the body is read and on every redirect: another
    address is never followed (the password is for this server), and an answer is
    read only up to ``MAX_ANSWER`` bytes, however much the server sends."""
    home = _origin(account.url)

    def check(response: Any, **_: Any) -> Any:
        location = response.headers.get("Location") if response.is_redirect else None
        if location:
            target = urljoin(str(response.url), location)
            if _origin(target) != home:
                raise SourceError(
                    "a redirect was not followed: the server sent the request on to another host",
                    where=account.where,
                    hint="if that is the server's CalDAV address, give it as the url setting",
                    detail=urlsplit(target).hostname or "?",
                )
        wait = str(response.headers.get("Retry-After") or "").strip()
        if wait.isdigit() and len(wait) > 6:  # past any wait (and a float's range): refused
            response.headers["Retry-After"] = "999999"
        response._content = _bounded_body(response, account)  # read here, under the limit
        return response

    return check


def _fence(account: Account) -> Callable[..., Any]:
    """A hook run before each request is sent: the password goes only to the url
    setting's server, or over https to a host of its domain that the server names
    (iCloud keeps each account's calendars on one, p45-caldav.icloud.com); never in
    the clear, never to a host a server merely names."""

    def check(request: Any, **_: Any) -> Any:
        if not _may_go(account.url, str(request.url)):
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


def _may_go(own: str, url: str) -> bool:
    home, there = _origin(own), _origin(url)
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


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _bounded_body(response: Any, account: Account) -> bytes:
    """The answer's body, refused past ``MAX_ANSWER`` bytes (decoded: a compressed
    body counts as it unpacks)."""
    length = str(response.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > MAX_ANSWER:
        response.close()
        raise _too_large(account)
    raw = response.raw
    if raw is None:
        return b""
    chunks: list[bytes] = []
    size = 0
    while chunk := raw.read(_CHUNK, decode_content=True):
        size += len(chunk)
        if size > MAX_ANSWER:
            response.close()  # the connection too: the rest is never read
            raise _too_large(account)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(account: Account) -> SourceError:
    return SourceError(
        f"the server's answer is larger than {MAX_ANSWER:,} bytes; it was not read",
        where=account.where,
        hint="no real calendar holds that much for a period; check the url and calendar settings",
    )


def _watch_sockets(session: Any, deadline: Deadline) -> None:
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


def _failure(exc: BaseException, account: Account, calendar: str | None) -> Exception:
    """One line for what went wrong: credentials, sharing, TLS, network, the server."""
    from caldav.lib import error

    status = getattr(exc, "status", None)
    if isinstance(exc, error.AuthorizationError) and status != 403 and not account.password:
        return CredentialError(
            "the server asks to sign in (HTTP 401), and no user name and password were given",
            where=account.where,
            hint="give the username setting, and password_env naming the variable that "
            "holds its app password (see docs/caldav.md)",
        )
    if isinstance(exc, error.AuthorizationError) and status != 403:
        return CredentialError(
            f"the server did not accept the password of {_who(account)} (HTTP 401)",
            where=account.where,
            hint="the app password is wrong or was revoked: create a new one and put it "
            "in the variable password_env names (see docs/caldav.md)",
        )
    if isinstance(exc, error.AuthorizationError):
        return SourceError(
            f"{_who(account)} may not read the calendar {calendar!r} (HTTP 403: not shared "
            "with this account, or no such calendar)",
            where=account.where,
            hint="ask its owner to share it with this account (read access is enough)",
        )
    if isinstance(exc, error.NotFoundError) or status == 404:
        what = f"no calendar {calendar!r}" if calendar else "no CalDAV calendars at this address"
        return SourceError(
            f"{what} (HTTP 404)",
            where=account.where,
            hint="check the calendar and url settings: routine-audit calendars `source` "
            "caldav lists what the account can read",
            names=("source",),
        )
    if isinstance(exc, error.DAVError):
        code = f"HTTP {status}" if status else "an unexpected answer"
        return SourceError(
            f"the server answered {code}",
            where=account.where,
            hint="try again later; check the url setting is the server's CalDAV address",
        )
    return _network_failure(exc, account)


def _network_failure(exc: BaseException, account: Account) -> Exception:
    causes = list(_chain(exc))
    where = account.where
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes) or _said(
        causes, "certificate verify failed"
    ):
        return SourceError(
            f"the TLS certificate of {account.host} could not be verified",
            where=where,
            hint=_CA_HINT,
        )
    if any(isinstance(c, ssl.SSLError) for c in causes) or _named(causes, "SSLError"):
        return SourceError(
            f"the TLS connection to {account.host} failed",
            where=where,
            hint="check the url setting: https:// to a server that speaks TLS, else http://",
        )
    if any(isinstance(c, socket.gaierror) for c in causes) or _said(causes, "resolve"):
        return SourceError("the host name could not be found", where=where, hint=_NETWORK_HINT)
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or _said(causes, "refused"):
        return SourceError(
            "the connection was refused (nothing is listening at that address)",
            where=where,
            hint=_NETWORK_HINT,
        )
    # after the refusals: urllib3's failed connections are a kind of connect timeout
    if any(isinstance(c, TimeoutError) for c in causes) or _named(causes, "Timeout"):
        return _timed_out(account)
    if _named(causes, "ConnectionError") or any(isinstance(c, OSError) for c in causes):
        return SourceError("the connection failed or was cut off", where=where, hint=_NETWORK_HINT)
    return SourceError(
        f"the server's answer could not be read ({type(exc).__name__})",
        where=where,
        hint="check the url setting is the server's CalDAV address",
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and the reasons HTTP libraries wrap."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for link in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(link, BaseException):
                pending.append(link)
        pending.extend(a for a in current.args if isinstance(a, BaseException))


def _named(causes: list[BaseException], word: str) -> bool:
    return any(word in cls.__name__ for c in causes for cls in type(c).__mro__)


def _said(causes: list[BaseException], word: str) -> bool:
    return any(word in str(c).lower() for c in causes)
