"""Review of issue 16: files a run reads besides calendars end in one line when they
cannot be read. A saved Google sign-in that cannot be read (another user's token, as when
cron runs as someone else) was a traceback (OSError), and so was `run --rep` over a
reports folder whose team.csv is not UTF-8 (UnicodeDecodeError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.errors import CredentialError
from routine_audit.sources.google import auth

WEEK = "2026-W45"
DANA = "dana@northwind.example"


def test_a_token_that_cannot_be_read_is_a_credential_error(tmp_path, monkeypatch):
    token = tmp_path / "token.json"
    token.write_text("{}")
    real = Path.read_text

    def refuse(self: Path, *args, **kwargs):
        if self == token:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(CredentialError, match="cannot read the saved sign-in: Permission denied"):
        auth.load_user_credentials(token)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_audit_with_an_unreadable_token_is_one_line():
    result = CliRunner().invoke(
        app,
        ["audit", "--google", "--token", "/proc/self/mem", "--week", WEEK,
         "--routine", str(package_data("sample") / "dana.yaml")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot read the saved sign-in" in result.output
    assert not isinstance(result.exception, OSError)


def test_run_one_rep_over_a_team_csv_that_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    team.write_text(team.read_text() + "output_dir: out\ndb: history.sqlite\n")
    runner = CliRunner()
    first = runner.invoke(app, ["run", "--config", str(team), "--week", WEEK, "--no-mail"])
    assert first.exit_code == 0, first.output
    (folder / "out" / WEEK / "team.csv").write_bytes(b"rep,x\n\xff\xfe,1\n")
    again = runner.invoke(
        app, ["run", "--config", str(team), "--week", WEEK, "--rep", DANA, "--no-mail"]
    )
    assert again.exit_code == 0, again.output
    assert (folder / "out" / WEEK / "team.csv").read_text().startswith("rep,")
