"""Busy/free blocks (coverage ``free_busy``) are ``other``, whatever the routine's rules
say: a block has no title, attendees or categories, so a rule that holds for it (here
``attendees: {max: 0}``, "time alone is prospecting") would claim every block. The
mailbox is read through getSchedule (its calendar is not shared)."""

from __future__ import annotations

import json

import graph_fake
from graph_fake import free_busy_item
from typer.testing import CliRunner

from routine_audit.cli import app

graph = graph_fake.graph
REP = "rep@company.example"
ROUTINE = f"""kind: routine
version: 1
rep: {{email: {REP}}}
timezone: America/New_York
rules: rules.yaml
commitments:
  - {{id: prospecting, activity: prospecting, unit: hours, per: week, target: 5}}
"""
RULES = """kind: rules
version: 1
rules:
  - {name: time-alone, activity: prospecting, match: {attendees: {max: 0}}}
"""


def test_busy_blocks_are_other(graph, tmp_path):
    graph.denied.add(REP)
    # Tue 3 Nov 2026 14:00-16:00 UTC = 09:00-11:00 New York (EST, UTC-5): 2 h busy
    graph.free_busy[REP] = [free_busy_item("busy", "2026-11-03T14:00", "2026-11-03T16:00")]
    (tmp_path / "rep.yaml").write_text(ROUTINE)
    (tmp_path / "rules.yaml").write_text(RULES)
    result = CliRunner().invoke(
        app,
        ["audit", "--source", "microsoft", "--source-option", f"user={REP}",
         "--routine", str(tmp_path / "rep.yaml"), "--week", "2026-W45", "--format", "json"],
    )  # fmt: skip
    rep = json.loads(result.stdout)["reps"][REP]
    assert rep["coverage"]["status"] == "free_busy"
    busy = {(d["activity"], d["date"]): d["hours"] for d in rep["daily"] if d["hours"]}
    assert busy == {("other", "2026-11-03"): 2.0}
