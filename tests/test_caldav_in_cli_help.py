"""The help of the commands that read a calendar names the caldav source and a
setting of it, as README and docs/caldav.md use them; a refused setting (``password``)
is not offered among the settings the source takes."""

from __future__ import annotations

import pytest
from conftest import help_text
from typer.testing import CliRunner

from routine_audit.cli import app


@pytest.mark.parametrize("command", ["audit", "events", "plan", "calendars"])
def test_help_names_the_caldav_source(command):
    code, text = help_text(command)
    assert code == 0
    assert "ics, google, microsoft, caldav" in text
    assert "url=https://caldav.icloud.com (caldav)" in text


def test_calendars_help_names_the_sources_it_lists():
    _, text = help_text("calendars")
    assert "those of --source (microsoft, caldav)" in text


def test_an_unknown_setting_lists_only_settings_the_source_takes():
    result = CliRunner().invoke(
        app,
        ["calendars", "--source", "caldav", "--source-option", "bogus=1",
         "--source-option", "url=https://caldav.icloud.com"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "the caldav source takes url, calendar, username, password_env" in line
    assert not line.rstrip(")").endswith("password")
    assert ", password," not in line and ", password)" not in line


def test_rules_check_online_help_names_every_networked_source():
    code, text = help_text("rules", "check")
    assert code == 0
    assert "(feeds, Google, Microsoft 365, CalDAV)" in text
