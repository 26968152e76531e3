"""Deliver reports by SMTP (stdlib only), for unattended runs.

``send`` uses one connection for a batch and never raises for network or
server trouble: each message comes back with ``None`` (sent) or a one-line
error, so a cron run can report what was not delivered and go on. Only a
missing credential variable raises (``CredentialError``), before connecting.
The password is read from the environment, and never logged or echoed.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from html import escape
from typing import Any

from .coverage import Coverage
from .deadline import Deadline
from .errors import CredentialError

SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailSettings:
    """The team file's ``mail:`` section.

    ``security``: ``starttls`` (upgrade a plain connection, usually port 587;
    refuses to go on without it), ``ssl`` (TLS from the start, usually 465) or
    ``none`` (plain text; only for a relay on localhost). ``username_env`` and
    ``password_env`` name environment variables, never hold the secrets.
    """

    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0  # each wait on the server
    deadline: float = 120.0  # signing in, and then each message, in all

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise ValueError(f"security must be one of {', '.join(SECURITY)}: {self.security!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be 1-65535: {self.port}")
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("username_env and password_env go together")


@dataclass(frozen=True)
class Message:
    """One mail. ``attachments``: (file name, content, MIME type such as ``text/html``,
    with any parameters: ``text/calendar; charset=utf-8; method=PUBLISH``)."""

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[tuple[str, bytes, str], ...] = ()


# (label, address) of a served report page, e.g. ("Team page", "https://.../index.html")
Link = tuple[str, str]


@dataclass(frozen=True)
class Links:
    """Where a mail's reports are served: a heading and the pages, shown before the report
    in both the text and the HTML part (nothing when there are no pages)."""

    heading: str
    pages: tuple[Link, ...] = ()

    def text(self) -> str:
        if not self.pages:
            return ""
        lines = [self.heading, *(f"- {label}: {url}" for label, url in self.pages)]
        return "\n".join(lines) + "\n\n"

    def html(self) -> str:
        if not self.pages:
            return ""
        items = "".join(
            f'<li><a href="{escape(url)}">{escape(label)}</a></li>' for label, url in self.pages
        )
        return f'<nav class="report-links"><p>{escape(self.heading)}</p><ul>{items}</ul></nav>'

    def into_html(self, html: str) -> str:
        """``html`` (a whole page) with the links first inside its ``<main>`` (else its
        ``<body>``, else before it all)."""
        block = self.html()
        if not block:
            return html
        for tag in (r"<main\b[^>]*>", r"<body\b[^>]*>"):
            found = re.search(tag, html, re.IGNORECASE)
            if found:
                return f"{html[: found.end()]}\n{block}{html[found.end() :]}"
        return block + html


NO_LINKS = Links("")


def rollup_message(to: str, subject: str, text: str, html: str, links: Links = NO_LINKS) -> Message:
    """The manager's weekly mail: the roll-up, after the served pages' links if any."""
    return Message(to=to, subject=subject, text=links.text() + text, html=links.into_html(html))


def rep_message(
    to: str, week: str, coverage: Coverage, text: str, html: str, links: Links = NO_LINKS
) -> Message:
    """A rep's own weekly mail; a week the calendar cannot show says so first (subject
    and opening line), and that nothing was judged. ``links``: after that opening line,
    before the report."""
    text, html = links.text() + text, links.into_html(html)
    if coverage.judged and coverage.commitments_judged:
        return Message(to=to, subject=f"Your routine audit {week}", text=text, html=html)
    if coverage.judged:  # free_busy
        opening = (
            "Your calendar showed only busy/free blocks this week, so your commitments "
            "were not judged."
        )
    else:
        opening = (
            f"No calendar data this week ({coverage.status.value}, {coverage.newest_text()}): "
            "nothing was judged. If your calendar moved or stopped syncing, please tell "
            "your manager."
        )
    return Message(
        to=to,
        subject=f"Your routine audit {week}: {coverage.apart_text().partition(';')[0]}",
        text=f"{opening}\n\n{text}",
        html=html,
    )


def send(
    settings: MailSettings,
    messages: Sequence[Message],
    *,
    on_sent: Callable[[Message], None] | None = None,
) -> list[tuple[Message, str | None]]:
    """Send ``messages`` over one connection; each comes back with ``None`` or its error.

    ``on_sent(message)`` runs as soon as the server has accepted ``message``, before the
    next is sent: a caller records it there, so a run killed mid-batch knows what went."""
    credentials = _credentials(settings)
    if not messages:
        return []
    secrets = _secrets(credentials)
    try:
        with Deadline(settings.deadline) as deadline:
            server = _connect(settings, credentials, deadline)
            if deadline.expired:
                raise TimeoutError(f"no answer within {settings.deadline:g} s")
    except (smtplib.SMTPException, OSError) as exc:
        error = _one_line(f"cannot send via {_server(settings)}: {_describe(exc)}", secrets)
        return [(message, error) for message in messages]
    results: list[tuple[Message, str | None]] = []
    broken: str | None = None  # the connection is gone: the rest fail with this
    try:
        for message in messages:
            if broken is not None:
                results.append((message, broken))
                continue
            try:
                with Deadline(settings.deadline) as deadline:
                    deadline.watch(server.sock)
                    server.send_message(build(settings, message))
                if deadline.expired:
                    raise TimeoutError(f"no answer within {settings.deadline:g} s")
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPResponseException,  # sender refused, data refused...
                smtplib.SMTPNotSupportedError,  # e.g. a non-ASCII address without SMTPUTF8
                ValueError,  # a header with a line break in it
                MessageError,
            ) as exc:
                error = _one_line(_describe(exc), secrets)
                results.append((message, error))
                if server.sock is None:  # the server hung up (e.g. 421): the rest cannot go
                    broken = f"connection to {_server(settings)} closed after: {error}"
            except (smtplib.SMTPException, OSError) as exc:
                where = _server(settings)
                broken = _one_line(f"connection to {where} lost: {_describe(exc)}", secrets)
                results.append((message, broken))
            else:
                results.append((message, None))
                if on_sent is not None:
                    on_sent(message)
    finally:
        _quit(server)
    return results


def build(settings: MailSettings, message: Message) -> EmailMessage:
    """The MIME message: text (plus an HTML alternative), then any attachments."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=True)
    # a domain of our own: make_msgid would otherwise ask DNS for this host's name
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "routine-audit.invalid"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
    for filename, content, mime_type in message.attachments:
        kind, *extra = (part.strip() for part in mime_type.split(";"))
        maintype, _, subtype = kind.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        params = dict(p.partition("=")[::2] for p in extra if "=" in p)  # charset=utf-8
        mail.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=filename, params=params or None
        )
    return mail


def _credentials(settings: MailSettings) -> tuple[str, str] | None:
    if settings.username_env is None or settings.password_env is None:
        return None
    values = []
    for variable in (settings.username_env, settings.password_env):
        value = os.environ.get(variable)
        if not value:
            raise CredentialError(
                f"the SMTP credential variable {variable} is not set",
                hint="set it in the environment the run starts in (the crontab or unit file)",
            )
        values.append(value)
    return values[0], values[1]


def _connect(
    settings: MailSettings, credentials: tuple[str, str] | None, deadline: Deadline
) -> smtplib.SMTP:
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.security == "ssl":
        server = _Watched.ssl(deadline, settings, context=context)
    else:
        server = _Watched.plain(deadline, settings)
    try:
        server.ehlo()
        if settings.security == "starttls":
            server.starttls(context=context)  # raises when the server does not offer it
            deadline.watch(server.sock)  # the TLS socket that replaced the watched one
            server.ehlo()
        if credentials is not None:
            server.login(*credentials)
    except BaseException:
        _quit(server)
        raise
    return server


class _Watched:
    """SMTP connections whose socket a deadline watches from the moment it exists (the
    server's greeting too)."""

    @staticmethod
    def plain(deadline: Deadline, settings: MailSettings) -> smtplib.SMTP:
        class Plain(smtplib.SMTP):
            def _get_socket(self, host: str, port: int, timeout: float) -> Any:
                return deadline.watch(super()._get_socket(host, port, timeout))

        return Plain(settings.host, settings.port, timeout=settings.timeout)

    @staticmethod
    def ssl(deadline: Deadline, settings: MailSettings, **options: Any) -> smtplib.SMTP:
        class Secure(smtplib.SMTP_SSL):
            def _get_socket(self, host: str, port: int, timeout: float) -> Any:
                return deadline.watch(super()._get_socket(host, port, timeout))

        return Secure(settings.host, settings.port, timeout=settings.timeout, **options)


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        return f"the server refused the recipient ({refused})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the server refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"the server refused the sender {exc.sender}: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server said {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"not supported by the server: {exc}"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "verify_message", None) or exc.reason or exc
        return f"TLS failed ({reason}); check the mail settings' port and security"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _server(settings: MailSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _secrets(credentials: tuple[str, str] | None) -> list[str]:
    """The password as it could appear in a server's reply: plain, and as AUTH encodes it."""
    if credentials is None:
        return []
    user, password = credentials
    plain = base64.b64encode(f"\0{user}\0{password}".encode()).decode()  # AUTH PLAIN
    return [password, base64.b64encode(password.encode()).decode(), plain]


def _one_line(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())
