"""`auth status --provider microsoft` with ROUTINE_AUDIT_GRAPH_TOKEN set: calendars use
that token (it wins over every sign-in, docs/microsoft.md), so status says so, exit 0,
never printing it; it said "not signed in ... (or set ROUTINE_AUDIT_GRAPH_TOKEN)"."""

from __future__ import annotations

from typer.testing import CliRunner

import routine_audit.sources.microsoft.auth as microsoft
from routine_audit.cli import app

SECRET = "eyJ0eXAi.graph-token-DO-NOT-PRINT"
USES = "calendars use: the access token in ROUTINE_AUDIT_GRAPH_TOKEN (it wins over any sign-in)"


def status(monkeypatch, tmp_path, saved: bool):
    path = tmp_path / "ms-sign-in.json"
    if saved:  # neither read nor refreshed while the variable is set: any content will do
        path.write_text("{}")
    monkeypatch.setenv("ROUTINE_AUDIT_MS_TOKEN_CACHE", str(path))
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", SECRET)
    result = CliRunner().invoke(app, ["auth", "status", "--provider", "microsoft"])
    assert SECRET not in result.output
    return result, path


def test_status_says_calendars_use_the_variable_when_nobody_signed_in(monkeypatch, tmp_path):
    result, _ = status(monkeypatch, tmp_path, saved=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [USES]
    assert result.stderr == ""


def test_status_names_the_saved_sign_in_the_variable_overrides(monkeypatch, tmp_path):
    result, path = status(monkeypatch, tmp_path, saved=True)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        USES,
        f"saved sign-in: {path} (not used while ROUTINE_AUDIT_GRAPH_TOKEN is set)",
    ]


def test_the_library_decides_what_status_shows(monkeypatch, tmp_path):
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", SECRET)
    shown = microsoft.status(tmp_path / "none.json")
    assert list(shown) == ["calendars use"] and SECRET not in str(shown)
