"""SMTP delivery, against a loopback aiosmtpd server (no network beyond 127.0.0.1)."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest

from routine_audit import mail
from routine_audit.errors import CredentialError
from routine_audit.mail import MailSettings, Message, send

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

# aiosmtpd warns about AUTH without TLS: fine on loopback
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PASSWORD = "s3cret-Pa55word"
USER = "cron@example.com"


class Collector:
    """An aiosmtpd handler keeping every envelope; refuses recipients at refused.example."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    if ok:
        return aiosmtpd_smtp.AuthResult(success=True)
    # a careless server that echoes what it was given
    return aiosmtpd_smtp.AuthResult(
        success=False, handled=False, message=f"535 5.7.8 bad credentials {auth_data.password}"
    )


def start_server(**smtp_options):
    handler = Collector()
    controller = aiosmtpd_controller.Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="localhost",  # no DNS look-up for the banner
        ready_timeout=5,
        **smtp_options,
    )
    controller.start()
    return controller, handler


@pytest.fixture
def smtp_server():
    controller, handler = start_server()
    yield controller, handler
    controller.stop()


@pytest.fixture
def auth_server():
    controller, handler = start_server(
        authenticator=authenticator, auth_required=True, auth_require_tls=False
    )
    yield controller, handler
    controller.stop()


def settings_for(controller, **changes) -> MailSettings:
    options = {
        "host": "127.0.0.1",
        "port": controller.port,
        "security": "none",
        "sender": "Routine Audit <audit@example.com>",
        "timeout": 5.0,
    }
    return MailSettings(**{**options, **changes})


def parse(envelope):
    # what went over the wire, with CRLF line ends as in any SMTP session
    return message_from_bytes(
        envelope.original_content.replace(b"\r\n", b"\n"), policy=policy.default
    )


def test_messages_are_delivered_with_text_html_and_attachments(smtp_server):
    controller, handler = smtp_server
    messages = [
        Message(
            to="Ana Ortiz <ana@example.com>",
            subject="Your week 2026-W45 — 2 gaps",
            text="Plain report\n",
            html="<p>HTML report</p>\n",
            attachments=(
                ("ana.html", b"<html>report</html>", "text/html"),
                ("ana.csv", b"a,b\n1,2\n", "text/csv"),
                ("blob", b"\x00\x01", "nonsense"),
            ),
        ),
        Message(to="bo@example.com", subject="Plain only", text="Just text\n"),
    ]
    results = send(settings_for(controller), messages)
    assert results == [(messages[0], None), (messages[1], None)]
    assert [e.rcpt_tos for e in handler.envelopes] == [["ana@example.com"], ["bo@example.com"]]
    assert handler.envelopes[0].mail_from == "audit@example.com"

    first = parse(handler.envelopes[0])
    assert first["To"] == "Ana Ortiz <ana@example.com>"
    assert first["Subject"] == "Your week 2026-W45 — 2 gaps"
    assert first["Message-ID"].endswith("@example.com>")
    assert first["Date"]
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content_type() == "multipart/mixed"
    assert first.get_body(("plain",)).get_content() == "Plain report\n"
    assert first.get_body(("html",)).get_content() == "<p>HTML report</p>\n"
    attachments = {a.get_filename(): a for a in first.iter_attachments()}
    assert set(attachments) == {"ana.html", "ana.csv", "blob"}
    assert attachments["ana.html"].get_content_type() == "text/html"
    assert attachments["ana.csv"].get_payload(decode=True) == b"a,b\n1,2\n"
    assert attachments["blob"].get_content_type() == "application/octet-stream"

    second = parse(handler.envelopes[1])
    assert second.get_content_type() == "text/plain"
    assert second.get_content() == "Just text\n"


def test_html_without_attachments_is_multipart_alternative():
    settings = MailSettings(host="localhost", sender="audit@example.com")
    built = mail.build(
        settings, Message(to="a@example.com", subject="s", text="t", html="<b>h</b>")
    )
    assert built.get_content_type() == "multipart/alternative"


def test_login_with_credentials_from_the_environment(auth_server, monkeypatch):
    controller, handler = auth_server
    monkeypatch.setenv("RA_SMTP_USER", USER)
    monkeypatch.setenv("RA_SMTP_PASSWORD", PASSWORD)
    settings = settings_for(
        controller, username_env="RA_SMTP_USER", password_env="RA_SMTP_PASSWORD"
    )
    message = Message(to="ana@example.com", subject="s", text="t")
    assert send(settings, [message]) == [(message, None)]
    assert len(handler.envelopes) == 1


def test_without_login_the_server_refuses_each_message(auth_server):
    controller, handler = auth_server
    messages = [Message(to=f"r{i}@example.com", subject="s", text="t") for i in range(2)]
    results = send(settings_for(controller), messages)
    assert all(error and "530" in error for _, error in results)
    assert handler.envelopes == []


def test_a_refused_login_never_shows_the_password(auth_server, monkeypatch):
    controller, handler = auth_server
    monkeypatch.setenv("RA_SMTP_USER", USER)
    monkeypatch.setenv("RA_SMTP_PASSWORD", PASSWORD + "-wrong")
    settings = settings_for(
        controller, username_env="RA_SMTP_USER", password_env="RA_SMTP_PASSWORD"
    )
    messages = [Message(to=f"r{i}@example.com", subject="s", text="t") for i in range(3)]
    results = send(settings, messages)
    assert [m for m, _ in results] == messages
    for _, error in results:
        assert error is not None
        assert "refused the login" in error
        assert "535" in error
        assert "\n" not in error
        assert PASSWORD not in error  # the server echoed it; we did not
        assert "***" in error
    assert handler.envelopes == []


def test_a_refused_connection_fails_every_message_without_raising():
    settings = MailSettings(
        host="127.0.0.1", port=free_port(), security="none", sender="a@example.com", timeout=2
    )
    messages = [Message(to=f"r{i}@example.com", subject="s", text="t") for i in range(3)]
    results = send(settings, messages)
    assert [m for m, _ in results] == messages
    errors = {error for _, error in results}
    assert len(errors) == 1
    (error,) = errors
    assert error.startswith(f"cannot send via 127.0.0.1:{settings.port}: ")
    assert "refused" in error.lower()
    assert "\n" not in error


def test_starttls_is_required_when_asked_for(smtp_server):
    controller, handler = smtp_server  # offers no STARTTLS
    message = Message(to="ana@example.com", subject="s", text="t")
    [(_, error)] = send(settings_for(controller, security="starttls"), [message])
    assert error is not None
    assert "STARTTLS" in error
    assert handler.envelopes == []  # no fallback to plain text


def test_a_refused_recipient_does_not_stop_the_others(smtp_server):
    controller, handler = smtp_server
    messages = [
        Message(to="ana@example.com", subject="1", text="t"),
        Message(to="gone@refused.example", subject="2", text="t"),
        Message(to="bo@example.com", subject="3", text="t"),
    ]
    results = send(settings_for(controller), messages)
    assert results[0][1] is None
    assert results[2][1] is None
    assert "gone@refused.example" in results[1][1]
    assert "550" in results[1][1]
    assert [parse(e)["Subject"] for e in handler.envelopes] == ["1", "3"]


def test_a_message_that_cannot_be_built_fails_alone(smtp_server):
    controller, handler = smtp_server
    messages = [
        Message(to="ana@example.com", subject="Hi\nBcc: everyone@example.com", text="t"),
        Message(to="bo@example.com", subject="fine", text="t"),
    ]
    results = send(settings_for(controller), messages)
    assert results[0][1] is not None
    assert "\n" not in results[0][1]
    assert results[1][1] is None
    assert [e.rcpt_tos for e in handler.envelopes] == [["bo@example.com"]]


def test_a_missing_credential_variable_raises_before_connecting(monkeypatch):
    monkeypatch.setenv("RA_SMTP_USER", USER)
    monkeypatch.delenv("RA_SMTP_PASSWORD", raising=False)

    def no_connection(*args, **kwargs):
        raise AssertionError("connected despite missing credentials")

    monkeypatch.setattr(mail.smtplib, "SMTP", no_connection)
    settings = MailSettings(
        host="127.0.0.1",
        sender="a@example.com",
        username_env="RA_SMTP_USER",
        password_env="RA_SMTP_PASSWORD",
    )
    with pytest.raises(CredentialError, match="RA_SMTP_PASSWORD") as caught:
        send(settings, [Message(to="ana@example.com", subject="s", text="t")])
    assert USER not in str(caught.value)


def test_no_messages_means_no_connection(monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", None)
    assert send(MailSettings(host="127.0.0.1", sender="a@example.com"), []) == []


@pytest.mark.parametrize(
    "changes",
    [{"security": "tls"}, {"port": 0}, {"username_env": "ONLY_USER"}, {"password_env": "ONLY_PW"}],
)
def test_settings_are_checked(changes):
    with pytest.raises(ValueError):
        MailSettings(host="localhost", sender="a@example.com", **changes)
