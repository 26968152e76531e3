"""Signing in to Google: the --no-browser flow, the saved token, auth status/logout, client files.

The sign-in exchanges its code at the fake token endpoint (google_fake.py);
the person at the browser is played by ``Person`` (library) or by a
pseudo-terminal (the real CLI in a subprocess, since CliRunner has no tty).
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import google_fake
import pytest
from google_fake import (
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    FIXTURES,
    REFRESH_TOKEN,
    SCOPES,
    mode,
)

from routine_audit.errors import CredentialError, ExitCode
from routine_audit.sources.google import auth

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)


no_secrets_in_logs = google_fake.no_secrets_in_logs  # autouse: checks every test's logs


ROOT = Path(__file__).resolve().parents[1]
PORT = 8085
SIGN_IN_URL = re.compile(r"https://accounts\.google\.com/o/oauth2/auth\?\S+")


def client_file(tmp_path: Path, token_uri: str = "https://oauth2.googleapis.com/token") -> Path:
    """An OAuth client file as the Cloud console downloads it (Desktop app)."""
    path = tmp_path / "client_secret_1234567890-fakeclient.apps.googleusercontent.com.json"
    path.write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": CLIENT_ID,
                    "project_id": "routine-audit-tests",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": token_uri,
                    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": ["http://localhost"],
                }
            }
        )
    )
    return path


class Person:
    """Reads the printed sign-in address, 'signs in', and pastes back where Google sent them."""

    def __init__(self, google, paste=None):
        self.google = google
        self.shown: list[str] = []
        self.prompts: list[str] = []
        self.query: dict[str, list[str]] = {}
        self.paste = paste or (lambda redirect, state: f"{redirect}?{sign_in_reply(state)}")

    def show(self, text: str) -> None:
        self.shown.append(text)

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        url = SIGN_IN_URL.search("\n".join(self.shown)).group()
        self.query = parse_qs(urlsplit(url).query)
        redirect, state = self.query["redirect_uri"][0], self.query["state"][0]
        self.google.code_challenges[state] = self.query["code_challenge"][0]
        self.google.expect_code(AUTH_CODE, redirect)
        return self.paste(redirect, state)


def sign_in_reply(state: str, **fields: str) -> str:
    reply = {"state": state, "code": AUTH_CODE, "scope": " ".join(SCOPES), **fields}
    return urlencode({k: v for k, v in reply.items() if v is not None})


def login(google, tmp_path: Path, person: Person, secrets: Path | None = None) -> Path:
    destination = tmp_path / "signed-in" / "token.json"
    auth.login(
        secrets or client_file(tmp_path),
        destination,
        browser=False,
        port=PORT,
        show=person.show,
        ask=person.ask,
    )
    return destination


# --- the --no-browser flow, as a library call ---------------------------------------------


@pytest.mark.parametrize("token_uri_from", ["environment", "client file"])
def test_no_browser_sign_in_exchanges_the_pasted_code(
    google, tmp_path, monkeypatch, token_uri_from
):
    secrets = client_file(tmp_path)
    if token_uri_from == "client file":
        monkeypatch.delenv("ROUTINE_AUDIT_GOOGLE_TOKEN_URI")
        secrets = client_file(tmp_path, token_uri=google.url("/token"))
    person = Person(google)
    destination = login(google, tmp_path, person, secrets)

    query = person.query
    assert set(query["scope"][0].split()) == set(SCOPES)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"http://localhost:{PORT}/"]
    assert len(query["state"][0]) >= 16
    assert query["code_challenge_method"] == ["S256"]
    assert person.prompts == ["Address: "]
    assert f"http://localhost:{PORT}/" in person.shown[0]

    exchange = google.token_requests("authorization_code")
    assert len(exchange) == 1 and exchange[0].status == 200
    assert exchange[0].form["redirect_uri"] == f"http://localhost:{PORT}/"

    assert mode(destination) == 0o600
    from google.oauth2.credentials import Credentials

    saved = Credentials.from_authorized_user_file(str(destination))
    assert saved.refresh_token == REFRESH_TOKEN
    assert set(saved.scopes) == set(SCOPES)
    assert saved.client_id == CLIENT_ID
    assert saved.token == google.issued[-1]
    for text in person.shown:
        google.assert_no_secrets(text)

    listed = google.invoke("calendars", "--token", str(destination))  # the new sign-in works
    assert listed.exit_code == 0 and "rep@company.example" in listed.stdout


def test_signing_in_again_replaces_the_token_and_keeps_it_private(google, tmp_path):
    destination = login(google, tmp_path, Person(google))
    destination.chmod(0o644)  # as if someone loosened it
    auth.login(
        client_file(tmp_path),
        destination,
        browser=False,
        port=PORT,
        show=(person := Person(google)).show,
        ask=person.ask,
    )
    assert mode(destination) == 0o600
    assert json.loads(destination.read_text())["token"] == google.issued[-1]
    assert [p.name for p in destination.parent.iterdir()] == ["token.json"]


def test_a_bare_code_is_accepted(google, tmp_path):
    person = Person(google, paste=lambda redirect, state: AUTH_CODE)
    assert login(google, tmp_path, person).is_file()


@pytest.mark.parametrize(
    ("paste", "words"),
    [
        (lambda r, s: f"{r}?{sign_in_reply('another-attempt')}", "another sign-in attempt"),
        (lambda r, s: f"{r}?{sign_in_reply(s, code=None)}", "has no code="),
        (
            lambda r, s: f"{r}?{urlencode({'error': 'access_denied', 'state': s})}",
            "refused the sign-in: access_denied",
        ),
        (lambda r, s: "   ", "nothing was pasted"),
    ],
    ids=["wrong state", "missing code", "access denied", "empty"],
)
def test_a_bad_pasted_address_is_a_clear_error(google, tmp_path, paste, words):
    with pytest.raises(CredentialError) as caught:
        login(google, tmp_path, Person(google, paste=paste))
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert caught.value.exit_code == ExitCode.USAGE
    assert google.token_requests() == []
    assert not (tmp_path / "signed-in" / "token.json").exists()


def test_a_code_google_refuses_is_a_clear_error(google, tmp_path):
    person = Person(google, paste=lambda r, s: f"{r}?{sign_in_reply(s, code='4/0-stale-code')}")
    with pytest.raises(CredentialError) as caught:
        login(google, tmp_path, person)
    message = str(caught.value)
    assert "Google did not accept the sign-in" in message and "invalid_grant" in message
    assert "\n" not in message and "4/0-stale-code" not in message
    assert not (tmp_path / "signed-in" / "token.json").exists()


# --- the browser flow (a local server receives the redirect) ---------------------------------


class Browser:
    """Stands in for the web browser: 'signs in' and follows Google's redirect to localhost."""

    def __init__(self, google, reply):
        self.google = google
        self.reply = reply
        self.errors: list[BaseException] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        query = parse_qs(urlsplit(url).query)
        redirect, state = query["redirect_uri"][0], query["state"][0]
        self.google.code_challenges[state] = query["code_challenge"][0]
        self.google.expect_code(AUTH_CODE, redirect)
        target = redirect.replace("localhost", "127.0.0.1") + "?" + self.reply(state)
        threading.Thread(target=self._follow, args=(target,), daemon=True).start()
        return True

    def _follow(self, target: str) -> None:
        try:
            urllib.request.urlopen(target, timeout=10).read()
        except OSError as exc:  # the local server answers, whatever the outcome
            self.errors.append(exc)


def browser_login(google, tmp_path, monkeypatch, reply):
    browser = Browser(google, reply)
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    destination = tmp_path / "token.json"
    auth.login(
        client_file(tmp_path),
        destination,
        browser=True,
        port=0,
        show=pytest.fail,
        ask=pytest.fail,
    )
    return destination


def test_browser_sign_in_receives_the_redirect(google, tmp_path, monkeypatch, capsys):
    # oauthlib insists on https for the token endpoint; the fake speaks http
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    destination = browser_login(google, tmp_path, monkeypatch, sign_in_reply)
    assert mode(destination) == 0o600
    assert json.loads(destination.read_text())["refresh_token"] == REFRESH_TOKEN
    assert "Opening your browser" in capsys.readouterr().out


def test_browser_sign_in_against_a_loopback_token_endpoint(google, tmp_path, monkeypatch):
    destination = browser_login(google, tmp_path, monkeypatch, sign_in_reply)
    assert destination.is_file()


def test_browser_sign_in_cancelled_is_a_credential_error(google, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with pytest.raises(CredentialError, match="access_denied"):
        browser_login(
            google,
            tmp_path,
            monkeypatch,
            lambda state: urlencode({"error": "access_denied", "state": state}),
        )


# --- the CLI: auth login refuses to prompt without a terminal -------------------------------


@pytest.mark.parametrize("extra", [[], ["--non-interactive"]])
def test_auth_login_without_a_terminal_refuses_to_prompt(google, tmp_path, extra):
    result = google.invoke(
        "auth",
        "login",
        "--no-browser",
        "--client-secrets",
        str(client_file(tmp_path)),
        "--token",
        str(tmp_path / "new-token.json"),
        *extra,
        input=f"http://localhost:{PORT}/?code={AUTH_CODE}\n",
    )
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        "routine-audit: error: signing in needs a person at a terminal (run routine-audit "
        "auth login interactively once; scheduled runs then reuse the saved token, or use "
        "--service-account)"
    ]
    assert result.stdout == ""
    assert not (tmp_path / "new-token.json").exists() and google.requests == []


def run_in_terminal(args: list[str], answer=None, timeout: float = 30) -> tuple[int, str]:
    """Run the real CLI on a pseudo-terminal; ``answer(output)`` replies to 'Address: '."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "routine_audit", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    os.close(slave)
    output, typed = b"", ""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program exited and closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if answer and not typed and b"Address: " in output:
                typed = answer(output.decode())
                os.write(master, typed.encode() + b"\n")
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    text = output.decode().replace("\r\n", "\n")
    return process.returncode, text.replace(typed, "<pasted>") if typed else text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_auth_login_no_browser_in_a_terminal(google, tmp_path):
    destination = tmp_path / "terminal-token.json"

    def answer(output: str) -> str:
        query = parse_qs(urlsplit(SIGN_IN_URL.search(output).group()).query)
        state, redirect = query["state"][0], query["redirect_uri"][0]
        google.code_challenges[state] = query["code_challenge"][0]
        google.expect_code(AUTH_CODE, redirect)
        return f"{redirect}?{sign_in_reply(state)}"

    code, output = run_in_terminal(
        [
            "auth",
            "login",
            "--no-browser",
            "--client-secrets",
            str(client_file(tmp_path)),
            "--token",
            str(destination),
        ],
        answer,
    )
    assert code == 0, output
    assert "<pasted>" in output and f"signed in; token saved to {destination}" in output
    google.assert_no_secrets(output)
    assert mode(destination) == 0o600
    assert json.loads(destination.read_text())["refresh_token"] == REFRESH_TOKEN


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_auth_login_with_a_missing_client_file_names_it(google, tmp_path):
    missing = tmp_path / "nowhere" / "client_secrets.json"
    code, output = run_in_terminal(
        ["auth", "login", "--no-browser", "--client-secrets", str(missing)]
    )
    assert code == ExitCode.USAGE, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output
    assert str(missing) in lines[0] and "docs/google.md" in lines[0]


# --- where the client file comes from ---------------------------------------------------------


@pytest.mark.parametrize("given_by", ["option", "environment", "config folder"])
def test_a_missing_client_file_is_named_with_a_pointer_to_the_docs(
    google, tmp_path, monkeypatch, given_by
):
    missing = tmp_path / "missing-client.json"
    option = None
    if given_by == "option":
        option = str(missing)
    elif given_by == "environment":
        monkeypatch.setenv("ROUTINE_AUDIT_CLIENT_SECRETS", str(missing))
    else:
        missing = tmp_path / "config" / "routine-audit" / "client_secrets.json"
    with pytest.raises(CredentialError) as caught:
        auth.client_secrets_path(option)
    message = str(caught.value)
    assert message.startswith(f"{missing}: no OAuth client file here")
    assert "docs/google.md" in message and "`client_secrets`" in message  # the library's word
    shown = caught.value.with_flags(lambda name: "--" + name.replace("_", "-")).one_line()
    assert "pass --client-secrets FILE" in shown  # what the CLI shows (cli.user_errors)
    assert caught.value.exit_code == ExitCode.USAGE


def test_the_client_file_is_found_in_each_place(google, tmp_path, monkeypatch):
    secrets = client_file(tmp_path)
    assert auth.client_secrets_path(str(secrets)) == secrets
    monkeypatch.setenv("ROUTINE_AUDIT_CLIENT_SECRETS", str(secrets))
    assert auth.client_secrets_path() == secrets
    monkeypatch.delenv("ROUTINE_AUDIT_CLIENT_SECRETS")
    default = tmp_path / "config" / "routine-audit" / "client_secrets.json"
    default.parent.mkdir(parents=True)
    default.write_text(secrets.read_text())
    assert auth.client_secrets_path() == default


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not a JSON OAuth client file"),
        (json.dumps({"type": "service_account", "client_email": "x@y"}), "not an OAuth client"),
        (json.dumps({"installed": {"client_secret": "x"}}), "not an OAuth client"),
    ],
)
def test_a_wrong_client_file_is_a_clear_error(google, tmp_path, content, words):
    bad = tmp_path / "client.json"
    bad.write_text(content)
    with pytest.raises(CredentialError, match=words) as caught:
        login(google, tmp_path, Person(google), bad)
    assert str(bad) in str(caught.value) and "docs/google.md" in str(caught.value)


def test_credentials_example_has_the_installed_app_shape():
    example = ROOT / "credentials.example.json"
    if not example.is_file():
        pytest.skip("credentials.example.json is not at the repository root yet")
    info = json.loads(example.read_text())
    assert set(info) == {"installed"}
    client = info["installed"]
    required = {"client_id", "client_secret", "auth_uri", "token_uri", "redirect_uris"}
    assert required <= set(client)
    assert client["client_id"].endswith(".apps.googleusercontent.com")
    assert client["token_uri"] == "https://oauth2.googleapis.com/token"
    assert client["auth_uri"] == "https://accounts.google.com/o/oauth2/auth"
    assert "http://localhost" in client["redirect_uris"]
    for field in ("client_id", "client_secret"):  # placeholders, not a real client
        assert re.search(r"YOUR|EXAMPLE|PLACEHOLDER|<", client[field], re.IGNORECASE), field
    assert auth._client_config(example)["installed"]["client_id"] == client["client_id"]


# --- the saved token ----------------------------------------------------------------------


def test_auth_status_shows_who_and_which_scopes(google):
    google.valid_token_file()
    result = google.invoke("auth", "status")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "signed in as: rep@company.example",
        f"scopes: {', '.join(sorted(SCOPES))}",
        f"token: {google.token_file}",
    ]


def test_auth_status_refreshes_an_expired_token(google):
    result = google.invoke("auth", "status", "--token", str(google.token_file))
    assert result.exit_code == 0, result.output
    assert "signed in as: rep@company.example" in result.stdout
    assert len(google.token_requests("refresh_token")) == 1


def test_auth_status_when_not_signed_in(google):
    google.token_file.unlink()
    result = google.invoke("auth", "status")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == (
        f"routine-audit: error: {google.token_file}: not signed in to Google "
        "(run: routine-audit auth login)"
    )


def test_auth_logout_removes_the_token(google, tmp_path):
    other = google.valid_token_file(tmp_path / "other-token.json")
    result = google.invoke("auth", "logout")
    assert result.exit_code == 0 and not google.token_file.exists()
    assert result.stdout.strip() == f"signed out; removed {google.token_file}"
    again = google.invoke("auth", "logout")
    assert again.exit_code == 0
    assert again.stdout.strip() == f"not signed in (no token at {google.token_file})"
    assert google.invoke("auth", "logout", "--token", str(other)).exit_code == 0
    assert not other.exists()
    assert google.requests == []  # signing out is local


def test_a_missing_token_stops_calendars_with_a_sign_in_hint(google):
    google.token_file.unlink()
    result = google.invoke("calendars")
    assert result.exit_code == ExitCode.USAGE
    assert "not signed in" in result.stderr and "run: routine-audit auth login" in result.stderr


def test_a_missing_token_stops_audit_google_with_a_sign_in_hint(google):
    google.token_file.unlink()
    result = google.invoke(
        "audit", "--google", "--routine", str(FIXTURES / "rep_company.yaml"), "--week", "2026-W45"
    )
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        f"routine-audit: error: {google.token_file}: not signed in to Google "
        "(run: routine-audit auth login)"
    ]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda info: "{not json", "not an authorized-user token"),
        (lambda info: {k: v for k, v in info.items() if k != "refresh_token"}, "authorized-user"),
        (lambda info: {**info, "scopes": [SCOPES[0]]}, "lacks the calendar read scopes"),
    ],
    ids=["not json", "no refresh token", "too few scopes"],
)
def test_a_bad_token_file_says_to_sign_in_again(google, change, words):
    info = json.loads(google.token_file.read_text())
    changed = change(info)
    google.token_file.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    with pytest.raises(CredentialError) as caught:
        auth.load_user_credentials(google.token_file)
    assert words in str(caught.value) and "routine-audit auth login" in str(caught.value)
    result = google.invoke("calendars")
    assert result.exit_code == ExitCode.USAGE and words in result.stderr


@pytest.mark.parametrize("which", ["token file", "client file"])
def test_json_that_is_not_an_object_is_a_credential_error(google, tmp_path, which):
    path = tmp_path / "list.json"
    path.write_text("[]")
    with pytest.raises(CredentialError):
        if which == "token file":
            auth.load_user_credentials(path)
        else:
            login(google, tmp_path, Person(google), path)
