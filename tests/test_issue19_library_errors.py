"""Issue 19 point 5: library errors name parameters in backquotes (the CLI adds its
flags); a calendar entry's error names its settings field."""

from __future__ import annotations

import socket
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import typer
from conftest import SAMPLE, SAMPLE_WEEK
from test_google_auth import client_file
from typer.testing import CliRunner

from routine_audit.cli import app, user_errors
from routine_audit.config.load import load_team
from routine_audit.errors import CredentialError, SourceError, UsageError
from routine_audit.period import Period
from routine_audit.sources.base import SourceContext
from routine_audit.sources.google import auth
from routine_audit.sources.ics import IcsSettings, IcsSource
from routine_audit.sources.options import option_values, settings_from_options
from routine_audit.team.runner import audit_team, team_period

runner = CliRunner()
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8), ZoneInfo("UTC"))


def cli_line(error: Exception, capsys: pytest.CaptureFixture[str]) -> str:
    """What the CLI prints for a library error."""
    with pytest.raises(typer.Exit), user_errors():
        raise error
    return capsys.readouterr().err.strip()


# --- library errors name parameters; the CLI names its flags --------------------------------


def test_an_unknown_tz_in_a_team_run_names_the_parameter():
    team = load_team(SAMPLE / "team.yaml")
    outcomes = audit_team(team, team_period(team, week=SAMPLE_WEEK), tz="Mars/Base")
    assert {o.error for o in outcomes} == {"`tz` 'Mars/Base' is not a known time zone"}


def test_an_unknown_tz_in_a_team_run_error_turns_into_the_flag(capsys):
    error = UsageError("`tz` 'Mars/Base' is not a known time zone", names=("tz",))
    assert (
        cli_line(error, capsys) == "routine-audit: error: --tz 'Mars/Base' is not a known time zone"
    )


def test_an_empty_ics_path_names_the_parameter_then_the_flag():
    with pytest.raises(UsageError) as raised:
        IcsSource("")
    assert str(raised.value) == "`locations` was given an empty path (name a file, folder or URL)"
    with pytest.raises(UsageError, match="no calendar given"):
        IcsSource([])
    result = runner.invoke(app, ["audit", "--ics", "", "--routine", str(SAMPLE / "dana.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "routine-audit: error: --ics was given an empty path (name a file, folder or URL)"
    )


def test_a_missing_ics_file_names_the_parameter_then_the_flag(tmp_path):
    missing = tmp_path / "gone.ics"
    with pytest.raises(SourceError) as raised:
        IcsSource(missing).read(WEEK, zone=ZoneInfo("UTC"))
    assert (
        str(raised.value)
        == f"{missing}: no such file or folder (check the path given to `locations`)"
    )
    args = ["audit", "--ics", str(missing), "--routine", str(SAMPLE / "dana.yaml")]
    result = runner.invoke(app, [*args, "--week", SAMPLE_WEEK])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.strip() == (
        f"routine-audit: error: {missing}: no such file or folder (check the path given to --ics)"
    )


def test_a_calendar_entry_names_its_location_field_not_a_flag(tmp_path, capsys):
    """A team file's (or routine's) ``calendar: {type: ics, location: ...}``: the rep's
    calendar vanished between loading the team and reading it."""
    missing = tmp_path / "gone.ics"
    source = IcsSource.open(IcsSettings(location=str(missing)), SourceContext())
    with pytest.raises(SourceError) as raised:
        source.read(WEEK, zone=ZoneInfo("UTC"))
    line = f"{missing}: no such file or folder (check the path given to `location`)"
    assert str(raised.value) == line
    assert cli_line(raised.value, capsys) == f"routine-audit: error: {line}"  # no --ics
    with pytest.raises(UsageError) as empty:
        IcsSource.open(IcsSettings(location=[]), SourceContext())
    assert str(empty.value) == "no calendar given (pass `location` FILE, FOLDER or URL)"


def test_source_option_errors_name_the_pairs_then_the_flag(capsys):
    with pytest.raises(UsageError) as raised:
        option_values(["path"])
    assert str(raised.value) == (
        "`source_option` 'path' is not KEY=VALUE (e.g. `source_option` id=primary)"
    )
    assert cli_line(raised.value, capsys) == (
        "routine-audit: error: --source-option 'path' is not KEY=VALUE "
        "(e.g. --source-option id=primary)"
    )
    with pytest.raises(UsageError, match=r"^`source_option` colour: unknown field"):
        settings_from_options("ics", {"colour": "red"})


def test_a_busy_sign_in_port_names_the_parameters_then_the_flags(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CredentialError) as raised:
            auth.login(
                client_file(tmp_path),
                tmp_path / "token.json",
                browser=True,
                port=port,
                show=pytest.fail,
                ask=pytest.fail,
            )
    assert raised.value.hint == "pass `port` with a free port, or use `browser=False`"
    assert cli_line(raised.value, capsys).endswith(
        "(pass --port with a free port, or use --no-browser)"
    )


def test_no_library_error_names_a_flag():
    """Read from the source: no error raised outside cli.py writes ``--flag`` in its
    message or hint (today: sources/ics.py, options.py, google/auth.py, team/runner.py)."""
    import ast
    import re
    from pathlib import Path

    import routine_audit

    package = Path(routine_audit.__file__).parent
    flag = re.compile(r"--[a-z]")
    found = []
    for file in sorted(package.rglob("*.py")):
        if file.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "id", getattr(called, "attr", ""))
            if not name.endswith("Error"):
                continue
            texts = [*node.args, *(k.value for k in node.keywords)]
            words = [
                c.value
                for t in texts
                for c in ast.walk(t)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            found += [f"{file.relative_to(package)}:{node.lineno}" for w in words if flag.search(w)]
    assert found == []
