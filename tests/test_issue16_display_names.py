"""Issue 16 (review): a rep's or team's display name is plain text. A bidi override or a
zero-width space in `name:` (which a rep may edit in their own routine) would reorder or
hide what the manager reads on the team page, so `rules check` refuses it."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data


@pytest.mark.parametrize(
    "name", ["Dana \u202eevil\u202c", "Da\u200bna", "Dana\x1b[2J", "Dana\u2066x\u2069"]
)
def test_a_name_with_hidden_characters_is_refused(tmp_path, name):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    team.write_text(team.read_text().replace("name: Dana Exampleton", f"name: {json.dumps(name)}"))
    result = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 2, result.output
    assert "a name may not hold control characters" in result.output
    assert "\u202e" not in result.output and "\x1b" not in result.output


def test_plain_names_with_accents_and_emoji_still_load(tmp_path):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    team.write_text(team.read_text().replace("name: Dana Exampleton", 'name: "Dana Ölçek 👩‍💼"'))
    assert CliRunner().invoke(app, ["rules", "check", str(team)]).exit_code == 0
