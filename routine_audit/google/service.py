"""The Calendar API client: built from the discovery document the library ships
(nothing is fetched at start), with retries and one place that turns HTTP
failures into clear messages."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from ..errors import CredentialError, Location, SourceError

ENV_ENDPOINT = "ROUTINE_AUDIT_GOOGLE_ENDPOINT"
RETRIES = 5  # 429, 5xx and rate-limit 403s, with exponential backoff (the client's own)
TIMEOUT = 60.0
SHARE_HINT = (
    "ask the rep to share the calendar with you (Google Calendar > Settings > "
    "Share with specific people > 'See all event details'), or use a service account"
)


def build_service(credentials: Any, *, timeout: float = TIMEOUT) -> Any:
    """A Calendar v3 service on its own HTTP connection (httplib2 is not thread-safe)."""
    import httplib2
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build

    http = AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
    endpoint = os.environ.get(ENV_ENDPOINT)
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint} if endpoint else None,
    )


_THREAD = threading.local()
_KEPT_PER_THREAD = 8


def thread_events(credentials: Any) -> Any:
    """This thread's ``events`` resource for ``credentials``, built once and reused.

    Building a service and its ``events()`` resource costs ~20 ms of CPU (the
    client creates every method with its documentation); a team run would pay it
    per rep. httplib2 is not thread-safe, so each thread keeps its own.
    """
    kept: dict[tuple[int, str | None], tuple[Any, Any]] = getattr(_THREAD, "events", None) or {}
    _THREAD.events = kept
    key = (id(credentials), os.environ.get(ENV_ENDPOINT))
    entry = kept.get(key)
    if entry is None or entry[0] is not credentials:
        if len(kept) >= _KEPT_PER_THREAD:
            kept.clear()
        entry = (credentials, build_service(credentials).events())
        kept[key] = entry
    return entry[1]


def execute(request: Any, *, calendar: str) -> dict[str, Any]:
    """Run one API request; every failure becomes a ``UserError`` naming ``calendar``."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    where = Location(f"Google calendar {calendar}")
    try:
        return request.execute(num_retries=RETRIES)
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
    return SourceError(f"the Google Calendar API answered HTTP {status}: {reason}", where=where)


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
