"""Everything that talks to a CalDAV server, through the ``caldav`` package.

Each exchange (list the calendars, fetch a period) is a fresh client under one
``Deadline`` that watches its sockets (``watched``), sending the password only where
``fence`` allows; 429 and 503 with Retry-After are waited out a few times (never past
the deadline); every failure becomes one line (``failures``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from ...deadline import Deadline
from ...errors import SourceError, UsageError, UserError
from .account import Account
from .failures import NETWORK_HINT, failure, timed_out, who
from .fence import fence, guard
from .watched import watch_sockets

T = TypeVar("T")

EXTRA = "pip install 'routine-audit[caldav]'"
RETRIES = 3  # waits for a 429/503 with Retry-After, per exchange
MAX_WAIT = 30.0  # seconds one Retry-After may make us wait
DEFAULT_WAIT = 2.0  # a 429 without a readable Retry-After
CA_ENVS = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


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
        f"{who(account)} can read no calendar named {calendar!r} ({others})",
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
                    raise timed_out(self.account) from None
                raise failure(exc, self.account, calendar) from None


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
                "not a valid server address", where=account.where, hint=NETWORK_HINT
            ) from None
        watch_sockets(client.session, deadline)
        hooks = client.session.hooks
        hooks.setdefault("pre_request", []).append(fence(account))
        hooks.setdefault("response", []).append(guard(account))
        try:
            yield _Exchange(client, deadline, account)
        finally:
            client.close()
