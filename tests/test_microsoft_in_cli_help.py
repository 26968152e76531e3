"""The help of the commands that read a calendar names the microsoft source and its
``user`` setting, as README and docs/microsoft.md use them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app


@pytest.mark.parametrize("command", ["audit", "events", "plan"])
def test_help_names_the_microsoft_source(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "ics, google, microsoft" in text
    assert "user=rep@company.com (microsoft)" in text
