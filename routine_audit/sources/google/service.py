"""The Calendar API client: built from the discovery document the library ships
(nothing is fetched at start), with retries and one place that turns HTTP
failures into clear messages."""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any

from ...errors import CredentialError, Location, SourceError

ENV_ENDPOINT = "ROUTINE_AUDIT_GOOGLE_ENDPOINT"
RETRIES = 5  # 429, 5xx and rate-limit 403s, with exponential backoff (the client's own)
TIMEOUT = 60.0
SHARE_HINT = (
    "ask the rep to share the calendar with you (Google Calendar > Settings > "
    "Share with specific people > 'See all event details'), or use a service account"
)


def build_service(credentials: Any, *, timeout: float = TIMEOUT) -> Any:
    """A Calendar v3 service on its own HTTP connection (httplib2 is not thread-safe)."""
    from google_auth_httplib2 import AuthorizedHttp

    return _build(AuthorizedHttp(credentials, http=_plain_http(timeout)))


def _build(http: Any) -> Any:
    from googleapiclient.discovery import build

    endpoint = os.environ.get(ENV_ENDPOINT)
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint} if endpoint else None,
    )


def _plain_http(timeout: float = TIMEOUT) -> Any:
    import httplib2

    return httplib2.Http(timeout=timeout)


_SHARED: dict[str | None, Any] = {}  # endpoint -> the events resource of this process
_SHARED_LOCK = threading.Lock()
_THREAD = threading.local()


def shared_events() -> Any:
    """The ``events`` resource, built once per process: building one costs ~20 ms of CPU
    (the client creates every method with its documentation). Its requests are run with
    each thread's own connection (``thread_http``), as the client's thread-safety notes
    advise; its own connection, which has no credentials, is never used."""
    endpoint = os.environ.get(ENV_ENDPOINT)
    with _SHARED_LOCK:
        resource = _SHARED.get(endpoint)
        if resource is None:
            resource = _SHARED[endpoint] = _build(_plain_http()).events()
    return resource


def thread_http(credentials: Any) -> Any:
    """``credentials`` on this thread's connection, kept for the thread's next reads (of
    any rep: a service account's per-rep credentials share it). Not across a fork: a
    forked worker opens its own."""
    from google_auth_httplib2 import AuthorizedHttp

    kept = getattr(_THREAD, "http", None)
    if kept is None or kept[0] != os.getpid():
        kept = _THREAD.http = (os.getpid(), _plain_http())
    return AuthorizedHttp(credentials, http=kept[1])


def execute(request: Any, *, calendar: str, http: Any = None) -> dict[str, Any]:
    """Run one API request (on ``http``, else the request's own); every failure becomes a
    ``UserError`` naming ``calendar``."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    where = Location(f"Google calendar {calendar}")
    try:
        return request.execute(http=http, num_retries=RETRIES)
    except HttpError as exc:
        raise _http_error(exc, where) from None
    except RefreshError:
        raise CredentialError(
            "Google refused the sign-in (revoked, expired, or no domain-wide delegation)",
            where=where,
            hint="run: routine-audit auth login, or check the service account's delegation",
        ) from None
    except (TimeoutError, TransportError, OSError) as exc:
        raise SourceError(
            f"cannot reach the Google Calendar API: {_first_line(exc)}",
            where=where,
            hint="check the network and try again",
        ) from None
    except Exception as exc:
        import httplib2

        if isinstance(exc, httplib2.HttpLib2Error):
            raise SourceError(
                f"cannot reach the Google Calendar API: {_first_line(exc)}",
                where=where,
                hint="check the network and try again",
            ) from None
        raise


def _http_error(exc: Any, where: Location) -> Exception:
    status = int(exc.resp.status)
    reason = _reason(exc)
    if status == 401:
        return CredentialError(
            "Google did not accept the credentials (HTTP 401)",
            where=where,
            hint="run: routine-audit auth login",
        )
    if status == 403 and reason in ("rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"):
        return SourceError(
            f"Google's rate limit held after {RETRIES} retries (HTTP 403 {reason})",
            where=where,
            hint="try again later",
        )
    if status == 403:
        return SourceError("no access to this calendar (HTTP 403)", where=where, hint=SHARE_HINT)
    if status == 404:
        return SourceError(
            "no such calendar, or it is not shared with this account (HTTP 404)",
            where=where,
            hint="check the calendar id (routine-audit calendars lists them); " + SHARE_HINT,
        )
    if status == 429 or status >= 500:
        return SourceError(
            f"the Google Calendar API failed (HTTP {status}) after {RETRIES} retries",
            where=where,
            hint="try again later",
        )
    if _REASON_CODE.fullmatch(reason):  # Google's reason codes, such as badRequest
        return SourceError(f"the Google Calendar API answered HTTP {status}: {reason}", where=where)
    # a free-text message is server text: the owner's detail, never a manager's or a log's
    said = f"Google said {reason!r}" if reason else None
    return SourceError(f"the Google Calendar API answered HTTP {status}", where=where, detail=said)


_REASON_CODE = re.compile(r"[A-Za-z_]{1,60}")


def _reason(exc: Any) -> str:
    try:
        error = json.loads(exc.content.decode("utf-8")).get("error", {})
        errors = error.get("errors") or [{}]
        return str(errors[0].get("reason") or error.get("status") or error.get("message", ""))
    except (ValueError, AttributeError):
        return ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
