"""Issue 23: `routine-audit calendars --source microsoft --source-option user=...` lists
the mailbox's calendars (name, id, whether they can be read), never what they hold."""

from __future__ import annotations

import graph_fake
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
REP = "rep@company.example"


def calendars(*options: str):
    args = ["calendars", "--source", "microsoft"]
    for option in options:
        args += ["--source-option", option]
    return CliRunner().invoke(app, args)


def test_lists_names_ids_and_access(graph):
    graph.calendar_list[REP] = [
        {"id": "AAMk-main", "name": "Calendar", "canEdit": True, "isDefaultCalendar": True,
         "owner": {"address": REP}, "hexColor": "#ff0000"},
        {"id": "AAMk-team", "name": "Team events", "canEdit": False, "isDefaultCalendar": False},
    ]  # fmt: skip
    result = calendars(f"user={REP}")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "AAMk-main\twriter\tCalendar (primary)",
        "AAMk-team\treader\tTeam events",
    ]
    (asked,) = graph.seen
    assert asked.path == "/v1.0/users/rep@company.example/calendars"
    assert set(asked.args["$select"].split(",")) == {"id", "name", "canEdit", "isDefaultCalendar"}


def test_a_denied_mailbox_is_one_line(graph):
    graph.denied.add(REP)
    result = calendars(f"user={REP}")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "calendar list of rep@company.example" in line and "403 ErrorAccessDenied" in line


def test_needs_a_user():
    result = calendars()
    assert result.exit_code == 2
    assert "user" in result.output and "Traceback" not in result.output
