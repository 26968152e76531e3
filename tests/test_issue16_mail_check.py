"""Issue 16: `rules check` catches what `run` would trip on in the mail section: a port out
of range or a username variable without a password variable are errors (exit 2); SMTP
variables missing from this environment are warnings (exit 0), since cron's differs."""

from __future__ import annotations

import json
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


# Review of issue 16: `rules check` passed a mail `from:` holding a line break or two
# addresses, and every mail of the run then failed ("Header values may not contain
# linefeed or carriage return characters"). A host with a line break passed too.
# (Was tests/test_review16_mail_sender.py.)


def check(tmp_path, sender: str, host: str = "smtp.northwind.example"):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    mail = (
        f"mail: {{host: {json.dumps(host)}, port: 2525, security: none, "
        f"from: {json.dumps(sender)}}}\n"
    )
    team.write_text(team.read_text() + mail)
    return CliRunner().invoke(app, ["rules", "check", str(team)])


@pytest.mark.parametrize(
    "sender",
    ["ra@x.example\r\nBcc: evil@x.example", "a@x.example, b@x.example", "not an address",
     "Audit <a@x.example>, <b@x.example>", "Audit <a@x.example"],
)  # fmt: skip
def test_a_sender_that_is_not_one_address_is_an_error(tmp_path, sender):
    result = check(tmp_path, sender)
    assert result.exit_code == 2, result.output
    assert "mail.from" in result.output
    assert "is not one sender address" in result.output


@pytest.mark.parametrize(
    "sender", ["ra@x.example", "Routine Audit <ra@x.example>", '"Audit, Sales" <ra@x.example>']
)
def test_one_address_bare_or_with_a_name_is_fine(tmp_path, sender):
    result = check(tmp_path, sender)
    assert result.exit_code == 0, result.output


def test_a_host_with_a_line_break_is_an_error(tmp_path):
    result = check(tmp_path, "ra@x.example", host="smtp.x.example\nEHLO evil")
    assert result.exit_code == 2, result.output
    assert "mail.host" in result.output
