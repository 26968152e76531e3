"""Fetch an iCalendar feed over HTTP(S), turning every failure into a one-line ``SourceError``.

Secret calendar addresses carry their secret in the path or query, so every
message shows the address through ``redact_url`` only.
"""

from __future__ import annotations

import base64
import codecs
import http.client
import os
import re
import socket
import ssl
import time
import zlib
from email.message import Message
from typing import IO
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from urllib.request import (
    HTTPRedirectHandler,
    Request,
    build_opener,
)

from routine_audit._version import __version__
from routine_audit.deadline import Deadline
from routine_audit.errors import Location, SourceError, UsageError
from routine_audit.sources.limits import MAX_BYTES
from routine_audit.watched_http import WatchedHTTPHandler, WatchedHTTPSHandler

FEED_SCHEMES = ("http", "https", "webcal", "webcals")
TIMEOUT_ENV = "ROUTINE_AUDIT_FEED_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
_CHUNK = 64 * 1024
_SNIFF = 4096
_HIDDEN = "…"

_ICAL_HINT = "use the calendar's secret iCal address, or export the calendar to a .ics file"
_NETWORK_HINT = "check the address and your network connection"

# Path words of sign-in pages (Google ServiceLogin, Microsoft oauth2/authorize, SSO portals).
_LOGIN_WORDS = ("login", "log-in", "signin", "sign-in", "oauth")
_LOGIN_TOKENS = frozenset({"auth", "authorize", "authenticate", "sso", "saml", "cas"})
_LOGIN_HOST_TOKENS = frozenset({"login", "signin", "sso", "auth"})

_SAFE_PATH = "/%:@!$&'()*+,;=~"
_SAFE_QUERY = _SAFE_PATH + "?"


def is_feed_url(text: str) -> bool:
    """True if ``text`` is an http, https, webcal or webcals address (any letter case)."""
    lowered = text.strip().lower()
    return any(lowered.startswith(f"{scheme}://") for scheme in FEED_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` safe to show: scheme and host; a path, query, fragment or user becomes "…"."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        scheme = text.partition("://")[0] if "://" in text else ""
        return f"{scheme}://{_HIDDEN}" if scheme else _HIDDEN
    _, at, hostport = parts.netloc.rpartition("@")
    shown = f"{parts.scheme}://" if parts.scheme else ""
    shown += f"{_HIDDEN}@{hostport}" if at else hostport
    if parts.path.strip("/"):
        # any segment may be the secret (webcal://host/SECRET/basic.ics): none is shown
        shown += f"/{_HIDDEN}"
    elif parts.path:
        shown += "/"
    if parts.query:
        shown += f"?{_HIDDEN}"
    if parts.fragment:
        shown += f"#{_HIDDEN}"
    return shown


def feed_timeout() -> float:
    """Seconds one feed request may take in all: ``ROUTINE_AUDIT_FEED_TIMEOUT``, else 60."""
    chosen = os.environ.get(TIMEOUT_ENV, "").strip()
    if not chosen:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(chosen)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86400:
        raise UsageError(
            f"{TIMEOUT_ENV}={chosen!r} is not a number of seconds",
            hint=f"set {TIMEOUT_ENV} to a number such as 60, or unset it",
        )
    return seconds


def fetch_feed(url: str, *, timeout: float | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """Download an iCalendar feed (http, https or webcal URL) and return its raw bytes.

    ``timeout`` (default: ``feed_timeout()``) is one deadline for the whole request:
    connecting, the headers, redirects and the body, however slowly a server sends
    them. The body is returned as sent (after gzip decoding); it must start with
    ``BEGIN:VCALENDAR`` (after whitespace and a UTF-8 or UTF-16 BOM).
    """
    if timeout is None:
        timeout = feed_timeout()
    where = Location(redact_url(url))
    target, authorization = _split_credentials(_http_url(url), where)
    request = Request(
        target,
        headers={
            "User-Agent": f"routine-audit/{__version__}",
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": "gzip",
        },
    )
    if authorization:
        # Unredirected: the credentials must not follow a redirect to another host.
        request.add_unredirected_header("Authorization", authorization)
    with Deadline(timeout) as deadline:
        try:
            body, content_type, final_url = _download(
                request, deadline, timeout=timeout, limit=max_bytes, where=where
            )
        except SourceError:
            if deadline.expired:
                raise _timeout_error(timeout, where) from None
            raise
        if deadline.expired:  # the socket was shut mid-body: what came is not the feed
            raise _timeout_error(timeout, where)
    _check_calendar(body, content_type, target=target, final_url=final_url, where=where)
    return body


def _download(
    request: Request, deadline: Deadline, *, timeout: float, limit: int, where: Location
) -> tuple[bytes, str, str]:
    opener = build_opener(
        _WebOnlyRedirects, WatchedHTTPHandler(deadline), WatchedHTTPSHandler(deadline)
    )
    try:
        response = opener.open(request, timeout=timeout)
    except HTTPError as exc:
        with exc:
            raise _status_error(exc, request.full_url, where) from None
    except URLError as exc:
        raise _connection_error(exc.reason, timeout, where) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _connection_error(exc, timeout, where) from None
    except ValueError:  # includes UnicodeError
        raise SourceError("not a valid web address", where=where, hint=_NETWORK_HINT) from None
    with response:
        body = _read_body(response, timeout=timeout, deadline=deadline.at, limit=limit, where=where)
        final_url = response.url or request.full_url
        content_type = response.headers.get("Content-Type", "")
    return body, content_type, final_url


class _WebOnlyRedirects(HTTPRedirectHandler):
    """Follow redirects to http(s) only; urllib would also follow one to ftp://."""

    def redirect_request(
        self,
        req: Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise HTTPError(req.full_url, code, "redirect to a non-web address", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _http_url(url: str) -> str:
    """The address urllib can open: webcal(s):// becomes https://, non-ASCII is %-escaped."""
    where = Location(redact_url(url))
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise SourceError("not a valid web address", where=where, hint=_NETWORK_HINT) from None
    scheme = parts.scheme.lower()
    if scheme not in FEED_SCHEMES:
        raise SourceError(
            "not a calendar feed address",
            where=where,
            hint="use an http://, https:// or webcal:// address",
        )
    if not host:
        raise SourceError("the address has no host name", where=where, hint=_NETWORK_HINT)
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    path = quote(parts.path, safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY)
    return urlunsplit((scheme, parts.netloc, path, query, parts.fragment))


def _split_credentials(url: str, where: Location) -> tuple[str, str | None]:
    """``url`` without ``user:password@``, and a Basic ``Authorization`` value if it had one."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None
    user, _, password = userinfo.partition(":")
    if not user and not password:
        raise SourceError("the address has an empty user name", where=where)
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=hostport)), f"Basic {token}"


def _status_error(exc: HTTPError, target: str, where: Location) -> SourceError:
    code = exc.code
    if 300 <= code < 400:
        # urllib's reason here quotes the unredacted redirect target, so it is not shown.
        return SourceError(
            f"HTTP {code}: too many redirects, or a redirect to an address that cannot be fetched",
            where=where,
            hint=_NETWORK_HINT,
        )
    # the server's own reason phrase is server text: the owner's detail, not the message
    standard = http.client.responses.get(code, "")
    reason = " ".join(str(exc.reason or "").split())
    status = f"HTTP {code} {standard}".strip()
    final_url = exc.geturl() or target
    if code in (401, 403) or _is_sign_in_redirect(target, final_url):
        hint = f"the feed is not public: {_ICAL_HINT}"
    elif code in (404, 410):
        hint = "the address is wrong or the calendar was deleted"
    elif code == 429:
        hint = "the server is limiting requests; try again later"
    elif code >= 500:
        hint = "the server failed; try again later"
    else:
        hint = None
    said = f"the server said {reason!r}" if reason.lower() not in ("", standard.lower()) else None
    return SourceError(f"the server answered {status}", where=where, hint=hint, detail=said)


def _connection_error(reason: object, timeout: float, where: Location) -> SourceError:
    if isinstance(reason, TimeoutError):
        return _timeout_error(timeout, where)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return SourceError(
            f"the server's certificate could not be verified: {reason.verify_message}",
            where=where,
            hint="check the address; a company proxy may need its certificate installed",
        )
    if isinstance(reason, socket.gaierror):
        return SourceError("the host name could not be found", where=where, hint=_NETWORK_HINT)
    if isinstance(reason, http.client.HTTPException):
        return SourceError(
            "the server's answer was not valid HTTP", where=where, hint=_NETWORK_HINT
        )
    if isinstance(reason, ConnectionRefusedError):
        return SourceError(
            "the connection was refused (nothing is listening at that address)",
            where=where,
            hint=_NETWORK_HINT,
        )
    if isinstance(reason, OSError) and reason.strerror:
        detail = reason.strerror
    else:
        detail = str(reason) or type(reason).__name__
    return SourceError(f"could not connect: {detail}", where=where, hint=_NETWORK_HINT)


def _timeout_error(timeout: float, where: Location) -> SourceError:
    return SourceError(f"timed out after {timeout:g} s", where=where, hint=_NETWORK_HINT)


def _too_large(limit: int, where: Location) -> SourceError:
    return SourceError(
        f"the feed is larger than {limit:,} bytes",
        where=where,
        hint="the feed holds more than any real calendar; check the address",
    )


def _read_body(
    response: http.client.HTTPResponse,
    *,
    timeout: float,
    deadline: float,
    limit: int,
    where: Location,
) -> bytes:
    """Read at most ``limit`` bytes (before and after gzip decoding) before ``deadline``."""
    headers = response.headers
    declared = headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, where)
    decoder = _decoder(headers.get("Content-Encoding", ""), where)
    chunks: list[bytes] = []
    received = size = 0
    try:
        # read1 returns what has arrived, so a server trickling bytes cannot outlast the deadline.
        while chunk := response.read1(_CHUNK):
            if time.monotonic() > deadline:
                raise _timeout_error(timeout, where)
            received += len(chunk)
            if received > limit:
                raise _too_large(limit, where)
            if decoder is not None:
                chunk = decoder.decompress(chunk, limit - size + 1)
            size += len(chunk)
            if size > limit:
                raise _too_large(limit, where)
            chunks.append(chunk)
    except TimeoutError:
        raise _timeout_error(timeout, where) from None
    except (OSError, http.client.HTTPException):
        raise _cut_off(where) from None
    except zlib.error:
        raise _bad_gzip(where) from None
    chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
    if declared.isdigit() and not chunked and received < int(declared):
        raise _cut_off(where)
    if decoder is not None and received and not decoder.eof:
        raise _cut_off(where)
    return b"".join(chunks)


def _decoder(content_encoding: str, where: Location) -> zlib._Decompress | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)  # zlib or gzip header
    raise SourceError(
        f"the server sent the feed in an unsupported encoding ({encoding})", where=where
    )


def _cut_off(where: Location) -> SourceError:
    return SourceError(
        "the download was cut off before the end", where=where, hint="try again later"
    )


def _bad_gzip(where: Location) -> SourceError:
    return SourceError(
        "the server said the feed is gzip-compressed, but it could not be decompressed",
        where=where,
        hint="try again later, or export the calendar to a .ics file",
    )


def _check_calendar(
    body: bytes, content_type: str, *, target: str, final_url: str, where: Location
) -> None:
    """Raise unless ``body`` starts like an iCalendar file.

    The body is checked before the content type: scripts that serve valid
    feeds as text/html are common, and a sign-in page never looks like this.
    """
    start = _text_start(body)
    if start.upper().startswith("BEGIN:VCALENDAR"):
        return
    if _is_sign_in_redirect(target, final_url):
        raise SourceError(
            f"redirected to a sign-in page at {redact_url(final_url)}, not a calendar",
            where=where,
            hint=f"the feed is not public: {_ICAL_HINT}",
        )
    media_type = content_type.partition(";")[0].strip().lower()
    lowered = start.lower()
    if media_type in ("text/html", "application/xhtml+xml") or lowered.startswith(
        ("<!doctype html", "<html")
    ):
        raise SourceError(
            "the address returned a web page (a sign-in page?), not a calendar",
            where=where,
            hint=_ICAL_HINT,
        )
    if not body:
        raise SourceError("the address returned an empty response, not a calendar", where=where)
    sent = media_type or "no content type"
    raise SourceError(
        f"not an iCalendar feed: the server sent {sent}",
        where=where,
        hint="check the address; it should end in .ics or be the calendar's iCal address",
    )


def _text_start(body: bytes) -> str:
    """The first characters of ``body`` as text, without BOM and leading whitespace."""
    head = body[:_SNIFF]
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore").lstrip()
    return head.decode("utf-8", errors="replace").lstrip()


def _is_sign_in_redirect(target: str, final_url: str) -> bool:
    """True if the request ended at a different address that looks like a sign-in page."""
    if final_url == target:
        return False
    try:
        parts = urlsplit(final_url)
    except ValueError:
        return False
    path = unquote(parts.path).lower()
    if any(word in path for word in _LOGIN_WORDS):
        return True
    if _LOGIN_TOKENS & set(re.split(r"[^a-z0-9]+", path)):
        return True
    host_tokens = set(re.split(r"[^a-z0-9]+", (parts.hostname or "").lower()))
    return bool(_LOGIN_HOST_TOKENS & host_tokens)
