"""Error lines name each thing once: the place already names the field, so a missing
`extends` file no longer reads `extends: extends: x.yaml`. (Graph's error code beside
the HTTP status, not in brackets within brackets: the Microsoft tests' lines.)"""

from __future__ import annotations

from typer.testing import CliRunner

from routine_audit.cli import app


def test_a_missing_extends_names_the_field_once(tmp_path):
    routine = tmp_path / "r.yaml"
    routine.write_text("kind: routine\nversion: 1\nextends: nowhere.yaml\n")
    result = CliRunner().invoke(app, ["rules", "check", str(routine)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {routine}:3: extends: nowhere.yaml does not exist "
        "(paths are relative to this file's folder)"
    )
