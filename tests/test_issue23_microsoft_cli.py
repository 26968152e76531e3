"""Issue 23: a Graph calendar reached from the command line and from a team file
(against the fake Graph, graph_fake.py; the token comes from ROUTINE_AUDIT_GRAPH_TOKEN)."""

from __future__ import annotations

import json

import graph_fake
from graph_fake import audit, graph_item
from source_contract import REP, WEEK
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
runner = CliRunner()


def serve_week(fake) -> None:
    fake.serve(REP, [graph_item(s, n, fake.masters) for n, s in enumerate(WEEK)])


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_audit_with_source_graph(graph):
    serve_week(graph)
    result = audit("--format", "json")
    assert result.exit_code == 0, result.output
    prospecting = json.loads(result.stdout)["reps"][REP]["commitments"][0]
    assert (prospecting["id"], prospecting["scheduled"]) == ("prospecting", 2.0)  # Mon 09-11
    assert graph_fake.TOKEN not in result.output


def test_graph_in_a_team_file(graph, tmp_path):
    serve_week(graph)
    # {type: microsoft}: the mailbox defaults to the rep's address
    graph_fake.check_and_audit(graph_fake.team_file(tmp_path))


def test_access_denied_is_one_line_exit_2(graph):
    serve_week(graph)
    graph.denied.add(REP)
    result = audit()
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "ErrorAccessDenied" in line and "Traceback" not in result.output
