"""Issue 17, section 3: a CLI that helps (completion, help without a subcommand,
placeholders in every help, team audit's history, history of an unknown rep)."""

from __future__ import annotations

import re

import pytest
import typer
from conftest import registered_commands, run_audit
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.history import History

runner = CliRunner()

# what a value looks like, in every command's help: placeholders, or a list of choices
PLACEHOLDERS = {
    "PATH|URL",
    "FILE",
    "FOLDER",
    "EMAIL",
    "WEEK",
    "ZONE",
    "DATE",
    "ID",
    "N",
    "PORT",
    "NAME",
    "KEY=VALUE",
    "TEXT",  # agree's action (issue 22)
}
CHOICES = re.compile(r"^\[[a-z]+(\|[a-z]+)+\]$")
TYPE_NAME = re.compile(r"<[^<>\s]*>")  # <str>, <path>, <list[str]>, <owner|manager>


def invoke(*args: str, **kwargs):
    return runner.invoke(app, list(args), prog_name="routine-audit", **kwargs)


def test_completion_is_offered_and_completes_commands():
    top = invoke("--help").stdout
    assert "--install-completion" in top and "--show-completion" in top
    script = invoke("--show-completion", "bash")
    assert script.exit_code == 0
    assert "_ROUTINE_AUDIT_COMPLETE" in script.stdout  # the script calls us back
    # what bash asks when the user types `routine-audit te<TAB>`
    env = {
        "_ROUTINE_AUDIT_COMPLETE": "complete_bash",
        "COMP_WORDS": "routine-audit te",
        "COMP_CWORD": "1",
    }
    completed = invoke(env=env)
    assert completed.stdout.split() == ["team"]


# every group below the top (`routine-audit` alone is checked with its commands)
GROUPS = [
    " ".join(path) for path, cmd in registered_commands() if path and hasattr(cmd, "commands")
]


@pytest.mark.parametrize("group", GROUPS)
def test_a_group_without_subcommand_prints_its_help(group):
    assert {"team", "rules", "auth"} <= set(GROUPS)
    result = invoke(*group.split())
    # as click's no_args_is_help does (and `routine-audit` alone): help on stderr, exit 2
    assert result.exit_code == 2
    assert "Missing command" not in result.output
    assert f"Usage: routine-audit {group} [OPTIONS] COMMAND" in result.stderr
    assert "Commands:" in result.stderr


def test_every_help_shows_placeholders_never_type_names():
    seen: set[str] = set()
    paths = []
    for path, command in registered_commands():
        paths.append(path)
        ctx = typer.Context(command, info_name=" ".join(("routine-audit", *path)))
        for param in command.get_params(ctx):
            if param.param_type_name == "argument":
                assert param.metavar in PLACEHOLDERS, (path, param.name)
                seen.add(param.metavar)
                continue
            if getattr(param, "is_flag", False) or param.name == "help":
                continue
            assert param.metavar is not None, (path, param.name)
            assert param.metavar in PLACEHOLDERS or CHOICES.match(param.metavar), (
                path,
                param.name,
                param.metavar,
            )
            seen.add(param.metavar)
        shown = invoke(*path, "--help")
        assert shown.exit_code == 0, path
        assert not TYPE_NAME.findall(shown.stdout), (path, TYPE_NAME.findall(shown.stdout))
    assert {"PATH|URL", "FILE", "EMAIL", "WEEK", "ZONE"} <= seen
    # the walk reached the sub-apps' commands too
    assert {("team", "audit"), ("rules", "check"), ("auth", "login"), ("history",)} <= set(paths)


def test_team_audit_help_says_it_records_the_week():
    text = " ".join(invoke("team", "audit", "--help").stdout.split())
    assert "records the week in the history" in text


def _history(tmp_path):
    db = tmp_path / "history.sqlite"
    result = run_audit("overlaps.ics", "rep_ny.yaml", week="2026-W45")
    with History(db) as history:
        history.record(team="T", week="2026-W45", result=result)
    return db, result.rep.email


def test_history_of_an_unknown_rep_names_the_known_ones(tmp_path):
    db, known = _history(tmp_path)
    result = invoke("history", "--rep", "nobody@example.com", "--db", str(db))
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("routine-audit: error: ")
    assert "no history for nobody@example.com" in line and known in line
    # the known rep still works, spelt in any case
    shown = invoke("history", "--rep", known.upper(), "--db", str(db))
    assert shown.exit_code == 0, shown.output
    assert "2026-W45" in shown.stdout


def test_history_with_no_audits_at_all_says_so(tmp_path):
    db = tmp_path / "empty.sqlite"
    History(db).close()
    result = invoke("history", "--rep", "dana@example.com", "--db", str(db))
    assert result.exit_code == 2
    assert "holds no audits yet" in result.stderr
