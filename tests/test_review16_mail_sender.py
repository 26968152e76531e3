"""Review of issue 16: `rules check` passed a mail `from:` holding a line break or two
addresses, and every mail of the run then failed ("Header values may not contain
linefeed or carriage return characters"). A host with a line break passed too."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data


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
