"""Plain HTTP to Microsoft Graph: one GET with a bearer token, retries, clear errors.

No Graph SDK (heavy, async-only): urllib, JSON, and a token provider (any callable
giving a bearer token; ``auth`` makes them). Messages never quote the server's
answer or the token: they may hold calendar content or secrets.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from ...errors import CredentialError, SourceError

TokenProvider = Callable[[], str]
RETRIED = frozenset({429, 503, 504})  # throttled or briefly unavailable
MAX_ATTEMPTS = 5  # the first try and four retries
BACKOFF = 1.0  # seconds before the first retry without Retry-After; doubles each time
MAX_WAIT = 60.0  # a longer Retry-After is not waited for: the read fails instead
TIMEOUT = 30.0  # seconds per request
SHARE_HINT = (
    "the rep can share their calendar with you in Outlook (Share > Can view all details), "
    "or an admin can allow the app this mailbox"
)


class GraphClient:
    """GETs against one Graph host (``base_url``); follows only links on that host."""

    def __init__(
        self,
        base_url: str,
        token: TokenProvider,
        *,
        timeout: float = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc.lower()
        self.token = token
        self.timeout = timeout
        self.sleep = sleep
        self.attempts = attempts

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """``path`` (from /v1.0/...) on the configured host, with its query."""
        query = f"?{urlencode(params, safe='$,:')}" if params else ""
        return f"{self.base_url}{path}{query}"

    def get(self, url: str, *, what: str, headers: Mapping[str, str] | None = None) -> dict:
        """The JSON at ``url`` (``what`` names it in errors: "calendar of rep@x")."""
        if urlsplit(url).netloc.lower() != self.host:
            raise SourceError(
                f"Graph sent a next page on another host for the {what}; not followed",
                hint=f"check graph_url (the configured host is {self.host})",
            )
        for attempt in range(self.attempts):
            sent = {"Authorization": f"Bearer {self.token()}", **(headers or {})}
            request = Request(url, headers=sent)
            try:
                with urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except HTTPError as exc:
                wait = _wait(exc, attempt)
                if exc.code not in RETRIED or attempt == self.attempts - 1 or wait is None:
                    raise _error(exc.code, _code(exc), what) from None
                self.sleep(wait)
            except (URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise SourceError(
                    f"could not reach Microsoft Graph for the {what}: {reason}",
                    hint=f"check the network and graph_url ({self.base_url})",
                ) from None
            except ValueError:
                raise SourceError(f"Microsoft Graph's answer for the {what} was not JSON") from None
        raise AssertionError("unreachable")


def _wait(exc: HTTPError, attempt: int) -> float | None:
    """Seconds before the next try: Retry-After when given, else backoff with jitter;
    None when the server asks for longer than ``MAX_WAIT``."""
    after = exc.headers.get("Retry-After") if exc.headers else None
    if after is not None:
        try:
            seconds = float(after)
        except ValueError:
            seconds = BACKOFF * 2**attempt
        return seconds if seconds <= MAX_WAIT else None
    return BACKOFF * 2**attempt * (1 + random.random() / 2)


def _code(exc: HTTPError) -> str:
    """Graph's error code (e.g. ErrorAccessDenied): a fixed word, safe to show."""
    try:
        code = json.loads(exc.read().decode("utf-8"))["error"]["code"]
    except (ValueError, KeyError, TypeError, OSError):
        return ""
    return code if isinstance(code, str) and code.isalnum() else ""


def _error(status: int, code: str, what: str) -> Exception:
    """The one-line error for a failed request (never the server's message)."""
    named = f" ({code})" if code else ""
    if status == 401:
        return CredentialError(
            f"Microsoft Graph refused the sign-in for the {what} (401{named})",
            hint="the token is missing, expired or for another tenant: sign in again",
        )
    if status == 403:
        return SourceError(f"no access to the {what} (403{named})", hint=SHARE_HINT)
    if status == 404:
        return SourceError(
            f"the {what} was not found (404{named})",
            hint="check the mailbox address and the calendar id",
        )
    if status in RETRIED:
        return SourceError(
            f"Microsoft Graph stayed busy for the {what} ({status}{named})",
            hint="try again later",
        )
    return SourceError(f"Microsoft Graph answered {status}{named} for the {what}")
