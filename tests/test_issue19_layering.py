"""Issue 19, point 5: layering and names (behaviour does not change).

Read from the package's own source: which module imports what, and the errors the
library raises when used without the command line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from package_imports import PACKAGE, import_statements, module_of

import routine_audit as ra
from routine_audit.errors import UsageError


def _imports(file: Path) -> list[tuple[str, str]]:
    """(module, name) for each ``from X import name`` of this package in ``file``."""
    return [
        (target, name)
        for target, name in import_statements(file)
        if name is not None and target.split(".")[0] == "routine_audit"
    ]


FILES = sorted(PACKAGE.rglob("*.py"))


def test_no_module_imports_another_modules_private_names():
    private = [
        f"{file.relative_to(PACKAGE)}: {target}.{name}"
        for file in FILES
        for target, name in _imports(file)
        if name.startswith("_") and not name.startswith("__")  # __version__ is public
    ]
    assert private == []  # today: health <- findings._evidence, team_frame <- audit._audit_*


def test_history_does_not_import_the_report_layer():
    imported = [target for target, _ in _imports(PACKAGE / "history.py")]
    assert not [t for t in imported if t.startswith("routine_audit.report")]
    # and at run time: reading the history loads no renderer or report view
    code = "import sys, routine_audit.history; print(any(m.startswith('routine_audit.report') for m in sys.modules))"  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_trend_point_lives_with_the_results_and_keeps_its_old_name():
    from routine_audit.report.view import TrendPoint as OldTrendPoint
    from routine_audit.result import TrendPoint

    assert OldTrendPoint is TrendPoint and TrendPoint.__module__ == "routine_audit.result"


def test_config_loading_and_the_team_model_import_no_cycle():
    team_imports = {target for target, _ in _imports(PACKAGE / "config" / "team.py")}
    assert "routine_audit.config.load" not in team_imports  # load imports team, not back


@pytest.mark.parametrize(
    ("call", "library", "flagged"),
    [
        (lambda tmp: _history(tmp).trend("a@x.com", weeks=0), "`weeks`", "--weeks"),
        (lambda tmp: _period(week="soon"), "`week` 'soon'", "--week 'soon'"),
        (lambda tmp: _period(start="2026-11-02"), "`start` and `end`", "--start and --end"),
        (lambda tmp: _period(week="last", start="2026-11-02"), "`week` or", "--week or"),
        (lambda tmp: _period(start="x", end="2026-11-02"), "`start` 'x'", "--start 'x'"),
    ],
)
def test_library_errors_name_parameters_and_the_cli_names_flags(call, library, flagged, tmp_path):
    with pytest.raises(UsageError) as caught:
        call(tmp_path)
    assert "--" not in str(caught.value) and library in str(caught.value)
    # what the command line shows instead (cli.user_errors): the same line, with flags
    assert flagged in caught.value.with_flags(lambda name: f"--{name}").one_line()


def _period(**options: str) -> object:
    from zoneinfo import ZoneInfo

    from routine_audit.period import choose_period

    return choose_period(ZoneInfo("UTC"), **options)


def test_dead_code_is_gone():
    from routine_audit import report
    from routine_audit.engine.finding_columns import FindingParts
    from routine_audit.sources import ics_prefilter

    assert not hasattr(report, "FILE_SUFFIXES") and not hasattr(ics_prefilter, "_blocks")
    # counted the findings: FindingSequence knows their number (FindingParts.count)
    assert "__len__" not in vars(FindingParts)


def _history(folder: Path) -> object:
    from routine_audit.history import History

    return History(folder / "history.sqlite")


def _module_imports(file: Path) -> set[str]:
    """The package's modules ``file`` imports (``from X import name`` counts as X.name
    where that is a module). The package ``__init__`` that Python runs before a submodule
    is not counted as an edge."""
    name, _ = module_of(file)
    found = {
        f"{target}.{imported}" if f"{target}.{imported}" in MODULES else target
        for target, imported in import_statements(file)
    }
    return {target for target in found if target in MODULES and target != name}


MODULES = {module_of(file)[0]: file for file in FILES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_the_packages_modules():
    graph = {name: _module_imports(file) for name, file in MODULES.items()}
    assert graph["routine_audit.report.view"] >= {"routine_audit.report.stories"}  # walks
    assert _cycles(graph) == []  # today: report.stories <-> report.view (TYPE_CHECKING)


def test_the_report_rows_live_apart_and_keep_their_old_home():
    from routine_audit.report import records, view

    for name in ("Block", "FindingView", "CommitmentView", "DailyView", "OccurrenceView"):
        assert getattr(view, name) is getattr(records, name)


def test_the_config_loader_sets_no_private_field_of_a_model():
    """Where a routine or rules file came from (``origin``) and a calendar entry's
    settings (``CalendarRef.of``) are set through the models' own constructors."""
    found = [
        f"{file.relative_to(PACKAGE)}:{node.lineno}"
        for file in sorted((PACKAGE / "config").glob("*.py"))
        for top in ast.parse(file.read_text(encoding="utf-8")).body
        if isinstance(top, ast.FunctionDef)  # module functions, not a class's own methods
        for node in ast.walk(top)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and target.attr.startswith("_")
    ]
    assert found == []  # today: load.py (routine._source, rules._source), team.py


def test_a_loaded_routine_and_rules_know_their_origin(tmp_path):
    from routine_audit.config.load import rules_path_for
    from routine_audit.inputs import BUILTIN, routine_input, rules_input

    (tmp_path / "rules.yaml").write_text(
        "kind: rules\nversion: 1\nrules:\n"
        "  - {name: gym, activity: personal, match: {hashtags: [gym]}}\n"
    )
    (tmp_path / "routine.yaml").write_text(
        "kind: routine\nversion: 1\ntimezone: UTC\nrules: rules.yaml\n"
    )
    routine = ra.load_routine(tmp_path / "routine.yaml")
    assert routine.origin is not None and routine.origin.rules == tmp_path / "rules.yaml"
    assert routine_input(routine).path == str(tmp_path / "routine.yaml")
    assert rules_path_for(routine) == tmp_path / "rules.yaml"
    rules = ra.load_rules(tmp_path / "rules.yaml")
    assert rules.origin == rules_input(rules) and rules.origin.path == str(tmp_path / "rules.yaml")
    assert ra.load_rules().origin.path == BUILTIN
    built = routine.model_copy()  # a copy keeps it; a routine built in Python has none
    assert built.origin == routine.origin
    assert type(routine).model_validate({"timezone": "UTC"}).origin is None


def test_renamed_public_names_keep_their_old_names_as_aliases():
    """`audit_period` returns a period (now `period_for`); `finding_list` holds the
    Finding objects beside the `findings` table (now `finding_objects`)."""
    import routine_audit as ra
    from routine_audit.pipeline import audit_period, period_for

    assert ra.audit_period is ra.period_for is period_for is audit_period
    from conftest import SAMPLE

    routine = ra.load_routine(next(SAMPLE.glob("*.yaml")))
    period = ra.period_for(routine, week="2026-W45")
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-11-02", "2026-11-08")
    result = ra.audit(ra.CalendarData(events=()), routine, ra.rules_for(routine), period)
    assert result.finding_list is result.finding_objects
