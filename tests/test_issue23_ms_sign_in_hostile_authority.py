"""Issue 23, sign-in: whatever the token endpoint answers (a proxy's HTML page with 200,
a 500, JSON that is not an object, a consent error), a run ends with one line and exit
2, never a traceback, a token or the service's words; AADSTS65001 (consent) says an
admin must consent rather than "sign in again". Delegated (refresh), login (the code
exchange) and app-only (client credentials, a team run) alike."""

from __future__ import annotations

import shutil

import graph_fake
import ms_identity_fake
import pytest
import test_issue23_ms_sign_in as sign_in
from ms_identity_fake import CLIENT_ID, TENANT, app_certificate
from test_issue23_ms_sign_in import AUDIT, REP, ROUTINE, invoke, login

from routine_audit.errors import ExitCode

graph = graph_fake.graph
identity = ms_identity_fake.identity
identity_tls = ms_identity_fake.identity_tls
signed_graph = sign_in.signed_graph
terminal_input = sign_in.terminal_input
WORDS = "did not answer with a token"

HOSTILE = {
    "an HTML page with 200": (200, b"<html>proxy login hunter2</html>", "text/html"),
    "a 500 page": (500, b"<html>oops hunter2</html>", "text/html"),
    "a JSON list": (200, [1, 2], "application/json"),
    "a JSON string": (200, "hunter2", "application/json"),
}


def answer_grant(identity, grant: str, status: int, body, kind: str = "application/json"):
    """The token endpoint answers ``grant`` requests with ``body`` from now on."""
    real = identity.post

    def post(path, form):
        if form.get("grant_type") == grant:
            return status, {"Content-Type": kind}, body
        return real(path, form)

    identity.post = post


def one_line(result) -> str:
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.stderr.splitlines()
    assert "hunter2" not in result.output and "Traceback" not in result.output
    return line


@pytest.mark.parametrize("case", HOSTILE)
def test_a_refresh_answered_with_no_token_response_is_one_line(signed_graph, identity, case):
    identity.expires_in = 60  # the next use refreshes
    assert login(identity).exit_code == 0
    answer_grant(identity, "refresh_token", *HOSTILE[case])
    for result in (invoke(*AUDIT), invoke("auth", "status", "--provider", "microsoft")):
        line = one_line(result)
        assert f"the Microsoft sign-in service at the token endpoint {WORDS}" in line
        identity.assert_no_secrets(result.output)


@pytest.mark.parametrize("case", HOSTILE)
def test_a_code_exchange_answered_with_no_token_response_is_one_line(identity, case):
    answer_grant(identity, "authorization_code", *HOSTILE[case])
    line = one_line(login(identity))
    assert WORDS in line or "the sign-in did not complete" in line


def test_consent_required_says_an_admin_must_consent(signed_graph, identity, tmp_path):
    identity.expires_in = 60
    assert login(identity).exit_code == 0
    refusal = {"error": "invalid_grant", "suberror": "consent_required",
               "error_description": "AADSTS65001: The user or administrator has not "
               "consented to use the application hunter2"}  # fmt: skip
    answer_grant(identity, "refresh_token", 400, refusal)
    line = one_line(invoke(*AUDIT))
    assert line.endswith("(invalid_grant, AADSTS65001) (an admin must grant consent "
                         "(see docs/microsoft.md))")  # fmt: skip


def test_app_only_with_a_hostile_token_endpoint_fails_the_rep_in_one_line(
    signed_graph, identity, tmp_path
):
    (tmp_path / "keys").mkdir()
    identity.app_certificates.append(app_certificate(tmp_path / "keys" / "app.pem"))
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"
        f"microsoft: {{tenant: {TENANT}, client_id: {CLIENT_ID}, certificate: keys/app.pem}}\n"
        f"reps:\n  - {{email: {REP}, routine: rep.yaml, calendar: {{type: microsoft}}}}\n"
    )
    answer_grant(identity, "client_credentials", 200, b"<html>hunter2</html>", "text/html")
    result = invoke("team", "audit", "--config", team, "--week", "2026-W45",
                    "--db", tmp_path / "h.sqlite", "--out", tmp_path / "out")  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and "hunter2" not in result.output
    assert WORDS in result.output
    # a JSONDecodeError is a ValueError: it is the answer's fault, never the key's
    assert "cannot sign with this certificate" not in result.output
