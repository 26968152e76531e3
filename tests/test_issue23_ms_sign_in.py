"""Issue 23, sign-in: msal against a fake identity platform over HTTPS (ms_identity_fake),
then the fake Graph (graph_fake) with the token msal got.

The person at the terminal is played by ``Terminal``: stdin that says it is a terminal,
and that answers 'Address: ' by opening the printed sign-in address (the fake platform
redirects to http://localhost:PORT/?code=...&state=...) and pasting where it went.
"""

from __future__ import annotations

import builtins
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import graph_fake
import ms_identity_fake
import pytest
from graph_fake import check_and_audit, graph_item, team_file
from ms_identity_fake import CLIENT_ID, TENANT, USER, app_certificate, visit, visit_and_post
from source_contract import REP, WEEK
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.errors import ExitCode

graph = graph_fake.graph
identity = ms_identity_fake.identity
identity_tls = ms_identity_fake.identity_tls
runner = CliRunner()
ROUTINE = Path(__file__).parent / "fixtures" / "google" / "rep_company.yaml"
SIGN_IN = re.compile(r"https://127\.0\.0\.1:\d+/\S+/oauth2/v2\.0/authorize\?\S+")
AUDIT = ("audit", "--source", "microsoft", "--source-option", f"user={REP}",
         "--routine", str(ROUTINE), "--week", "2026-W45", "--format", "json")  # fmt: skip


class Terminal(io.BytesIO):
    """stdin at a terminal: the pasted line is worked out when the program reads it."""

    def __init__(self, fake, paste=None) -> None:
        super().__init__()
        self.fake = fake
        self.paste = paste or (lambda redirect: redirect)
        self.filled = False

    def isatty(self) -> bool:
        return True

    def _fill(self) -> None:
        if not self.filled:
            self.filled = True
            sys.stdout.flush()
            printed = sys.stdout.buffer.getvalue().decode()
            self.write(
                (self.paste(visit(self.fake, SIGN_IN.search(printed).group())) + "\n").encode()
            )
            self.seek(0)

    def read(self, size: int | None = -1) -> bytes:
        self._fill()
        return super().read(size)

    def read1(self, size: int = -1) -> bytes:
        self._fill()
        return super().read1(size)

    def readline(self, size: int | None = -1) -> bytes:
        self._fill()
        return super().readline(size)


@pytest.fixture(autouse=True)
def terminal_input(monkeypatch):
    """Typer's runner turns input into bytes; a ``Terminal`` is passed through as it is."""
    import typer.testing

    made = typer.testing.make_input_stream
    monkeypatch.setattr(typer.testing, "make_input_stream",
                        lambda given, charset: given if isinstance(given, Terminal)
                        else made(given, charset))  # fmt: skip


def invoke(*args, stdin=None):
    return runner.invoke(app, [str(a) for a in args], input=stdin)


def login(fake, *extra, paste=None):
    return invoke("auth", "login", "--provider", "microsoft", "--no-browser", *extra,
                  stdin=Terminal(fake, paste))  # fmt: skip


def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "ms" / "sign-in.json"  # where the identity fixture points


@pytest.fixture
def signed_graph(graph, identity, monkeypatch):
    """The fake Graph accepting the tokens the fake platform issued (and no other)."""
    monkeypatch.delenv("ROUTINE_AUDIT_GRAPH_TOKEN")
    answer, answer_post, used = graph.answer, graph.answer_post, []

    def swapped(headers):
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in identity.access_tokens:
            return headers
        used.append(bearer)
        return {**headers, "authorization": f"Bearer {graph_fake.TOKEN}"}

    graph.answer = lambda path, args, headers: answer(path, args, swapped(headers))
    graph.answer_post = lambda path, body, headers: answer_post(path, body, swapped(headers))
    graph.used = used
    graph.serve(REP, [graph_item(s, n, graph.masters) for n, s in enumerate(WEEK)])
    return graph


def scheduled(result) -> float:
    return json.loads(result.stdout)["reps"][REP]["commitments"][0]["scheduled"]


# --- delegated: auth login --no-browser, then audit --------------------------------------


def test_login_no_browser_then_audit_with_the_saved_sign_in(signed_graph, identity, tmp_path):
    result = login(identity)
    assert result.exit_code == 0, result.output
    saved = cache_file(tmp_path)
    assert f"signed in as {USER}; sign-in saved to {saved}" in result.stdout
    assert "Address: " in result.stdout
    identity.assert_no_secrets(result.output)
    assert identity.grants == ["authorization_code"]
    assert saved.stat().st_mode & 0o777 == 0o600  # owner-only
    assert json.loads(saved.read_text())["scopes"] == ["Calendars.Read", "Calendars.Read.Shared"]

    audited = invoke(*AUDIT)
    assert audited.exit_code == 0, audited.output
    assert scheduled(audited) == 2.0  # Mon 09:00-11:00 prospecting, as with a static token
    assert set(signed_graph.used) == {identity.access_tokens[0]}
    identity.assert_no_secrets(audited.output)


def test_colours_adds_mailbox_settings_only_when_asked(signed_graph, identity, tmp_path):
    assert login(identity, "--colours").exit_code == 0
    assert json.loads(cache_file(tmp_path).read_text())["scopes"] == [
        "Calendars.Read", "Calendars.Read.Shared", "MailboxSettings.Read",
    ]  # fmt: skip


def test_an_expired_token_is_refreshed_silently_and_saved(signed_graph, identity, tmp_path):
    identity.expires_in = 60  # under msal's 5 minutes: refreshed before the next use
    assert login(identity).exit_code == 0
    identity.expires_in = 3600  # the refreshed token lasts
    before = cache_file(tmp_path).read_text()
    audited = invoke(*AUDIT)
    assert audited.exit_code == 0, audited.output
    assert identity.grants == ["authorization_code", "refresh_token"]
    assert set(signed_graph.used) == {identity.access_tokens[1]}  # the refreshed one
    after = cache_file(tmp_path)
    assert after.read_text() != before and after.stat().st_mode & 0o777 == 0o600
    assert identity.access_tokens[1] in after.read_text()  # the new token kept for next time


def test_a_revoked_sign_in_is_one_line_exit_2(signed_graph, identity, tmp_path):
    identity.expires_in = 60
    assert login(identity).exit_code == 0
    identity.refresh_tokens.clear()  # revoked: the refresh token is refused
    audited = invoke(*AUDIT)
    assert audited.exit_code == ExitCode.USAGE
    assert audited.stderr.splitlines() == [
        "routine-audit: error: "
        f"{cache_file(tmp_path)}: the saved Microsoft sign-in has expired or was revoked "
        "(invalid_grant, AADSTS70000) (run: routine-audit auth login --provider microsoft "
        "again)"
    ]
    assert "hunter2" not in audited.output and "Traceback" not in audited.output
    identity.assert_no_secrets(audited.output)


def test_not_signed_in_is_one_line_exit_2(signed_graph, identity, tmp_path):
    audited = invoke(*AUDIT)
    assert audited.exit_code == ExitCode.USAGE
    assert audited.stderr.splitlines() == [
        f"routine-audit: error: {cache_file(tmp_path)}: not signed in to Microsoft 365 (run: "
        "routine-audit auth login --provider microsoft (or set ROUTINE_AUDIT_GRAPH_TOKEN))"
    ]


@pytest.mark.parametrize(
    ("paste", "words"),
    [
        (lambda r: "", "nothing was pasted"),
        (lambda r: r.replace("state=", "state=other"), "another sign-in attempt"),
        (lambda r: r.split("?")[0] + "?error=access_denied", "refused the sign-in (access_denied)"),
        (lambda r: r.replace("code=", "cod="), "no code= in it"),
    ],
)
def test_a_bad_paste_is_one_line_exit_2(identity, tmp_path, paste, words):
    result = login(identity, paste=paste)
    assert result.exit_code == ExitCode.USAGE
    [line] = result.stderr.splitlines()
    assert words in line
    assert not cache_file(tmp_path).exists()


def test_a_refused_code_and_partial_consent_are_one_line(identity, tmp_path):
    identity.refusal = "invalid_grant"
    refused = login(identity)
    assert refused.exit_code == ExitCode.USAGE
    assert refused.stderr.splitlines() == [
        "routine-audit: error: Microsoft did not accept the sign-in (invalid_grant, "
        "AADSTS70000) (sign in again)"
    ]
    identity.granted = {"Calendars.Read"}
    partial = login(identity)
    assert partial.exit_code == ExitCode.USAGE
    assert "only part of the access asked for (not Calendars.Read.Shared)" in partial.stderr
    assert not cache_file(tmp_path).exists()


def test_login_without_a_terminal_or_client_id(identity, monkeypatch):
    result = invoke("auth", "login", "--provider", "microsoft", "--no-browser", stdin="x\n")
    assert result.exit_code == ExitCode.USAGE
    assert "signing in needs a person at a terminal" in result.stderr
    assert "--provider microsoft interactively" in result.stderr
    monkeypatch.delenv("ROUTINE_AUDIT_MS_CLIENT_ID")
    result = login(identity)
    assert result.exit_code == ExitCode.USAGE
    assert "needs the app's client id (pass --client-id" in result.stderr
    assert identity.grants == []


def test_options_of_the_other_provider_are_refused(identity):
    result = invoke("auth", "login", "--client-id", CLIENT_ID)
    assert result.exit_code == ExitCode.USAGE
    assert "--client-id goes with --provider microsoft" in result.stderr


def test_login_with_client_id_and_tenant_flags(identity, monkeypatch, tmp_path):
    monkeypatch.delenv("ROUTINE_AUDIT_MS_CLIENT_ID")
    monkeypatch.setenv("ROUTINE_AUDIT_MS_AUTHORITY", "")  # the tenant from --tenant
    where = tmp_path / "elsewhere.json"
    # without the override the public cloud is used: a national cloud or test sets it
    from routine_audit.sources.microsoft import identity as ms

    assert ms.authority(TENANT) == f"https://login.microsoftonline.com/{TENANT}"
    assert ms.authority(None) == "https://login.microsoftonline.com/organizations"
    monkeypatch.setenv("ROUTINE_AUDIT_MS_AUTHORITY", identity.authority)
    result = login(identity, "--client-id", CLIENT_ID, "--tenant", TENANT, "--token", where)
    assert result.exit_code == 0, result.output
    assert where.stat().st_mode & 0o777 == 0o600


# --- auth status / logout ----------------------------------------------------------------


def test_status_shows_who_and_scopes_never_a_token(identity, tmp_path):
    assert login(identity).exit_code == 0
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines() == [
        f"signed in as: {USER}",
        "scopes: Calendars.Read, Calendars.Read.Shared",
        f"app (client id): {CLIENT_ID}",
        f"token: {cache_file(tmp_path)}",
    ]
    identity.assert_no_secrets(status.output)


def test_logout_removes_the_sign_in(identity, tmp_path):
    assert login(identity).exit_code == 0
    out = invoke("auth", "logout", "--provider", "microsoft")
    assert out.stdout.strip() == f"signed out; removed {cache_file(tmp_path)}"
    assert not cache_file(tmp_path).exists()
    again = invoke("auth", "logout", "--provider", "microsoft")
    assert again.stdout.strip() == f"not signed in (no token at {cache_file(tmp_path)})"
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == ExitCode.USAGE and "not signed in" in status.stderr


def test_a_damaged_sign_in_file_is_one_line(identity, tmp_path):
    cache_file(tmp_path).parent.mkdir(parents=True)
    cache_file(tmp_path).write_text("{not json")
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == ExitCode.USAGE
    assert status.stderr.splitlines() == [
        f"routine-audit: error: {cache_file(tmp_path)}: not a saved Microsoft sign-in (run: "
        "routine-audit auth login --provider microsoft again)"
    ]


# --- app-only: a certificate in the team file, for cron -----------------------------------


def app_section(tenant: str = TENANT, certificate: str = "keys/app.pem") -> str:
    return f"microsoft: {{tenant: {tenant}, client_id: {CLIENT_ID}, certificate: {certificate}}}\n"


def test_app_only_team_run_and_online_check(signed_graph, identity, tmp_path):
    (tmp_path / "keys").mkdir()
    identity.app_certificates.append(app_certificate(tmp_path / "keys" / "app.pem"))
    team = team_file(tmp_path, app_section())  # the path is relative to the team file
    online, audited = check_and_audit(team)
    assert set(identity.grants) == {"client_credentials"}
    assert signed_graph.used and set(signed_graph.used) <= set(identity.access_tokens)
    identity.assert_no_secrets(online.output + audited.output)


def test_a_certificate_the_app_does_not_have_is_refused(signed_graph, identity, tmp_path):
    (tmp_path / "keys").mkdir()
    app_certificate(tmp_path / "keys" / "app.pem")  # made, never uploaded
    team = team_file(tmp_path, app_section())
    online = invoke("rules", "check", "--online", team)
    assert online.exit_code == ExitCode.PARTIAL  # as any rep whose calendar cannot be read
    assert "Microsoft refused the app's certificate sign-in (invalid_client, AADSTS70000)" in (
        online.stderr
    )
    assert "hunter2" not in online.output
    identity.assert_no_secrets(online.output)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            None,
            "the certificate keys/app.pem does not exist (paths are relative to the team "
            "file's folder)",
        ),
        (
            b"garbage",
            "is not a PEM file holding a private key and its certificate (put both "
            "in one file: cat app.key app.crt > app.pem (see docs/microsoft.md))",
        ),
        ("cert only", "is not a PEM file holding a private key and its certificate"),
    ],
)
def test_a_wrong_certificate_file_fails_the_team_file(identity, tmp_path, content, words):
    """A file that cannot be the team's certificate: the team file is wrong (exit 2), for
    rules check and every run alike, before any rep is read."""
    (tmp_path / "keys").mkdir()
    path = tmp_path / "keys" / "app.pem"
    if content == "cert only":
        app_certificate(path)
        path.write_text(path.read_text().split("-----END PRIVATE KEY-----")[1])
    elif content is not None:
        path.write_bytes(content)
    team = team_file(tmp_path, app_section())
    for args in (("rules", "check", "--online", team),
                 ("team", "audit", "--config", team, "--db", tmp_path / "h.sqlite")):  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == ExitCode.USAGE, result.output
        [line] = [x for x in result.stderr.splitlines() if "certificate" in x]
        assert words in line and "microsoft.certificate" in line, line
        assert "Traceback" not in result.output
    assert identity.grants == []


def test_a_key_of_another_certificate_is_one_line_naming_the_file(signed_graph, identity,
                                                                  tmp_path):  # fmt: skip
    (tmp_path / "keys").mkdir()
    path, other = tmp_path / "keys" / "app.pem", tmp_path / "other.pem"
    app_certificate(path)
    app_certificate(other)
    begin = "-----BEGIN CERTIFICATE-----"
    path.write_text(path.read_text().split(begin)[0] + begin + other.read_text().split(begin)[1])
    online = invoke("rules", "check", "--online", team_file(tmp_path, app_section()))
    assert online.exit_code == ExitCode.PARTIAL  # as any rep whose calendar cannot be read
    assert (
        f"rep@company.example: {path}: the private key does not belong to the certificate in "
        "this file (give `certificate` as a PEM file holding the private key and its "
        "certificate (see docs/microsoft.md))"
    ) in online.stderr
    assert identity.grants == []


# --- without msal -------------------------------------------------------------------------


@pytest.fixture
def no_msal(monkeypatch):
    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "msal" or name.startswith("msal."):
            raise ImportError("No module named 'msal'")
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "msal", raising=False)
    monkeypatch.setattr(builtins, "__import__", refuse)


INSTALL = (
    "routine-audit: error: Microsoft 365 calendars need the msal package "
    "(pip install 'routine-audit[microsoft]')"
)


def test_without_msal_login_is_one_line_exit_2(identity, no_msal):
    result = login(identity)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [INSTALL]


def test_without_msal_a_microsoft_calendar_is_one_line_exit_2(signed_graph, identity, tmp_path,
                                                              no_msal):  # fmt: skip
    cache_file(tmp_path).parent.mkdir(parents=True)
    cache_file(tmp_path).write_text("{}")
    audited = invoke(*AUDIT)
    assert audited.exit_code == ExitCode.USAGE
    assert audited.stderr.splitlines() == [INSTALL]
    (tmp_path / "keys").mkdir()
    app_certificate(tmp_path / "keys" / "app.pem")
    online = invoke("rules", "check", "--online", team_file(tmp_path, app_section()))
    assert online.exit_code == ExitCode.PARTIAL  # as any rep whose calendar cannot be read
    assert INSTALL.removeprefix("routine-audit: error: ") in online.stderr


def test_start_up_help_and_demo_never_import_msal(tmp_path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from routine_audit.cli import app\n"
        "runner = CliRunner()\n"
        "for args in (['--help'], ['auth', 'login', '--help'], ['demo', '--out', sys.argv[1]]):\n"
        "    assert runner.invoke(app, args).exit_code == 0, args\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('msal', 'cryptography', "
        "'jwt') or m.startswith('routine_audit.sources.microsoft')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "demo")],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_login_with_a_browser_receives_the_redirect_on_localhost(identity, monkeypatch, tmp_path):
    """msal's local server takes the redirect; the 'browser' here follows it."""
    import threading
    import webbrowser

    def browser(address, *args, **kwargs):
        threading.Thread(target=visit_and_post, args=(identity, address), daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    port = free_port()
    result = invoke("auth", "login", "--provider", "microsoft", "--port", port,
                    stdin=Terminal(identity))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Opening your browser to sign in to Microsoft 365 (it returns to http://localhost:{port}; "
        "without a browser here, use --no-browser)",
        f"signed in as {USER}; sign-in saved to {cache_file(tmp_path)}",
    ]
    assert identity.grants == ["authorization_code"]
    assert cache_file(tmp_path).stat().st_mode & 0o777 == 0o600


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- national clouds and the overrides ---------------------------------------------------


def test_scopes_follow_the_graph_endpoint(monkeypatch):
    from routine_audit.sources.microsoft import identity as ms

    monkeypatch.delenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", raising=False)
    assert ms.delegated_scopes() == ["Calendars.Read", "Calendars.Read.Shared"]
    assert ms.app_scopes() == ["https://graph.microsoft.com/.default"]
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", "https://graph.microsoft.us")  # US Gov
    assert ms.delegated_scopes(colours=True) == [
        "https://graph.microsoft.us/Calendars.Read",
        "https://graph.microsoft.us/Calendars.Read.Shared",
        "https://graph.microsoft.us/MailboxSettings.Read",
    ]
    assert ms.app_scopes() == ["https://graph.microsoft.us/.default"]
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", "http://127.0.0.1:9")  # a test's fake
    assert ms.app_scopes() == ["https://graph.microsoft.com/.default"]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("ROUTINE_AUDIT_MS_AUTHORITY", "http://127.0.0.1:9/t",
         "ROUTINE_AUDIT_MS_AUTHORITY must be an https:// address"),
        ("ROUTINE_AUDIT_MS_CA_BUNDLE", "/nowhere/ca.pem",
         "ROUTINE_AUDIT_MS_CA_BUNDLE names /nowhere/ca.pem, which is not a file"),
    ],
)  # fmt: skip
def test_a_bad_override_is_one_line(identity, monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    result = login(identity)
    assert result.exit_code == ExitCode.USAGE
    [line] = result.stderr.splitlines()
    assert words in line


def test_an_authority_with_an_untrusted_certificate_is_one_line(identity, monkeypatch):
    monkeypatch.delenv("ROUTINE_AUDIT_MS_CA_BUNDLE")
    result = login(identity)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        f"routine-audit: error: cannot reach the Microsoft sign-in service at "
        f"{identity.authority} (SSLError) (check ROUTINE_AUDIT_MS_CA_BUNDLE)"
    ]


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ("microsoft: {client_id: X, certificate: app.pem}\n",
         "certificate needs tenant and client_id beside it (app-only)"),
        ("microsoft: {tenant: T, client_id: X, certificate: app.pem, token: t.json}\n",
         "give either certificate (app-only) or token (a saved sign-in)"),
    ],
)  # fmt: skip
def test_a_microsoft_section_that_does_not_fit_is_one_line(tmp_path, section, words):
    app_certificate(tmp_path / "app.pem")
    result = invoke("rules", "check", team_file(tmp_path, section))
    assert result.exit_code == ExitCode.USAGE
    [line] = result.stderr.splitlines()
    assert words in line and "team.yaml" in line and "microsoft" in line, line


def test_a_pkcs12_certificate_is_read_like_a_pem_file(tmp_path):
    from cryptography.hazmat.primitives.serialization import (
        NoEncryption,
        load_pem_private_key,
        pkcs12,
    )
    from cryptography.x509 import load_pem_x509_certificate

    from routine_audit.sources.microsoft.app_only import load_certificate

    cert = app_certificate(tmp_path / "app.pem")
    key = load_pem_private_key((tmp_path / "app.pem").read_bytes(), None)
    bundle = pkcs12.serialize_key_and_certificates(b"app", key, cert, None, NoEncryption())
    (tmp_path / "app.pfx").write_bytes(bundle)
    (tmp_path / "app.pfx").chmod(0o600)
    key_text, cert_text = load_certificate(tmp_path / "app.pfx")
    assert load_pem_x509_certificate(cert_text.encode()) == cert
    assert "PRIVATE KEY" in key_text
    assert load_certificate(tmp_path / "app.pem") == (key_text, cert_text)
