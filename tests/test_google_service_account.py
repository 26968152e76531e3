"""Workspace service accounts with domain-wide delegation, against the fake token endpoint.

Each test makes a throwaway RSA key; the fake token endpoint verifies the
signed JWT assertion with its public half and checks the subject and scopes,
as Google does before it hands out a token for the rep.
"""

from __future__ import annotations

import json
from pathlib import Path

import google_fake
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google_fake import FIXTURES, JWT_BEARER, SCOPES, load_json

import routine_audit as ra
from routine_audit.errors import CredentialError, ExitCode, UsageError
from routine_audit.sources.google import open_google

google = google_fake.google  # the fixture: a fake Google on loopback (tests/google_fake.py)


no_secrets_in_logs = google_fake.no_secrets_in_logs  # autouse: checks every test's logs


REP = "rep@company.example"
ACCOUNT = "routine-audit@routine-audit-tests.iam.gserviceaccount.com"
ROUTINE = FIXTURES / "rep_company.yaml"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(google, tmp_path, rsa_key) -> Path:
    """A service-account key as the Cloud console downloads it, trusted by the fake."""
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path / "routine-audit-tests-0123456789ab.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "routine-audit-tests",
                "private_key_id": "0123456789abcdef0123456789abcdef01234567",
                "private_key": private_pem,
                "client_email": ACCOUNT,
                "client_id": "109876543210987654321",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token",
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/x",
                "universe_domain": "googleapis.com",
            }
        )
    )
    path.chmod(0o600)
    google.trust_service_account(ACCOUNT, public_pem, REP)
    google.extra_secrets.update(line for line in private_pem.splitlines()[1:-1] if line)
    google.serve_pages(REP, [load_json("week_page1.json"), load_json("week_page2.json")])
    google.token_file.unlink()  # no personal sign-in anywhere: the key is all there is
    return path


def read_as(key: Path, subject: str | None = REP, calendar: str | None = None):
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W45")
    source = open_google(calendar, service_account=str(key), subject=subject)
    return source, ra.load_events(source, period, zone=routine.zone)


def test_the_service_account_reads_the_subjects_calendar(google, key_file):
    source, data = read_as(key_file)
    assert source.calendar_id == REP  # the subject's own calendar by default
    assert len(data.events) == 20

    [grant] = google.token_requests(JWT_BEARER)
    assert grant.status == 200
    [claims] = google.assertions  # verified with the public key by the fake
    assert claims["iss"] == ACCOUNT
    assert claims["sub"] == REP
    assert set(claims["scope"].split()) == set(SCOPES)
    assert claims["aud"] == "https://oauth2.googleapis.com/token"
    assert claims["exp"] - claims["iat"] <= 3600

    requests = google.event_requests(REP)
    assert {r.raw_path for r in requests} == {"/calendar/v3/calendars/rep%40company.example/events"}
    assert {r.headers["Authorization"] for r in requests} == {f"Bearer {google.issued[0]}"}


def test_the_service_account_can_read_another_calendar_of_the_subject(google, key_file):
    google.serve_items("team-calls@company.example", load_json("week_page1.json")["items"])
    _, data = read_as(key_file, calendar="team-calls@company.example")
    assert len(data.events) == 12
    assert google.assertions[0]["sub"] == REP


def test_the_key_may_point_at_any_token_endpoint(google, key_file, monkeypatch):
    """Without ROUTINE_AUDIT_GOOGLE_TOKEN_URI the key file's token_uri is used."""
    monkeypatch.delenv("ROUTINE_AUDIT_GOOGLE_TOKEN_URI")
    info = json.loads(key_file.read_text())
    key_file.write_text(json.dumps({**info, "token_uri": google.url("/token")}))
    assert len(read_as(key_file)[1].events) == 20


def test_calendars_as_the_subject(google, key_file):
    result = google.invoke("calendars", "--service-account", str(key_file), "--subject", REP)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{REP}\towner\t{REP} (primary)"
    assert google.assertions[0]["sub"] == REP


@pytest.mark.parametrize("command", ["audit", "events"])
def test_audit_and_events_with_a_service_account(google, key_file, command):
    result = google.invoke(
        command,
        *("--service-account", str(key_file), "--subject", REP, "--routine", str(ROUTINE)),
        *("--week", "2026-W45", "--format", "json"),
    )
    assert result.exit_code == 0, result.output
    assert google.assertions[0]["sub"] == REP
    assert {r.raw_path for r in google.event_requests(REP)} == {
        "/calendar/v3/calendars/rep%40company.example/events"
    }
    if command == "audit":
        rep = json.loads(result.stdout)["reps"][REP]
        prospecting = next(c for c in rep["commitments"] if c["id"] == "prospecting")
        assert prospecting["scheduled"] == 6.5


# --- what goes wrong --------------------------------------------------------------------------


def one_line_error(result) -> str:
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("routine-audit: error: "), result.stderr
    return lines[0]


def audit_args(*options: str) -> list[str]:
    return ["audit", *options, "--routine", str(ROUTINE), "--week", "2026-W45"]


def test_a_service_account_needs_a_subject(google, key_file):
    with pytest.raises(UsageError, match="`service_account` needs `subject`"):
        open_google(service_account=str(key_file))
    line = one_line_error(google.invoke("calendars", "--service-account", str(key_file)))
    assert "--service-account needs --subject" in line
    assert google.requests == []


def test_audit_with_a_service_account_but_no_subject(google, key_file):
    line = one_line_error(google.invoke(*audit_args("--service-account", str(key_file))))
    assert "--service-account needs --subject" in line


def test_a_subject_needs_a_service_account(google):
    with pytest.raises(UsageError, match="`subject` goes with `service_account`"):
        open_google(subject=REP)


NOT_A_KEY = {
    "an authorized-user token": lambda g: g.write_token(g.token_file.with_name("user.json")),
    "an OAuth client file": lambda g: _write(
        g, {"installed": {"client_id": "x.apps.googleusercontent.com", "client_secret": "y"}}
    ),
    "not JSON": lambda g: _write(g, None),
    "no private key": lambda g: _write(g, {"type": "service_account", "client_email": ACCOUNT}),
}


def _write(google, content) -> Path:
    path = google.token_file.with_name("not-a-key.json")
    path.write_text("-----BEGIN nonsense" if content is None else json.dumps(content))
    return path


@pytest.mark.parametrize("case", NOT_A_KEY)
def test_a_file_that_is_not_a_service_account_key(google, key_file, case):
    path = NOT_A_KEY[case](google)
    with pytest.raises(CredentialError) as caught:
        open_google(service_account=str(path), subject=REP)
    assert str(path) in str(caught.value)
    line = one_line_error(
        google.invoke("calendars", "--service-account", str(path), "--subject", REP)
    )
    assert str(path) in line
    assert google.token_requests() == []


def test_the_message_for_a_wrong_key_type_says_what_to_download(google, key_file):
    path = NOT_A_KEY["an authorized-user token"](google)
    with pytest.raises(CredentialError) as caught:
        open_google(service_account=str(path), subject=REP)
    assert "not a service-account key" in str(caught.value)
    assert "JSON key" in str(caught.value)


def test_a_missing_key_file(google, tmp_path):
    missing = tmp_path / "no-such-key.json"
    line = one_line_error(
        google.invoke("calendars", "--service-account", str(missing), "--subject", REP)
    )
    assert f"{missing}: service-account key file not found" in line


def test_audit_with_a_file_that_is_not_a_service_account_key(google, key_file):
    path = NOT_A_KEY["an OAuth client file"](google)
    line = one_line_error(
        google.invoke(*audit_args("--service-account", str(path), "--subject", REP))
    )
    assert "not a service-account key" in line


@pytest.mark.parametrize("status", [400, 401])
def test_missing_delegation_is_explained(google, key_file, status):
    """Google answers unauthorized_client when delegation is missing or lacks the scopes."""
    google.service_accounts[ACCOUNT].refuse = (status, "unauthorized_client")
    with pytest.raises(CredentialError) as caught:
        read_as(key_file)
    assert "delegation" in str(caught.value) and caught.value.exit_code == ExitCode.USAGE
    line = one_line_error(
        google.invoke("calendars", "--service-account", str(key_file), "--subject", REP)
    )
    assert "delegation" in line
    assert google.event_requests() == []


def test_a_subject_outside_the_delegation_is_refused(google, key_file):
    with pytest.raises(CredentialError, match="delegation"):
        read_as(key_file, subject="someone@elsewhere.example")
    assert google.assertions[-1]["sub"] == "someone@elsewhere.example"


def test_a_key_the_endpoint_does_not_know_is_refused(google, key_file):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = json.loads(key_file.read_text())
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key_file.write_text(json.dumps(info))
    with pytest.raises(CredentialError):
        read_as(key_file)
    assert google.assertions == []  # the signature did not verify
    assert google.token_requests(JWT_BEARER)[0].status == 400


def test_audit_with_missing_delegation(google, key_file):
    google.service_accounts[ACCOUNT].refuse = (400, "unauthorized_client")
    line = one_line_error(
        google.invoke(*audit_args("--service-account", str(key_file), "--subject", REP))
    )
    assert "delegation" in line
