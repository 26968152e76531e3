"""Issue 23, `auth` output: the signed-in name comes from the sign-in service (a user
sets their own display name) and reaches the terminal with its control characters made
visible, never raw; `auth logout` of a path it cannot remove (a folder) is one line,
exit 2, for either provider."""

from __future__ import annotations

import graph_fake
import ms_identity_fake
import pytest
import test_issue23_ms_sign_in as sign_in
from test_issue23_ms_sign_in import invoke, login

from routine_audit.errors import ExitCode

graph = graph_fake.graph
identity = ms_identity_fake.identity
identity_tls = ms_identity_fake.identity_tls
terminal_input = sign_in.terminal_input
HOSTILE = "dana\x1b]0;owned\x07\x1b[2J\u202e@contoso.example"


def test_a_signed_in_name_with_escape_sequences_is_shown_escaped(identity):
    identity.user = HOSTILE
    result = login(identity)
    assert result.exit_code == 0, result.output
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == 0, status.output
    for output in (result.stdout, status.stdout):
        assert "\x1b" not in output and "\u202e" not in output and "\x07" not in output
    assert "signed in as: dana\\x1b]0;owned\\x07\\x1b[2J\\u202e@contoso.example" in status.stdout


@pytest.mark.parametrize("provider", ["microsoft", "google"])
def test_logout_of_a_folder_is_one_line(tmp_path, provider):
    result = invoke("auth", "logout", "--provider", provider, "--token", tmp_path)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.stderr.splitlines()
    assert line.startswith(f"routine-audit: error: {tmp_path}: cannot remove the saved sign-in")
    assert tmp_path.is_dir()
