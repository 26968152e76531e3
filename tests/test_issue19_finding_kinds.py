"""Issue 19, point 2: finding kinds as one table (routine_audit/finding_kinds.py).

Adding a finding kind is one table entry plus its detection code: a toy kind registered
in the table, and a toy finding made by the engine, show in every renderer (terminal,
Markdown, HTML with its calendar mark, JSON), pass the report's schema, and are flagged
by the schema-file and docs checks until they are written down there. The shipped
schema's enum and docs/audit.md's findings table are checked against the table; an
unknown kind fails loudly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import routine_audit as ra
from routine_audit import finding_kinds
from routine_audit.config import package_data
from routine_audit.demo import SAMPLE_WEEK
from routine_audit.finding_kinds import (
    AUDIENCES,
    DETAIL,
    KINDS,
    MARKS,
    READINGS,
    ROLES,
    FindingKind,
    Marks,
    UnknownFindingKindError,
    by_rank,
    finding_kind,
)
from routine_audit.report import svg
from routine_audit.report.coaching import QUESTIONS, questions_for
from routine_audit.report.html import MARKED_FINDINGS, ROLE_TEXT
from routine_audit.report.json_schema import report_schema, schema_problems, shipped_schema
from routine_audit.report.text import KIND_TITLES, kind_title
from routine_audit.result import Finding

AUDIT_DOC = (Path(__file__).parent.parent / "docs" / "audit.md").read_text()
SAMPLE = package_data("sample")
TOY = FindingKind(
    "toy_gap",
    len(KINDS),  # the least pressing
    "Toy gap",
    ("Which toy took the time planned for {activity}?",),
    DETAIL,
    marks=Marks("limit", None, evidence_role="limit"),
    questions_by_audience={"manager": ("What does the manager ask about the toy?",)},
)
TOY_DETAIL = "a toy detail, found by the toy detection code"


# -- the checks: the docs and the shipped schema against the table ---------------------


def docs_problems(text: str) -> list[str]:
    """Where docs/audit.md's findings table and rank list differ from the table."""
    table = re.search(
        r"## Findings\n(?:.*\n)*?\| kind \| when \|\n\|[-|]+\|\n((?:\|.*\|\n)+)", text
    )
    assert table, "docs/audit.md has no findings table"
    documented = re.findall(r"^\| `(\w+)` \|", table.group(1), re.MULTILINE)
    problems = []
    if documented != list(KINDS):
        problems.append(f"the findings table lists {documented}, the table {list(KINDS)}")
    ranks = re.search(r"Each kind has a rank \([^)]*\):\s*(.*?)\. A story", text, re.DOTALL)
    assert ranks, "docs/audit.md does not list the ranks"
    ranked = [name.strip() for name in ranks.group(1).split(",")]
    if ranked != [kind.name for kind in by_rank()]:
        problems.append(f"the ranks read {ranked}, the table {[k.name for k in by_rank()]}")
    return problems


def test_the_docs_list_every_kind_in_the_tables_order_and_rank():
    assert docs_problems(AUDIT_DOC) == []


def test_the_shipped_schema_lists_every_kind_in_the_tables_order():
    assert schema_problems() == []
    kinds = shipped_schema()["$defs"]["finding"]["properties"]["kind"]["enum"]
    assert kinds == list(KINDS)
    assert report_schema()["$defs"]["finding"]["properties"]["kind"]["enum"] == list(KINDS)


# -- the table ---------------------------------------------------------------------------


def test_every_entry_is_complete():
    assert finding_kinds.table_problems() == []
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.title and kind.reads in READINGS
        for audience in AUDIENCES:
            assert kind.questions_for(audience), (name, audience)
        for mark in (kind.marks.evidence, kind.marks.obstacles):
            assert mark is None or (mark in MARKS and mark in svg.MARK_STYLES)
        assert kind.marks.evidence_role in ROLES and kind.marks.evidence_role in ROLE_TEXT
    assert set(ROLE_TEXT) == set(ROLES)


def test_the_old_names_read_the_table():
    # report/text.py, report/coaching.py and report/html.py kept their names
    assert list(KIND_TITLES) == [kind.name for kind in by_rank()]
    assert KIND_TITLES["protected_overlap"] == "Personal priority overlapped"
    assert set(QUESTIONS) == set(KINDS)
    assert dict(MARKED_FINDINGS) == {
        "protected_overlap": ("displaced", "obstacle"),
        "limit_broken": ("limit", None),
        "displaced": ("displaced", "obstacle"),
        "unanswered_invitation": ("obstacle", None),  # issue 20: the week ahead's own kind
    }


def test_an_unknown_kind_fails_loudly():
    with pytest.raises(UnknownFindingKindError, match="unknown finding kind 'made_up'"):
        finding_kind("made_up")
    with pytest.raises(UnknownFindingKindError):
        kind_title("made_up")  # once "Made up": a default, never again
    with pytest.raises(UnknownFindingKindError):
        questions_for("made_up", "prospecting")  # once no questions, silently
    with pytest.raises(ValueError, match="reads 'sideways'"):
        FindingKind("bad", 99, "Bad", ("Why?",), "sideways")
    with pytest.raises(ValueError, match="mark 'glow' is not in MARKS"):
        FindingKind("bad", 99, "Bad", ("Why?",), DETAIL, marks=Marks("glow"))
    with pytest.raises(ValueError, match="no questions"):
        FindingKind("bad", 99, "Bad", (), DETAIL)


def test_a_finding_of_an_unknown_kind_fails_the_report_loudly(monkeypatch):
    _detect_toy(monkeypatch)  # the engine makes it; the table does not hold it
    result = _audit_dana()
    with pytest.raises(UnknownFindingKindError, match="'toy_gap'"):
        ra.build_report(result, "manager")


# -- a toy kind: one entry plus its detection code ----------------------------------------


def _detect_toy(monkeypatch) -> None:
    """The toy kind's detection code: one finding about the week's first counted event."""
    from routine_audit.engine import audit as engine_audit

    health = engine_audit.health

    def health_and_toy(context):
        figures, findings = health(context)
        first = int(context.segments["occ"][0])
        toy = Finding("toy_gap", None, None, TOY_DETAIL, (context.evidence(first, 60),))
        return figures, [*findings, toy]

    monkeypatch.setattr(engine_audit, "health", health_and_toy)


def _audit_dana():
    routine = ra.load_routine(SAMPLE / "dana.yaml")
    period = ra.period_for(routine, week=SAMPLE_WEEK)
    data = ra.load_events(SAMPLE / "dana.ics", period, zone=routine.zone)
    return ra.audit(data, routine, ra.rules_for(routine), period)


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(KINDS, TOY.name, TOY)
    _detect_toy(monkeypatch)
    return _audit_dana()


def test_a_toy_kind_shows_in_every_renderer(toy):
    assert [f.kind for f in toy.finding_objects].count("toy_gap") == 1
    owner, manager = ra.build_report(toy, "owner"), ra.build_report(toy, "manager")

    terminal = ra.render(owner, "table")
    assert "Toy gap (1)" in terminal
    assert f"Toy gap: {TOY_DETAIL}" in terminal

    markdown = ra.render(owner, "markdown")
    assert TOY_DETAIL in markdown and "Toy gap" in markdown
    assert "Which toy took the time planned for this commitment?" in markdown
    # the manager is asked the manager's question
    manager_markdown = ra.render(manager, "markdown")
    assert "What does the manager ask about the toy?" in manager_markdown
    assert "Which toy took the time" not in manager_markdown

    html = ra.render(owner, "html")
    assert TOY_DETAIL in html
    # its evidence row takes the entry's role, and the calendar marks its block as it says
    assert '<td>Toy gap</td><td class="role-limit">broke the limit</td>' in html
    marked = [
        classes.split()
        for classes, tooltip in re.findall(r'<g class="([^"]*)"[^>]*><title>([^<]*)</title>', html)
        if TOY_DETAIL in tooltip
    ]
    assert marked and all("limit" in classes for classes in marked)

    (rep,) = json.loads(ra.render(manager, "json"))["reps"].values()
    (found,) = [f for f in rep["findings"] if f["kind"] == "toy_gap"]
    assert found["detail"] == TOY_DETAIL
    assert found["questions"] == ["What does the manager ask about the toy?"]
    assert any(s["text"] == f"Toy gap: {TOY_DETAIL}" for s in rep["stories"])


def test_a_toy_kind_passes_the_schema_and_is_flagged_until_written_down(toy):
    document = json.loads(ra.render(ra.build_report(toy, "owner"), "json"))
    errors = list(Draft202012Validator(report_schema()).iter_errors(document))
    assert errors == []
    # the shipped file and the docs lag behind the table until the kind is written down
    (lag,) = schema_problems()
    assert "toy_gap" in lag
    assert any("toy_gap" in problem for problem in docs_problems(AUDIT_DOC))
    documented = AUDIT_DOC.replace(
        "\n\nA `protected_overlap` for a block",
        "\n| `toy_gap` | a toy gap |\n\nA `protected_overlap` for a block",
    ).replace("reactive_booking, fragmentation.", "reactive_booking, fragmentation, toy_gap.")
    assert docs_problems(documented) == []
