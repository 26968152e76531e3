"""Plain HTTP to Microsoft Graph: GET and POST with a bearer token, retries, clear errors.

No Graph SDK (heavy, async-only): urllib, JSON, and a token provider (any callable
giving a bearer token; ``auth`` makes them). Messages never quote the server's
answer or the token: they may hold calendar content or secrets (Graph's error *code*,
a fixed word, is shown).

Bounds, whatever the server does: one deadline for each request, its retries and
waits included (``Deadline`` shuts the socket of a server trickling bytes, as for
feeds); at most
``MAX_BYTES`` of answer; at most ``PER_MAILBOX`` requests at once for one mailbox
(Graph's own limit), any number across mailboxes; no redirect is followed and no
link to another host, so the token only ever goes to the configured host.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import (
    HTTPRedirectHandler,
    Request,
    build_opener,
)

from ...deadline import Deadline
from ...errors import CredentialError, SourceError, UsageError
from ...watched_http import WatchedHTTPHandler, WatchedHTTPSHandler
from ..limits import MAX_BYTES
from .identity import ENV_CA_BUNDLE

TokenProvider = Callable[[], str]
RETRIED = frozenset({429, 503, 504})  # throttled or briefly unavailable
MAX_ATTEMPTS = 5  # the first try and four retries
BACKOFF = 1.0  # seconds before the first retry without Retry-After; doubles each time
MAX_WAIT = 60.0  # a longer Retry-After is not waited for: the read fails instead
TIMEOUT = 120.0  # seconds one request may take in all: connecting, answers, retries, waits
PER_MAILBOX = 4  # requests at once for one mailbox (Graph throttles above)
_CHUNK = 64 * 1024
SHARE_HINT = (
    "the rep can share their calendar with you in Outlook (Share > Can view all details), "
    "or an admin can allow the app this mailbox"
)


class AccessDeniedError(SourceError):
    """Graph's 403: the mailbox (or calendar) is not shared with this sign-in."""


_slots: dict[tuple[str, str], threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def mailbox_slots(host: str, mailbox: str) -> threading.BoundedSemaphore:
    """The one semaphore of ``mailbox`` on ``host`` (shared by every source and thread)."""
    key = (host, mailbox.lower())
    with _slots_lock:
        if key not in _slots:
            _slots[key] = threading.BoundedSemaphore(PER_MAILBOX)
        return _slots[key]


@contextmanager
def _slot(
    slots: threading.BoundedSemaphore, deadline: Deadline, late: Callable[[], Exception]
) -> Iterator[None]:
    """One of the mailbox's slots, waited for within ``deadline`` (else ``late()``)."""
    if not slots.acquire(timeout=deadline.remaining()):
        raise late()
    try:
        yield
    finally:
        slots.release()


class GraphClient:
    """Requests to one Graph host (``base_url``); follows only links on that host."""

    def __init__(
        self,
        base_url: str,
        token: TokenProvider,
        *,
        timeout: float = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = MAX_ATTEMPTS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc.lower()
        self.origin = _origin(self.base_url)
        self.token = token
        self.timeout = timeout
        self.sleep = sleep
        self.attempts = attempts
        self.max_bytes = max_bytes

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """``path`` (from /v1.0/...) on the configured host, with its query."""
        query = f"?{urlencode(params, safe='$,:')}" if params else ""
        return f"{self.base_url}{path}{query}"

    def get(
        self, url: str, *, what: str, mailbox: str = "", headers: Mapping[str, str] | None = None
    ) -> dict:
        """The JSON object at ``url`` (``what`` names it in errors: "calendar of rep@x")."""
        return self.send(url, what=what, mailbox=mailbox, headers=headers)

    def post(self, url: str, body: Any, *, what: str, mailbox: str = "") -> dict:
        """The JSON object Graph answers to ``body`` POSTed at ``url``."""
        data = json.dumps(body).encode("utf-8")
        return self.send(url, what=what, mailbox=mailbox, data=data)

    def send(
        self,
        url: str,
        *,
        what: str,
        mailbox: str = "",
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
    ) -> dict:
        """One request, retried on 429/503/504 within one deadline; ``mailbox`` names
        whose share of ``PER_MAILBOX`` it takes."""
        if _origin(url) != self.origin:  # an http:, file: or ftp: link on the same host too
            raise SourceError(
                f"Graph sent a next page on another host or scheme for the {what}; not followed",
                hint=f"check graph_url (the configured endpoint is {'://'.join(self.origin)})",
            )
        slots = mailbox_slots(self.host, mailbox)
        with Deadline(self.timeout) as deadline:
            for attempt in range(self.attempts):
                request = Request(url, data=data, headers=dict(headers or {}))
                request.add_unredirected_header("Authorization", f"Bearer {self.token()}")
                if data is not None:
                    request.add_header("Content-Type", "application/json")
                try:
                    with _slot(slots, deadline, lambda: _late(what, self.timeout)):
                        return self._exchange(request, deadline, what)
                except HTTPError as exc:
                    wait = _wait(exc, attempt)
                    last = attempt == self.attempts - 1
                    if exc.code not in RETRIED or last or wait is None:
                        raise _error(exc.code, _code(exc), what) from None
                    if wait >= deadline.at - time.monotonic():
                        raise _error(exc.code, _code(exc), what) from None
                    self.sleep(wait)
        raise AssertionError("unreachable")

    def fail(self, status: int, body: Any, what: str) -> None:
        """Raise the one-line error of a failed answer inside a ``$batch``."""
        code = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            found = body["error"].get("code")
            code = found if isinstance(found, str) and found.isalnum() and len(found) <= 64 else ""
        raise _error(status, code, what)

    def _exchange(self, request: Request, deadline: Deadline, what: str) -> dict:
        """One HTTP exchange: the JSON object answered, or a one-line error."""
        opener = build_opener(
            _NoRedirects,
            WatchedHTTPHandler(deadline),
            WatchedHTTPSHandler(deadline, _trusting(os.environ.get(ENV_CA_BUNDLE, "").strip())),
        )
        try:
            with opener.open(request, timeout=max(deadline.remaining(), 0.01)) as response:
                body = _read(response, deadline, self.max_bytes, what, self.timeout)
                kind = response.headers.get("Content-Type", "")
        except HTTPError as exc:
            with exc:
                exc.body = _limited(exc, 64 * 1024) if not deadline.expired else b""  # type: ignore[attr-defined]
            raise
        except (URLError, OSError, http.client.HTTPException, ValueError) as exc:
            # every socket wait is bounded by what is left of the deadline: a timeout is it
            if deadline.expired or isinstance(getattr(exc, "reason", exc), TimeoutError):
                raise _late(what, self.timeout) from None
            reason = getattr(exc, "reason", None) or type(exc).__name__
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise SourceError(
                    f"could not reach Microsoft Graph for the {what}: its TLS certificate is "
                    "not trusted",
                    hint=f"if a proxy inspects TLS, set {ENV_CA_BUNDLE} to its CA (a PEM file)",
                ) from None
            raise SourceError(
                f"could not reach Microsoft Graph for the {what}: {reason}",
                hint=f"check the network and graph_url ({self.base_url})",
            ) from None
        if deadline.expired:
            raise _late(what, self.timeout)
        return _json(body, kind, what)


def _origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of ``url``, lower-cased: where a token may go."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@cache
def _trusting(bundle: str) -> ssl.SSLContext | None:
    """The TLS context trusting ``bundle`` (the sign-in's CA file: an inspecting proxy
    re-signs Graph too); None: the system's. Made once per file, not per request."""
    if not bundle:
        return None
    if not Path(bundle).is_file():
        raise UsageError(
            f"{ENV_CA_BUNDLE} names {bundle}, which is not a file",
            hint="give a PEM file of the certificate authority",
        )
    context = ssl.create_default_context()  # the system's CAs too: a proxy may spare Graph
    try:
        context.load_verify_locations(cafile=bundle)
        return context
    except ssl.SSLError:
        raise UsageError(
            f"{ENV_CA_BUNDLE} names {bundle}, which holds no PEM certificate",
            hint="give a PEM file of the certificate authority",
        ) from None


class _NoRedirects(HTTPRedirectHandler):
    """Graph does not redirect these requests: a 3xx is answered as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _read(response: Any, deadline: Deadline, limit: int, what: str, seconds: float) -> bytes:
    """At most ``limit`` bytes of the body before the deadline, else a one-line error."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.read1(_CHUNK):  # what has arrived: a trickle meets the deadline
            size += len(chunk)
            if size > limit:
                raise _too_large(what, limit)
            chunks.append(chunk)
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise _late(what, seconds) from None
        raise SourceError(
            f"Microsoft Graph's answer for the {what} was cut off", hint="try again later"
        ) from None
    if declared.isdigit() and size < int(declared) and not deadline.expired:
        raise SourceError(
            f"Microsoft Graph's answer for the {what} was cut off", hint="try again later"
        )
    return b"".join(chunks)


def _limited(exc: HTTPError, limit: int) -> bytes:
    """At most ``limit`` bytes of an error answer (only its code is read)."""
    try:
        return exc.read(limit) or b""
    except (OSError, http.client.HTTPException, ValueError):
        return b""


def _json(body: bytes, content_type: str, what: str) -> dict:
    """The answer as a JSON object, else one line (never quoting it)."""
    try:
        found = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: [[[[... nested past the stack
        found = None
    if not isinstance(found, dict):
        kind = content_type.split(";")[0].strip() or "no content type"
        raise SourceError(
            f"Microsoft Graph's answer for the {what} was not a JSON object ({kind})",
            hint="check graph_url: it should be Microsoft Graph (or a proxy let through a page)",
        )
    return found


def _late(what: str, seconds: float) -> SourceError:
    return SourceError(
        f"Microsoft Graph did not answer for the {what} within {seconds:g} s",
        hint="try again later; a slow network or proxy may need a moment",
    )


def _too_large(what: str, limit: int) -> SourceError:
    return SourceError(
        f"Microsoft Graph's answer for the {what} was over {limit // 2**20} MB; not read",
        hint="check graph_url: Graph's pages are far smaller",
    )


def _wait(exc: HTTPError, attempt: int) -> float | None:
    """Seconds before the next try: Retry-After when given, else backoff with jitter;
    None when the server asks for longer than ``MAX_WAIT``."""
    after = exc.headers.get("Retry-After") if exc.headers else None
    if after is not None:
        try:
            seconds = float(after)
        except ValueError:
            seconds = BACKOFF * 2**attempt
        return max(seconds, 0.0) if seconds <= MAX_WAIT else None
    return BACKOFF * 2**attempt * (1 + random.random() / 2)


def _code(exc: HTTPError) -> str:
    """Graph's error code (e.g. ErrorAccessDenied): a fixed word, safe to show."""
    try:
        code = json.loads(getattr(exc, "body", b"").decode("utf-8"))["error"]["code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    return code if isinstance(code, str) and code.isalnum() and len(code) <= 64 else ""


def _error(status: int, code: str, what: str) -> Exception:
    """The one-line error for a failed request (never the server's message)."""
    named = f" {code}" if code else ""
    if status == 401:
        return CredentialError(
            f"Microsoft Graph refused the sign-in for the {what} (401{named})",
            hint="the token is missing, expired or for another tenant: sign in again",
        )
    if status == 403:
        return AccessDeniedError(f"no access to the {what} (403{named})", hint=SHARE_HINT)
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
