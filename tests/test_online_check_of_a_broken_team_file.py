"""``rules check --online`` on a team file with an error gives that error alone, not
the note that --online reads only team files (it was given one)."""

from __future__ import annotations

from typer.testing import CliRunner

from routine_audit.cli import app


def test_broken_team_file_online_says_only_its_error(tmp_path):
    (tmp_path / "rep.yaml").write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@company.example}\n"
        "timezone: America/New_York\ncommitments: []\n"
    )
    team = tmp_path / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"
        "microsoft: {tenant: t.example, client_id: abc, certificate: missing.pem}\n"
        "reps:\n  - {email: rep@company.example, routine: rep.yaml, calendar: {type: microsoft}}\n"
    )
    result = CliRunner().invoke(app, ["rules", "check", "--online", str(team)])
    assert result.exit_code == 2, result.output
    assert "missing.pem does not exist" in result.output
    assert "team files only" not in result.output
