"""Issue 23: Outlook categories reach classification (``match.categories``), Graph's
category colours fill ``Event.color`` for ``match.colors``, and categories, like titles,
never reach anyone's report.

The week is tests/fixtures/microsoft/ (see test_issue23_microsoft_paired.py): recorded
Graph pages and Outlook's .ics export of the same week.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import graph_fake
import pandas as pd
import pytest
from graph_fake import graph_item, opened
from graph_recorded import FIXTURES, serve_recorded
from source_contract import WEEK
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app

graph = graph_fake.graph

REP = "rep@contoso.example"
ICS = FIXTURES / "outlook_week.ics"
ROUTINE = FIXTURES / "rep_outlook.yaml"
RULES = FIXTURES / "category_rules.yaml"
NY = ZoneInfo("America/New_York")
runner = CliRunner()


def microsoft():
    return opened(REP)  # this file's rep (Contoso's)


def rules_file(tmp_path, match: str):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "kind: rules\nversion: 1\nrules:\n"
        f"  - name: tagged\n    activity: prospecting\n    match: {match}\n"
    )
    return path


# --- the condition ----------------------------------------------------------------------


def test_rules_check_accepts_categories():
    result = runner.invoke(app, ["rules", "check", str(RULES), str(ROUTINE)])
    assert result.exit_code == 0, result.output


def test_an_empty_category_name_is_an_error_naming_the_field(tmp_path):
    result = runner.invoke(
        app, ["rules", "check", str(rules_file(tmp_path, '{categories: [" "]}'))]
    )
    assert result.exit_code == 2
    assert "rules.yaml:6" in result.output
    assert "rules[0].match.categories" in result.output
    assert "Traceback" not in result.output


def _frame(categories: list) -> pd.DataFrame:
    start = [datetime(2026, 10, 26, 9 + i, tzinfo=NY) for i in range(len(categories))]
    return pd.DataFrame(
        {
            "start": start,
            "end": [s.replace(minute=30) for s in start],
            "summary": ["block"] * len(categories),
            "categories": categories,
        }
    )


def test_any_listed_name_exact_and_case_insensitive(tmp_path):
    routine = ra.load_routine(ROUTINE)
    rules = ra.load_rules(rules_file(tmp_path, "{categories: [Prospecting, ' Cold calls ']}"))
    table = _frame(
        [
            ["prospecting"],  # another letter case
            ["Internal", "COLD CALLS"],  # any of the rule's names, anywhere in the list
            ["Prospecting follow-up"],  # not the same name
            ["Prospect"],  # nor part of it
            [],
            None,  # no categories at all
            "Prospecting",  # one name as text
        ]
    )
    result = ra.audit_frame(table, routine, rules, ra.period_for(routine, week="2026-W44"))
    assert result.occurrences.sort_index()["activity"].tolist() == [
        "prospecting",
        "prospecting",
        "other",
        "other",
        "other",
        "other",
        "prospecting",
    ]


def test_categories_combine_with_the_other_conditions(tmp_path):
    """AND, as every condition: the category and the title keyword must both hold."""
    routine = ra.load_routine(ROUTINE)
    rules = ra.load_rules(rules_file(tmp_path, "{categories: [Prospecting], keywords: [block]}"))
    table = _frame([["Prospecting"], ["Prospecting"]])
    table.loc[1, "summary"] = "call"
    result = ra.audit_frame(table, routine, rules, ra.period_for(routine, week="2026-W44"))
    assert result.occurrences.sort_index()["activity"].tolist() == ["prospecting", "other"]


def test_ics_categories_from_every_property_and_comma_list(tmp_path):
    path = tmp_path / "tags.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:tags@t\r\n"
        "DTSTART:20261026T140000Z\r\nDTEND:20261026T150000Z\r\nSUMMARY:Call\r\n"
        "CATEGORIES:Customer,Follow-up\r\nCATEGORIES:Internal\r\n"
        "CATEGORIES:Acme\\, Inc.,customer\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W44")
    (event,) = ra.load_events(path, period, zone=NY).events
    # every name once, in file order; an escaped comma is part of a name
    assert event.categories == ("Customer", "Follow-up", "Internal", "Acme, Inc.", "customer")


def test_both_sources_read_the_same_categories(graph):
    serve_recorded(graph, REP)
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W44")

    def tags(calendar):
        events = ra.load_events(calendar, period, zone=NY).events
        return sorted(
            (int(e.start.timestamp()), e.summary, e.categories)
            for e in events
            if e.end > period.start and e.start < period.end  # the .ics reads a bit wider
        )

    from_graph = tags(microsoft())
    assert from_graph == tags(ICS)
    found = {summary: c for _, summary, c in from_graph}
    assert found["Contoso x Northwind demo"] == ("Customer", "Demo")
    assert found["Therapy"] == ("Health", "Counselling")
    assert found["Dentist"] == ()


# --- colours from the master list --------------------------------------------------------


def test_colours_from_the_mailboxs_category_list(graph, tmp_path):
    serve_recorded(graph, REP)
    routine = ra.load_routine(ROUTINE)
    period = ra.period_for(routine, week="2026-W44")
    events = ra.load_events(microsoft(), period, zone=NY).events
    colors = {e.summary: e.color for e in events}
    assert colors["Contoso x Northwind demo"] == "red"  # Customer: preset0; Demo's is 2nd
    assert colors["Prospecting block"] == "green"  # preset4
    assert colors["Pipeline sync"] == "gray"  # preset12
    assert colors["Red-eye flight home"] == ""  # Travel: color none
    assert colors["Dentist"] == ""  # no category
    # and so match.colors works as for Google colours
    rules = ra.load_rules(rules_file(tmp_path, "{colors: [Red]}"))
    result = ra.audit_calendar(microsoft(), routine, rules, period)
    tagged = result.occurrences[result.occurrences["activity"] == "prospecting"]
    assert sorted(set(tagged["summary"])) == [
        "Contoso x Northwind demo",
        "Discovery call with Fabrikam",
        "Fabrikam trade show",
        "Hold: partner call",
    ]


def test_the_list_is_read_once_per_mailbox(graph):
    serve_recorded(graph, REP)
    routine = ra.load_routine(ROUTINE)
    source = microsoft()
    for week in ("2026-W44", "2026-W44"):
        source.read(ra.period_for(routine, week=week), zone=NY)
    lists = [s for s in graph.seen if s.path.endswith("/outlook/masterCategories")]
    assert [s.path for s in lists] == ["/v1.0/users/rep@contoso.example/outlook/masterCategories"]


def test_a_denied_category_list_means_no_colours_and_no_problem(graph):
    serve_recorded(graph, REP, categories=False)  # 403: no MailboxSettings.Read
    routine = ra.load_routine(ROUTINE)
    data = microsoft().read(ra.period_for(routine, week="2026-W44"), zone=NY)
    assert data.problems == ()
    assert {e.color for e in data.events} == {""}
    assert ("Customer", "Demo") in {e.categories for e in data.events}


def test_no_request_for_a_mailbox_without_categories(graph):
    graph.serve(REP, [graph_item(s, n, graph.masters) for n, s in enumerate(WEEK)])
    routine = ra.load_routine(ROUTINE)
    microsoft().read(ra.period_for(routine, week="2026-W45"), zone=NY)
    assert not [s for s in graph.seen if "masterCategories" in s.path]


# --- privacy -----------------------------------------------------------------------------

SECRET = "Counselling"  # the private event's second category; no rule names it


@pytest.mark.parametrize("side", ["microsoft", "ics"])
@pytest.mark.parametrize("audience", ["manager", "owner"])
def test_categories_reach_no_report(graph, tmp_path, side, audience):
    """Categories are content: no format shows them (a private event's least of all)."""
    serve_recorded(graph, REP)
    routine = tmp_path / "rep.yaml"  # a rep who shares titles: still no categories
    routine.write_text(ROUTINE.read_text() + "share_titles: true\n")
    calendar = (
        ["--source", "microsoft", "--source-option", f"user={REP}"]
        if side == "microsoft"
        else ["--ics", str(ICS)]
    )
    common = [*calendar, "--routine", str(routine), "--rules", str(RULES), "--week", "2026-W44"]
    common += ["--audience", audience]
    outputs = []
    for fmt in ("table", "markdown", "json", "csv", "html"):
        result = runner.invoke(app, ["audit", *common, "--format", fmt])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    for fmt in ("table", "csv", "json"):
        result = runner.invoke(app, ["events", *common, "--format", fmt])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert not [o for o in outputs if SECRET in o]
    if audience == "manager":
        assert not [o for o in outputs if "Therapy" in o]  # the private event's title
        assert any("Contoso x Northwind demo" in o for o in outputs)  # shared titles
    assert '"categories":' not in json.dumps(json.loads(outputs[2]))  # no such field
