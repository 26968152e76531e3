"""Issue 23, sign-in files on disk: a saved sign-in others can read (copied with cp, a
loose umask) is made owner-only again with a one-line warning, and still works; an app
certificate others can read is warned about (it is the admin's file: not changed); a
run killed while saving a refreshed sign-in leaves the old one whole, and the next run
works; a saved sign-in edited into other types, or to an authority without TLS, is
one line naming the file."""

from __future__ import annotations

import json
import os

import graph_fake
import ms_identity_fake
import pytest
import test_issue23_ms_sign_in as sign_in
from killed_save import run_killed_while_saving
from ms_identity_fake import app_certificate
from test_issue23_ms_sign_in import AUDIT, app_section, cache_file, invoke, login, team_file

from routine_audit.errors import ExitCode

graph = graph_fake.graph
identity = ms_identity_fake.identity
identity_tls = ms_identity_fake.identity_tls
signed_graph = sign_in.signed_graph
terminal_input = sign_in.terminal_input

posix = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


@posix
def test_a_saved_sign_in_others_can_read_is_made_owner_only_with_a_warning(
    signed_graph, identity, tmp_path
):
    assert login(identity).exit_code == 0
    saved = cache_file(tmp_path)
    saved.chmod(0o644)  # e.g. copied from another machine with cp
    audited = invoke(*AUDIT)
    assert audited.exit_code == 0, audited.output
    assert saved.stat().st_mode & 0o777 == 0o600
    assert audited.stderr.splitlines() == [
        f"routine-audit: warning: {saved}: others could read this saved Microsoft sign-in "
        "(its refresh token); made it yours alone (chmod 600)"
    ]
    identity.assert_no_secrets(audited.output)
    again = invoke(*AUDIT)  # owner-only now: nothing more to say
    assert again.exit_code == 0 and again.stderr == ""


@posix
def test_a_certificate_others_can_read_is_warned_about_not_changed(
    signed_graph, identity, tmp_path
):
    (tmp_path / "keys").mkdir()
    pem = tmp_path / "keys" / "app.pem"
    identity.app_certificates.append(app_certificate(pem))
    pem.chmod(0o640)  # group-readable: a private key
    team = team_file(tmp_path, app_section())
    audited = invoke("team", "audit", "--config", team, "--week", "2026-W45",
                     "--db", tmp_path / "h.sqlite", "--out", tmp_path / "out")  # fmt: skip
    assert audited.exit_code == 0, audited.output
    assert (
        f"routine-audit: warning: {pem}: others can read the app's private key (make it "
        "readable by its owner only: chmod 600)"
    ) in audited.stderr.splitlines()
    assert pem.stat().st_mode & 0o777 == 0o640
    identity.assert_no_secrets(audited.output)


class Kept(dict):
    def pop(self, key, default=None):
        return self.get(key, default)


@posix
def test_killed_while_saving_a_refreshed_sign_in_the_next_run_works(
    signed_graph, identity, tmp_path
):
    identity.expires_in = 60  # the next use refreshes, then saves
    assert login(identity).exit_code == 0
    identity.expires_in = 3600
    # Entra's refresh token stays valid after use (a new one is issued beside it); the
    # fake's would be gone with the lost save, and the next run ask to sign in again
    identity.refresh_tokens = Kept(identity.refresh_tokens)
    saved = cache_file(tmp_path)
    before = saved.read_text()
    done = run_killed_while_saving(*AUDIT)
    assert done.returncode == -9, done.stderr
    assert saved.read_text() == before  # the old sign-in, whole
    assert json.loads(before)["kind"] == "routine-audit microsoft sign-in"
    leftovers = [p for p in saved.parent.iterdir() if p != saved]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in leftovers)  # never readable
    audited = invoke(*AUDIT)
    assert audited.exit_code == 0, audited.output
    assert audited.stderr == ""
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == 0 and status.exit_code != ExitCode.USAGE
    identity.assert_no_secrets(done.stdout + done.stderr + audited.output + status.output)


@posix
def test_a_file_that_is_no_saved_sign_in_is_left_as_it_is(identity, tmp_path):
    saved = cache_file(tmp_path)
    saved.parent.mkdir(parents=True)
    saved.write_text('{"kind": "something else"}')
    saved.chmod(0o644)  # $ROUTINE_AUDIT_MS_TOKEN_CACHE naming the wrong file
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == ExitCode.USAGE
    assert status.stderr.splitlines() == [
        f"routine-audit: error: {saved}: not a saved Microsoft sign-in (run: routine-audit "
        "auth login --provider microsoft again)"
    ]
    assert saved.stat().st_mode & 0o777 == 0o644


SIGNED = {"kind": "routine-audit microsoft sign-in", "client_id": "c", "scopes": ["a"],
          "authority": "https://127.0.0.1:9/t", "msal_cache": "{}"}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"scopes": 5},
        {"scopes": "Calendars.Read"},
        {"scopes": [5]},
        {"client_id": 5},
        {"msal_cache": {"Account": {}}},
        {"authority": "http://login.example/t"},  # the refresh token in the clear
        {"authority": "file:///etc/t"},
    ],
)
def test_a_saved_sign_in_edited_into_other_types_is_one_line(tmp_path, monkeypatch, change):
    saved = tmp_path / "sign-in.json"
    saved.write_text(json.dumps({**SIGNED, **change}))
    saved.chmod(0o600)
    monkeypatch.setenv("ROUTINE_AUDIT_MS_TOKEN_CACHE", str(saved))
    status = invoke("auth", "status", "--provider", "microsoft")
    assert status.exit_code == ExitCode.USAGE, status.output
    assert status.stderr.splitlines() == [
        f"routine-audit: error: {saved}: not a saved Microsoft sign-in (run: routine-audit "
        "auth login --provider microsoft again)"
    ]
