"""Issue 23: JSON from Graph that parses but is not what Graph sends is read as nothing,
never a traceback: the page before an empty week whose ``value`` is not a list (the
calendar reads as having nothing before it), and JSON nested past Python's stack (one
line, exit 2, like any answer that is not a JSON object)."""

from __future__ import annotations

import graph_fake
import pytest
from graph_fake import audit
from source_contract import REP
from test_issue23_microsoft_hostile import raw

from routine_audit.errors import ExitCode

graph = graph_fake.graph


@pytest.mark.parametrize("value", [b"5", b"null", b'"text"', b'{"a": 1}'])
def test_the_page_before_an_empty_week_with_no_list_is_nothing_before_it(graph, value):
    graph.serve(REP, [])
    graph.hostile += [raw(200, b'{"value": []}'), raw(200, b'{"value": ' + value + b"}")]
    result = audit()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code != ExitCode.USAGE, result.output
    assert len(graph.seen) == 2  # the week, then the days before it


def test_json_nested_past_the_stack_is_one_line(graph):
    graph.serve(REP, [])
    deep = b'{"value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    graph.hostile.append(raw(200, deep))
    result = audit()
    assert result.exit_code == ExitCode.USAGE, result.output
    [line] = result.stderr.splitlines()
    assert "answer for the calendar of rep@company.example was not a JSON object" in line
