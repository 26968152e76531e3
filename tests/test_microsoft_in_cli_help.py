"""The help of the commands that read a calendar names the microsoft source and its
``user`` setting, as README and docs/microsoft.md use them."""

from __future__ import annotations

import pytest
from conftest import help_text
from typer.testing import CliRunner

from routine_audit.cli import app


@pytest.mark.parametrize("command", ["audit", "events", "plan"])
def test_help_names_the_microsoft_source(command):
    code, text = help_text(command)
    assert code == 0
    assert "ics, google, microsoft" in text
    assert "user=rep@company.com (microsoft)" in text


def test_no_mailbox_names_the_option_to_give(tmp_path):
    """Without ``user=``, the one line names the real option (there is no --user)."""
    routine = tmp_path / "rep.yaml"
    routine.write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@company.example}\n"
        "timezone: America/New_York\ncommitments: []\n"
    )
    result = CliRunner().invoke(
        app, ["audit", "--source", "microsoft", "--routine", str(routine), "--week", "2026-W45"]
    )
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "--source-option user=" in line and "--user" not in line
