"""A failed CalDAV exchange as one line: credentials, sharing, TLS, network, the
server; naming the host and calendar, never a password or content."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

from ...errors import CredentialError, SourceError
from .account import Account

CA_HINT = (
    "if a company CA signs it, give its certificate file with the ca_bundle setting "
    "(or set REQUESTS_CA_BUNDLE or SSL_CERT_FILE)"
)
NETWORK_HINT = "check the address and your network connection"


def who(account: Account) -> str:
    return account.username or "the account"


def timed_out(account: Account) -> SourceError:
    return SourceError(
        f"timed out after {account.timeout:g} s", where=account.where, hint=NETWORK_HINT
    )


def failure(exc: BaseException, account: Account, calendar: str | None) -> Exception:
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
            f"the server did not accept the password of {who(account)} (HTTP 401)",
            where=account.where,
            hint="the app password is wrong or was revoked: create a new one and put it "
            "in the variable password_env names (see docs/caldav.md)",
        )
    if isinstance(exc, error.AuthorizationError):
        return SourceError(
            f"{who(account)} may not read the calendar {calendar!r} (HTTP 403: not shared "
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
            hint=CA_HINT,
        )
    if any(isinstance(c, ssl.SSLError) for c in causes) or _named(causes, "SSLError"):
        return SourceError(
            f"the TLS connection to {account.host} failed",
            where=where,
            hint="check the url setting: https:// to a server that speaks TLS, else http://",
        )
    if any(isinstance(c, socket.gaierror) for c in causes) or _said(causes, "resolve"):
        return SourceError("the host name could not be found", where=where, hint=NETWORK_HINT)
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or _said(causes, "refused"):
        return SourceError(
            "the connection was refused (nothing is listening at that address)",
            where=where,
            hint=NETWORK_HINT,
        )
    # after the refusals: urllib3's failed connections are a kind of connect timeout
    if any(isinstance(c, TimeoutError) for c in causes) or _named(causes, "Timeout"):
        return timed_out(account)
    if _named(causes, "ConnectionError") or any(isinstance(c, OSError) for c in causes):
        return SourceError("the connection failed or was cut off", where=where, hint=NETWORK_HINT)
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
