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

import routine_audit as ra
from routine_audit.errors import UsageError

PACKAGE = Path(ra.__file__).parent


def _module(file: Path) -> tuple[str, list[str]]:
    """The dotted name of ``file`` and of the package its relative imports start from."""
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), parts[:-1]
    return ".".join(parts), parts[:-1]


def _imports(file: Path) -> list[tuple[str, str]]:
    """(module, name) for each ``from X import name`` of this package in ``file``."""
    _, package = _module(file)
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "routine_audit":
                found += [(target, alias.name) for alias in node.names]
    return found


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
    from routine_audit.sources import ics_window

    assert not hasattr(report, "FILE_SUFFIXES") and not hasattr(ics_window, "_blocks")


def _history(folder: Path) -> object:
    from routine_audit.history import History

    return History(folder / "history.sqlite")
