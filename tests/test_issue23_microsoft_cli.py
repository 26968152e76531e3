"""Issue 23: a Graph calendar reached from the command line and from a team file
(against the fake Graph, graph_fake.py; the token comes from ROUTINE_AUDIT_GRAPH_TOKEN)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import graph_fake
from graph_fake import graph_item
from source_contract import REP, WEEK
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
runner = CliRunner()
ROUTINE = Path(__file__).parent / "fixtures" / "google" / "rep_company.yaml"
TEAM_HEAD = "kind: team\nversion: 1\nname: T\ntimezone: America/New_York\n"


def serve_week(fake) -> None:
    fake.serve(REP, [graph_item(s, n, fake.masters) for n, s in enumerate(WEEK)])


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_audit_with_source_graph(graph):
    serve_week(graph)
    result = invoke("audit", "--source", "microsoft", "--source-option", f"user={REP}",
                    "--routine", ROUTINE, "--week", "2026-W45", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    prospecting = json.loads(result.stdout)["reps"][REP]["commitments"][0]
    assert (prospecting["id"], prospecting["scheduled"]) == ("prospecting", 2.0)  # Mon 09-11
    assert graph_fake.TOKEN not in result.output


def test_graph_in_a_team_file(graph, tmp_path):
    serve_week(graph)
    shutil.copy(ROUTINE, tmp_path / "rep.yaml")
    team = tmp_path / "team.yaml"
    team.write_text(
        TEAM_HEAD
        + f"reps:\n  - {{email: {REP}, routine: rep.yaml, calendar: {{type: microsoft}}}}\n"
    )  # the mailbox defaults to the rep's address
    online = invoke("rules", "check", "--online", team)
    assert online.exit_code == 0, online.output
    audited = invoke("team", "audit", "--config", team, "--week", "2026-W45",
                     "--db", tmp_path / "h.sqlite", "--out", tmp_path / "out")  # fmt: skip
    assert audited.exit_code == 0, audited.output
    figures = json.loads((tmp_path / "out" / "team.json").read_text())
    assert figures["reps"][REP]["commitments"][0]["scheduled"] == 2.0


def test_access_denied_is_one_line_exit_2(graph):
    serve_week(graph)
    graph.denied.add(REP)
    result = invoke("audit", "--source", "microsoft", "--source-option", f"user={REP}",
                    "--routine", ROUTINE, "--week", "2026-W45")  # fmt: skip
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "ErrorAccessDenied" in line and "Traceback" not in result.output
