"""Graph's failures read as one plain line, in good English: the calendar list of a
mailbox that is not found "was not found" (not "the calendars ... was")."""

from __future__ import annotations

import graph_fake
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph


def test_calendars_of_an_unknown_mailbox(graph):
    # the fake knows no calendar list for this mailbox: Graph's 404 ErrorItemNotFound
    result = CliRunner().invoke(
        app,
        ["calendars", "--source", "microsoft", "--source-option", "user=nobody@company.example"],
    )
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "the calendar list of nobody@company.example was not found (404 " in line
