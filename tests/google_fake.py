"""A fake Google on a loopback port: the Calendar API v3 and the OAuth token endpoint.

It stands in for Google in every test of the Google source (nothing may touch
the real one). It checks what the client sends the way the real API does for
the requests routine-audit makes, answers mistakes with the documented
Google error JSON, applies ``fields`` (partial response) to what it serves,
and records every request for assertions.

Use it through the ``google`` fixture, re-exported by each test module that
needs it: ``google = google_fake.google`` (tests/ is on the path, as for
``conftest``); one server serves the whole run. The fixture points
``ROUTINE_AUDIT_GOOGLE_ENDPOINT`` and ``ROUTINE_AUDIT_GOOGLE_TOKEN_URI`` at
the server and writes an expired sign-in to a temporary ``ROUTINE_AUDIT_TOKEN``
file, so the first API call refreshes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug.wrappers import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "google"

SCOPES = (
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
# distinctive values, so that a leak into any output is found by a plain search
CLIENT_ID = "1234567890-fakeclient.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-client-secret-DO-NOT-PRINT"
REFRESH_TOKEN = "1//rt-1-refresh-token-DO-NOT-PRINT"
EXPIRED_TOKEN = "ya29.expired-access-token-DO-NOT-PRINT"
AUTH_CODE = "4/0-auth-code-DO-NOT-PRINT"
SIGNED_IN_AS = "rep@company.example"
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2099-01-01T00:00:00Z"

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_EVENTS_PATH = re.compile(r"^/calendar/v3/calendars/(?P<calendar>.+)/events$")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_*]+")


@dataclass
class Seen:
    """One request the fake received, and what it answered."""

    method: str
    path: str  # decoded, as routed
    raw_path: str  # as the client sent it (percent-encoding kept)
    args: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    status: int = 0

    @property
    def calendar(self) -> str | None:
        match = _EVENTS_PATH.match(self.path)
        return match["calendar"] if match else None


@dataclass
class ServiceAccount:
    client_email: str
    public_pem: bytes
    subjects: set[str]
    refuse: tuple[int, str] | None = None  # (status, error) as when delegation is missing


@dataclass
class FakeGoogle:
    """The fake's state: what it serves, what it accepts, what it has seen."""

    server: HTTPServer
    token_file: Path
    requests: list[Seen] = field(default_factory=list)
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calendar_list: list[dict[str, Any]] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=lambda: {REFRESH_TOKEN})
    issued: list[str] = field(default_factory=list)  # every access token handed out
    codes: dict[str, str] = field(default_factory=dict)  # code -> redirect_uri
    code_challenges: dict[str, str] = field(default_factory=dict)  # state -> challenge
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    assertions: list[dict[str, Any]] = field(default_factory=list)  # decoded JWT claims
    failures: deque[tuple[int, str]] = field(default_factory=deque)  # next events answers
    denied: dict[str, tuple[int, str]] = field(default_factory=dict)  # calendar -> error
    page_failures: dict[tuple[str, int], deque[tuple[int, str]]] = field(default_factory=dict)
    sleeps: list[float] = field(default_factory=list)  # the client's retry back-off
    extra_secrets: set[str] = field(default_factory=set)
    granted: str | None = None  # the scopes a sign-in grants (default: those asked for)

    # --- what to serve -------------------------------------------------------------

    def url(self, path: str = "") -> str:
        return self.server.url_for(path)

    def serve_pages(self, calendar: str, pages: Iterable[dict[str, Any]]) -> None:
        """``events.list`` answers for ``calendar``: page after page (``nextPageToken`` links)."""
        self.pages[calendar] = [json.loads(json.dumps(p)) for p in pages]

    def serve_items(
        self, calendar: str, items: list[dict[str, Any]], *, per_page: int = 0, **top: Any
    ) -> None:
        """Wrap ``items`` in ``calendar#events`` pages of ``per_page`` (0: one page)."""
        size = per_page or max(len(items), 1)
        chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
        pages = []
        for number, chunk in enumerate(chunks):
            page = {
                "kind": "calendar#events",
                "etag": f'"page-{number}"',
                "summary": top.get("summary", calendar),
                "updated": "2026-11-09T08:00:00.000Z",
                "timeZone": top.get("timeZone", "America/New_York"),
                "accessRole": "reader",
                "defaultReminders": [],
                "items": chunk,
            }
            if number < len(chunks) - 1:
                page["nextPageToken"] = f"tok-{calendar}-{number + 1}"
            pages.append(page)
        self.serve_pages(calendar, pages)

    def fail_next(self, status: int, reason: str, count: int = 1) -> None:
        """The next ``count`` authorized API requests get this error (429 rateLimitExceeded...)."""
        self.failures.extend([(status, reason)] * count)

    def fail_page(
        self, calendar: str, index: int, status: int, reason: str, count: int = 1
    ) -> None:
        """Requests for page ``index`` (0: the first) of ``calendar`` fail ``count`` times."""
        self.page_failures.setdefault((calendar, index), deque()).extend([(status, reason)] * count)

    def deny(self, calendar: str, status: int, reason: str) -> None:
        """Every events request for ``calendar`` gets this error (401, 403, 404...)."""
        self.denied[calendar] = (status, reason)

    def revoke(self) -> None:
        """The user removed the app's access: the refresh token no longer works."""
        self.refresh_tokens.clear()
        self.valid_tokens.clear()

    def expect_code(self, code: str, redirect_uri: str) -> None:
        self.codes[code] = redirect_uri

    def trust_service_account(self, client_email: str, public_pem: bytes, *subjects: str) -> None:
        self.service_accounts[client_email] = ServiceAccount(
            client_email, public_pem, set(subjects)
        )

    # --- the signed-in user's token file -------------------------------------------

    def write_token(
        self,
        path: Path | None = None,
        *,
        token: str = EXPIRED_TOKEN,
        expiry: str = PAST,
        refresh_token: str = REFRESH_TOKEN,
        scopes: Iterable[str] = SCOPES,
    ) -> Path:
        """An authorized-user token file as google-auth writes it (owner-only)."""
        path = path or self.token_file
        info = {
            "token": token,
            "refresh_token": refresh_token,
            "token_uri": "https://oauth2.googleapis.com/token",  # google-auth ignores it
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": list(scopes),
            "universe_domain": "googleapis.com",
            "account": "",
            "expiry": expiry,
        }
        path.write_text(json.dumps(info), encoding="utf-8")
        path.chmod(0o600)
        return path

    def valid_token_file(self, path: Path | None = None) -> Path:
        """A sign-in whose access token is still good (no refresh needed)."""
        token = self._issue("valid")
        return self.write_token(path, token=token, expiry=FUTURE)

    # --- assertions ----------------------------------------------------------------

    def event_requests(self, calendar: str | None = None) -> list[Seen]:
        return [
            r
            for r in self.requests
            if r.calendar is not None and (calendar is None or r.calendar == calendar)
        ]

    def token_requests(self, grant_type: str | None = None) -> list[Seen]:
        return [
            r
            for r in self.requests
            if r.path == "/token" and (grant_type is None or r.form.get("grant_type") == grant_type)
        ]

    @property
    def secrets(self) -> set[str]:
        return {
            CLIENT_SECRET,
            REFRESH_TOKEN,
            EXPIRED_TOKEN,
            AUTH_CODE,
            *self.issued,
            *self.extra_secrets,
        }

    def assert_no_secrets(self, *texts: str) -> None:
        for text in texts:
            for secret in self.secrets:
                assert secret not in text, "a secret reached the output"
            assert "PRIVATE KEY" not in text, "a private key reached the output"

    def invoke(self, *args: str, input: str | None = None) -> Any:
        """Run the CLI in-process; every output is checked for secrets."""
        from routine_audit.cli import app

        result = CliRunner().invoke(app, list(args), input=input)
        self.assert_no_secrets(result.stdout, result.stderr)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"the command crashed: {result.exception!r}\n{result.output}")
        return result

    # --- the server side -----------------------------------------------------------

    def install(self) -> None:
        self.server.expect_request(_EVENTS_PATH, method="GET").respond_with_handler(self._events)
        self.server.expect_request(
            "/calendar/v3/users/me/calendarList", method="GET"
        ).respond_with_handler(self._calendar_list)
        self.server.expect_request("/token", method="POST").respond_with_handler(self._token)

    def _record(self, request: Request) -> Seen:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        seen = Seen(
            method=request.method,
            path=request.path,
            raw_path=urlsplit(raw).path,
            args={k: request.args[k] for k in request.args},
            headers=dict(request.headers),
            form={k: request.form[k] for k in request.form} if request.method == "POST" else {},
        )
        self.requests.append(seen)
        return seen

    def _answer(self, seen: Seen, status: int, body: dict[str, Any]) -> Response:
        seen.status = status
        return Response(json.dumps(body), status=status, content_type="application/json")

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme == "Bearer" and token in self.valid_tokens

    def _events(self, request: Request) -> Response:
        seen = self._record(request)
        calendar = seen.calendar or ""  # werkzeug has decoded the path
        if not self._authorized(request):
            return self._answer(seen, 401, google_error(401, "authError", "Invalid Credentials"))
        if self.failures:
            status, reason = self.failures.popleft()
            return self._answer(seen, status, google_error(status, reason))
        if calendar in self.denied:
            status, reason = self.denied[calendar]
            return self._answer(seen, status, google_error(status, reason))
        problem = events_query_problem(seen.args)
        if problem:
            return self._answer(seen, 400, google_error(400, "invalid", problem))
        pages = self.pages.get(calendar)
        if pages is None:
            return self._answer(seen, 404, google_error(404, "notFound", "Not Found"))
        token = seen.args.get("pageToken")
        if token is None:
            index = 0
        else:
            links = [p.get("nextPageToken") for p in pages]
            if token not in links[:-1]:  # a last page's token leads nowhere
                return self._answer(seen, 400, google_error(400, "invalid", "Invalid pageToken"))
            index = links.index(token) + 1
        if self.page_failures.get((calendar, index)):
            status, reason = self.page_failures[(calendar, index)].popleft()
            return self._answer(seen, status, google_error(status, reason))
        try:
            body = select_fields(pages[index], parse_fields(seen.args["fields"]))
        except ValueError as exc:
            return self._answer(seen, 400, google_error(400, "invalidParameter", str(exc)))
        return self._answer(seen, 200, body)

    def _calendar_list(self, request: Request) -> Response:
        seen = self._record(request)
        if not self._authorized(request):
            return self._answer(seen, 401, google_error(401, "authError", "Invalid Credentials"))
        if self.failures:
            status, reason = self.failures.popleft()
            return self._answer(seen, status, google_error(status, reason))
        body: dict[str, Any] = {
            "kind": "calendar#calendarList",
            "etag": '"list"',
            "items": self.calendar_list,
        }
        if "fields" in seen.args:
            try:
                body = select_fields(body, parse_fields(seen.args["fields"]))
            except ValueError as exc:
                return self._answer(seen, 400, google_error(400, "invalidParameter", str(exc)))
        return self._answer(seen, 200, body)

    def _token(self, request: Request) -> Response:
        seen = self._record(request)
        form = seen.form
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens or client_credentials(seen) != (
                CLIENT_ID,
                CLIENT_SECRET,
            ):
                return self._answer(
                    seen,
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            # Google answers a refresh with the scopes asked for (a subset of those granted)
            return self._answer(seen, 200, self._token_body("refreshed", form.get("scope")))
        if grant == "authorization_code":
            return self._authorization_code(seen)
        if grant == JWT_BEARER:
            return self._jwt_bearer(seen)
        return self._answer(seen, 400, {"error": "unsupported_grant_type"})

    def _authorization_code(self, seen: Seen) -> Response:
        form = seen.form
        expected_redirect = self.codes.get(form.get("code", ""))
        if (
            expected_redirect is None
            or form.get("redirect_uri") != expected_redirect
            or client_credentials(seen) != (CLIENT_ID, CLIENT_SECRET)
        ):
            return self._answer(
                seen, 400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
            )
        verifier = form.get("code_verifier")
        if self.code_challenges and (
            verifier is None or pkce_challenge(verifier) not in self.code_challenges.values()
        ):
            return self._answer(
                seen, 400, {"error": "invalid_grant", "error_description": "Missing code verifier."}
            )
        del self.codes[form["code"]]  # a code works once
        body = self._token_body("login", self.granted)
        return self._answer(seen, 200, {**body, "refresh_token": REFRESH_TOKEN})

    def _jwt_bearer(self, seen: Seen) -> Response:
        from google.auth import jwt

        assertion = seen.form.get("assertion", "")
        try:
            unverified = jwt.decode(assertion, verify=False)
            account = self.service_accounts[unverified["iss"]]
            # google-auth always addresses the assertion to Google's endpoint, as Google requires
            claims = jwt.decode(assertion, certs=account.public_pem, audience=GOOGLE_TOKEN_URI)
        except (ValueError, KeyError) as exc:
            return self._answer(
                seen, 400, {"error": "invalid_grant", "error_description": f"Invalid JWT: {exc}"}
            )
        self.assertions.append(claims)
        if account.refuse:
            status, error = account.refuse
            return self._answer(
                seen,
                status,
                {
                    "error": error,
                    "error_description": "Client is unauthorized to retrieve access tokens "
                    "using this method, or client not authorized for any of the scopes requested.",
                },
            )
        if claims.get("sub") not in account.subjects or set(claims.get("scope", "").split()) != set(
            SCOPES
        ):
            return self._answer(
                seen,
                401,
                {"error": "unauthorized_client", "error_description": "Client is unauthorized."},
            )
        return self._answer(
            seen,
            200,
            {"access_token": self._issue("sa"), "expires_in": 3600, "token_type": "Bearer"},
        )

    def _issue(self, kind: str) -> str:
        token = f"ya29.{kind}-access-{len(self.issued) + 1}-DO-NOT-PRINT"
        self.issued.append(token)
        self.valid_tokens.add(token)
        return token

    def _token_body(self, kind: str, scope: str | None = None) -> dict[str, Any]:
        return {
            "access_token": self._issue(kind),
            "expires_in": 3600,
            "token_type": "Bearer",
            "scope": scope or " ".join(SCOPES),
        }


# --- what the real API checks -----------------------------------------------------


def client_credentials(seen: Seen) -> tuple[str | None, str | None]:
    """The OAuth client's id and secret: in the form, or as HTTP Basic auth (RFC 6749 2.3.1)."""
    scheme, _, value = seen.headers.get("Authorization", "").partition(" ")
    if scheme == "Basic":
        user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        return unquote(user), unquote(password)
    return seen.form.get("client_id"), seen.form.get("client_secret")


def google_error(status: int, reason: str, message: str | None = None) -> dict[str, Any]:
    """The error body of the Calendar API (v3 JSON error format)."""
    message = message or {
        401: "Invalid Credentials",
        403: "Forbidden",
        404: "Not Found",
        429: "Rate Limit Exceeded",
        500: "Backend Error",
    }.get(status, reason)
    domain = "usageLimits" if "RateLimit" in reason or "rateLimit" in reason else "global"
    return {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }


def events_query_problem(args: dict[str, str]) -> str | None:
    """What is wrong with an ``events.list`` query for our use, as the API would say it."""
    if args.get("singleEvents") != "true":
        return "singleEvents must be true (recurring events expanded)"
    for name in ("timeMin", "timeMax"):
        if name not in args:
            return f"Missing {name}"
        if not _RFC3339.match(args[name]):
            return f"Bad Request: {name} is not an RFC 3339 timestamp with offset"
    start = datetime.fromisoformat(args["timeMin"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(args["timeMax"].replace("Z", "+00:00"))
    if not start < end:
        return "The specified time range is empty."
    if args.get("maxResults") != "2500":
        return "maxResults should be the maximum, 2500"
    fields = args.get("fields", "")
    if "nextPageToken" not in fields or "items(" not in fields:
        return "fields must select nextPageToken and items(...)"
    if "timeZone" not in args:
        return "Missing timeZone"
    try:
        ZoneInfo(args["timeZone"])
    except (ZoneInfoNotFoundError, ValueError):
        return "Invalid time zone definition for the timeZone parameter."
    if "pageToken" in args and not args["pageToken"]:
        return "Invalid pageToken"
    return None


def parse_fields(text: str) -> dict[str, Any]:
    """A ``fields`` selector (``a,b/c,d(e,f)``) as a tree; ``None`` selects everything below."""
    tree, position = _parse_selection(text, 0)
    if position != len(text):
        raise ValueError(f"Invalid field selection {text!r}")
    return tree


def _parse_selection(text: str, position: int) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    while True:
        path: list[str] = []
        while True:
            match = _FIELD_NAME.match(text, position)
            if not match:
                raise ValueError(f"Invalid field selection {text!r}")
            path.append(match.group())
            position = match.end()
            if text.startswith("/", position):
                position += 1
                continue
            break
        sub: dict[str, Any] | None = None
        if text.startswith("(", position):
            sub, position = _parse_selection(text, position + 1)
            if not text.startswith(")", position):
                raise ValueError(f"Invalid field selection {text!r}")
            position += 1
        _insert(tree, path, sub)
        if text.startswith(",", position):
            position += 1
            continue
        return tree, position


def _insert(tree: dict[str, Any], path: list[str], sub: dict[str, Any] | None) -> None:
    name, rest = path[0], path[1:]
    if name in tree and tree[name] is None:
        return  # already selected whole
    if not rest:
        tree[name] = None if sub is None else {**(tree.get(name) or {}), **sub}
        return
    _insert(tree.setdefault(name, {}), rest, sub)


def select_fields(value: Any, tree: dict[str, Any] | None) -> Any:
    """Keep what ``tree`` selects, as Google's partial responses do."""
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [select_fields(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: select_fields(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


_SERVER: HTTPServer | None = None


def shared_server() -> HTTPServer:
    """One loopback server for the whole run: stopping one costs half a second.

    Its thread is a daemon and ends with the process; each test gets it cleared.
    """
    global _SERVER
    if _SERVER is None or not _SERVER.is_running():
        _SERVER = HTTPServer(host="127.0.0.1", port=0)
        _SERVER.start()
    return _SERVER


@pytest.fixture
def google(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """A fresh fake Google, the environment pointed at it, and an expired sign-in."""
    server = shared_server()
    server.clear()
    fake = FakeGoogle(server=server, token_file=tmp_path / "google-token.json")
    fake.install()
    fake.calendar_list = [
        {
            "kind": "calendar#calendarListEntry",
            "id": SIGNED_IN_AS,
            "summary": SIGNED_IN_AS,
            "timeZone": "America/New_York",
            "accessRole": "owner",
            "primary": True,
        },
        {
            "kind": "calendar#calendarListEntry",
            "id": "colleague@company.example",
            "summary": "Colleague",
            "timeZone": "America/New_York",
            "accessRole": "reader",
        },
    ]
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("ROUTINE_AUDIT_GOOGLE_ENDPOINT", fake.url("/calendar/v3/"))
    monkeypatch.setenv("ROUTINE_AUDIT_GOOGLE_TOKEN_URI", fake.url("/token"))
    monkeypatch.setenv("ROUTINE_AUDIT_TOKEN", str(fake.token_file))
    monkeypatch.delenv("ROUTINE_AUDIT_CLIENT_SECRETS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the real one
    # auth.login() sets this process-wide for a loopback token endpoint: start without it,
    # and make sure it is gone again afterwards (setenv records that it was absent)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")
    # the client's exponential back-off sleeps through time.sleep: record, do not wait
    monkeypatch.setattr("googleapiclient.http.time.sleep", fake.sleeps.append)
    fake.write_token()
    yield fake
    errors = list(server.handler_errors)
    server.clear()
    if errors:  # a bug in the fake itself
        raise errors[0]


@pytest.fixture(autouse=True)
def no_secrets_in_logs(google, caplog):
    """Fail a test whose logs (at DEBUG) contain a token or a secret."""
    caplog.set_level(logging.DEBUG)
    yield
    google.assert_no_secrets(caplog.text)
