"""The team's Microsoft app certificate is a problem of the team as a whole (README,
"Team reviews and scheduled runs"): `run` and `team audit` stop with one line and
exit 2 before any rep is audited or any report written, as for a missing Google key."""

from __future__ import annotations

import pytest
from graph_fake import team_file
from typer.testing import CliRunner

from routine_audit.cli import app

SECTION = "microsoft: {tenant: t, client_id: c, certificate: secrets/missing.pem}\n"


@pytest.mark.parametrize("command", [["run", "--no-mail"], ["team", "audit"]])
def test_a_missing_certificate_stops_the_team_with_exit_2(tmp_path, command):
    team = team_file(tmp_path, SECTION)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        *command, "--config", str(team), "--week", "2026-W45",
        "--db", str(tmp_path / "h.sqlite"), "--out", str(out),
    ])  # fmt: skip
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "microsoft.certificate" in line and "secrets/missing.pem does not exist" in line
    assert not out.exists() or not any(out.iterdir())
