"""What every Microsoft sign-in shares: msal (imported only here, and only when used),
the authority, the TLS trust, the Graph scopes, and how msal's answers become errors.

Messages name files and Microsoft's error *code* (e.g. ``invalid_grant``) with our own
hint; msal's ``error_description`` is never shown: it may quote a request or a secret.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import CredentialError, Location, UsageError

INSTALL_HINT = "pip install 'routine-audit[microsoft]'"
ENV_AUTHORITY = "ROUTINE_AUDIT_MS_AUTHORITY"  # e.g. https://login.microsoftonline.us/TENANT
ENV_CA_BUNDLE = "ROUTINE_AUDIT_MS_CA_BUNDLE"  # a PEM file of the authority's CA (tests, proxies)
ENV_GRAPH = "ROUTINE_AUDIT_GRAPH_ENDPOINT"
LOGIN_HOST = "https://login.microsoftonline.com"
GRAPH = "https://graph.microsoft.com"
DEFAULT_TENANT = "organizations"  # any work or school account
TIMEOUT = 30  # seconds per request to the authority
# delegated: the rep's own calendar (bodies, for description rules) and calendars shared
# with the signed-in manager; category colours need the mailbox settings too
DELEGATED = ("Calendars.Read", "Calendars.Read.Shared")
COLOURS = "MailboxSettings.Read"
# msal's error codes -> what to do about them (anything else: sign in again)
HINTS = {
    "invalid_client": "check client_id and the app registration (see docs/microsoft.md)",
    "unauthorized_client": "check client_id and the app registration (see docs/microsoft.md)",
    "invalid_grant": "sign in again",
    "interaction_required": "sign in again",
    "consent_required": "an admin must grant consent (see docs/microsoft.md)",
    "invalid_scope": "the app lacks the Calendars.Read permission (see docs/microsoft.md)",
    "access_denied": "the sign-in was cancelled or refused; try again",
    "invalid_request": "check tenant and client_id (see docs/microsoft.md)",
    "invalid_resource": "check the Graph endpoint and the app's API permissions",
}
# Microsoft's numbered errors whose fix is not "sign in again"
AADSTS_HINTS = {"AADSTS65001": "an admin must grant consent (see docs/microsoft.md)"}
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_AADSTS = re.compile(r"\bAADSTS\d{4,6}\b")


def msal() -> Any:
    """The msal module, or a one-line error saying what to install."""
    try:
        import msal as module
    except ImportError:
        raise UsageError(
            "Microsoft 365 calendars need the msal package", hint=INSTALL_HINT
        ) from None
    return module


def authority(tenant: str | None) -> str:
    """``$ROUTINE_AUDIT_MS_AUTHORITY`` (a national cloud, a test), else the public cloud's
    login host for ``tenant`` (a tenant id or domain; default: any work account)."""
    given = os.environ.get(ENV_AUTHORITY, "").strip().rstrip("/")
    if given:
        if urlsplit(given).scheme != "https":
            raise UsageError(
                f"{ENV_AUTHORITY} must be an https:// address",
                hint="e.g. https://login.microsoftonline.us/YOUR_TENANT",
            )
        return given
    return f"{LOGIN_HOST}/{tenant or DEFAULT_TENANT}"


def app_options(where: str) -> dict[str, Any]:
    """What every msal application is made with: our CA bundle, no instance discovery
    off the public cloud's login host (a national cloud or a test knows its own host)."""
    options: dict[str, Any] = {"timeout": TIMEOUT}
    bundle = os.environ.get(ENV_CA_BUNDLE, "").strip()
    if bundle:
        if not Path(bundle).is_file():
            raise UsageError(
                f"{ENV_CA_BUNDLE} names {bundle}, which is not a file",
                hint="give a PEM file of the certificate authority",
            )
        options["http_client"] = _trusting(bundle)
    if not where.startswith(LOGIN_HOST + "/"):
        options |= {"instance_discovery": False, "validate_authority": False}
    return options


def _trusting(bundle: str) -> Any:
    """An HTTP session for msal that trusts ``bundle``: given as msal's ``verify``, it
    would lose to $REQUESTS_CA_BUNDLE, which requests prefers to a session's own."""
    import requests
    from requests.adapters import HTTPAdapter

    class Session(requests.Session):
        def merge_environment_settings(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return {**super().merge_environment_settings(*args, **kwargs), "verify": bundle}

        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", TIMEOUT)
            return super().request(*args, **kwargs)

    session = Session()
    session.verify = bundle
    adapter = HTTPAdapter(max_retries=1)  # as msal's own session
    session.mount("https://", adapter)
    return session


def graph_resource() -> str:
    """The Graph resource the tokens are for: the configured https endpoint's origin (a
    national cloud), else the public Microsoft Graph (a loopback test endpoint included)."""
    endpoint = urlsplit(os.environ.get(ENV_GRAPH, "").strip())
    if endpoint.scheme == "https" and endpoint.netloc:
        return f"https://{endpoint.netloc}"
    return GRAPH


def delegated_scopes(*, colours: bool = False) -> list[str]:
    """The delegated scopes, short names on the public cloud, qualified on another."""
    names = [*DELEGATED, *((COLOURS,) if colours else ())]
    resource = graph_resource()
    return names if resource == GRAPH else [f"{resource}/{name}" for name in names]


def app_scopes() -> list[str]:
    """App-only: every application permission granted to the app, for Graph."""
    return [f"{graph_resource()}/.default"]


def failed(result: Any, what: str, *, hint: str | None = None) -> CredentialError:
    """A msal result that carries no token, as one line: its error code and our hint."""
    answer = result if isinstance(result, dict) else {}
    code = str(answer.get("error") or "no_token")
    code = code if _CODE.match(code) else "error"
    found = _AADSTS.search(str(answer.get("error_description") or ""))
    detail = f"{code}, {found.group()}" if found else code
    known = AADSTS_HINTS.get(found.group()) if found else None
    return CredentialError(
        f"{what} ({detail})", hint=known or hint or HINTS.get(code, "sign in again")
    )


def cannot_read(path: Path, what: str, exc: OSError, *, hint: str) -> CredentialError:
    """A sign-in file the OS would not let us read, as one line naming it and why."""
    reason = exc.strerror or type(exc).__name__
    return CredentialError(f"cannot read {what}: {reason}", where=Location(path), hint=hint)


def unreadable() -> tuple[type[BaseException], ...]:
    """What msal raises when the authority's answer is not a token response (a proxy's
    HTML page, a 500, JSON that is not an object): caught around each msal call."""
    return (ValueError, TypeError, AttributeError, KeyError, RecursionError,
            msal().exceptions.MsalError)  # fmt: skip


def garbled(exc: BaseException, where: str) -> CredentialError:
    """An answer from the authority that msal could not read, as one line (never its text)."""
    return CredentialError(
        f"the Microsoft sign-in service at {where} did not answer with a token "
        f"({type(exc).__name__})",
        hint=f"try again later; if a proxy answers instead, check the network and {ENV_AUTHORITY}",
    )


def unreachable(exc: BaseException, where: str) -> CredentialError:
    """A network or TLS failure talking to the authority (never its full text: a URL in
    it may carry a code)."""
    kind = type(exc).__name__
    tls = "SSL" in kind or "certificate" in str(exc).lower()
    return CredentialError(
        f"cannot reach the Microsoft sign-in service at {where} ({kind})",
        hint=f"check {ENV_CA_BUNDLE}" if tls else "check the network and the tenant",
    )


def application(kind: str, client_id: str, where: str, **options: Any) -> Any:
    """A msal ``PublicClientApplication`` or ``ConfidentialClientApplication`` (``kind``)
    for the authority ``where``; msal looks it up here, so an unknown tenant fails here."""
    module = msal()
    try:
        return getattr(module, kind)(client_id, authority=where, **app_options(where), **options)
    except OSError as exc:  # requests' errors are OSErrors
        raise unreachable(exc, where) from None
    except ValueError:
        raise CredentialError(
            f"the Microsoft sign-in service does not know the tenant at {where}",
            hint="check tenant (a tenant id or domain)",
        ) from None
    except unreadable() as exc:
        raise garbled(exc, where) from None
