"""Issue 16: `rules check` catches what `run` would trip on in the mail section: a port out
of range or a username variable without a password variable are errors (exit 2); SMTP
variables missing from this environment are warnings (exit 0), since cron's differs."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data


def _team(tmp_path, mail: str):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    team.write_text(team.read_text() + f"mail: {mail}\n")
    return team


@pytest.mark.parametrize(
    ("mail", "says"),
    [
        ("{host: smtp.example, from: a@b.example, port: 70000}", "mail.port"),
        ("{host: smtp.example, from: a@b.example, port: 0}", "mail.port"),
        ("{host: smtp.example, from: a@b.example, username_env: SMTP_USER}", "go together"),
        ("{host: smtp.example, from: a@b.example, password_env: SMTP_PASS}", "go together"),
    ],
)
def test_mail_settings_run_would_refuse_are_errors(tmp_path, mail, says):
    result = CliRunner().invoke(app, ["rules", "check", str(_team(tmp_path, mail))])
    assert result.exit_code == 2, result.output
    assert says in result.output


def test_variables_missing_here_are_warnings(tmp_path, monkeypatch):
    monkeypatch.delenv("RA_TEST_SMTP_USER", raising=False)
    monkeypatch.setenv("RA_TEST_SMTP_PASS", "s3cret")
    team = _team(
        tmp_path,
        "{host: smtp.example, from: a@b.example, "
        "username_env: RA_TEST_SMTP_USER, password_env: RA_TEST_SMTP_PASS}",
    )
    result = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {team}: mail.username_env: the environment variable RA_TEST_SMTP_USER is "
        "not set here; set it where the run starts (the crontab line or the unit file)"
    ]
    assert "s3cret" not in result.output
