"""Issue 16: a rep's email is one valid address (no path separators, whitespace, line
breaks or commas), and file names derived from it never leave the output folder."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.team.weekly import rep_file_stem

BAD = [
    "../../etc/evil@northwind.example",
    "dana@northwind.example, boss@northwind.example",
    "dana smith@northwind.example",
    "dana@northwind.example\nBcc: all@northwind.example",
    "dana@north/wind.example",
    "dana\\x@northwind.example",
    "@northwind.example",
    "dana@",
]


@pytest.fixture
def team_folder(tmp_path):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    return folder


@pytest.mark.parametrize("address", BAD)
def test_rules_check_names_the_entry_and_why(team_folder, address):
    team = team_folder / "team.yaml"
    team.write_text(team.read_text().replace("riley@northwind.example", json.dumps(address), 1))
    result = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 2, result.output
    assert "reps[2].email" in result.output
    assert "is not one email address" in result.output


def test_a_routine_alias_is_checked_too(tmp_path):
    routine = tmp_path / "routine.yaml"
    routine.write_text(
        "kind: routine\nversion: 1\ntimezone: UTC\n"
        "rep: {email: rep@northwind.example, aliases: ['a@b.example, c@d.example']}\n"
    )
    result = CliRunner().invoke(app, ["rules", "check", str(routine)])
    assert result.exit_code == 2
    assert "rep.aliases" in result.output


@pytest.mark.parametrize("address", ["Dana.O'Neil+crm@Northwind.example", "x@localhost"])
def test_real_addresses_still_load(team_folder, address):
    team = team_folder / "team.yaml"
    team.write_text(team.read_text().replace("riley@northwind.example", address, 1))
    routine = team_folder / "riley.yaml"
    routine.write_text(routine.read_text().replace("riley@northwind.example", address.lower()))
    result = CliRunner().invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("address", [*BAD, ".hidden@x.example"])
def test_a_file_name_from_an_address_stays_in_its_folder(address):
    stem = rep_file_stem(SimpleNamespace(rep=SimpleNamespace(email=address)))
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
    assert stem.strip()
