"""The documentation stays true: rule reference vs schema, README commands and example."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from conftest import registered_commands
from pydantic import BaseModel

from routine_audit.config import schema, team
from routine_audit.config.load import package_data
from routine_audit.sources.google import GoogleSettings
from routine_audit.sources.ics import IcsSettings
from routine_audit.sources.microsoft import MicrosoftSettings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
RULES_DOC = (ROOT / "docs" / "rules.md").read_text()
MODELS = [
    schema.Routine,
    schema.Rep,
    schema.Commitment,
    schema.Window,
    schema.Limit,
    schema.Health,
    schema.RuleSet,
    schema.Rule,
    schema.Match,
    team.TeamFile,
    team.Member,
    team.CalendarRef,
    team.Person,
    team.GoogleAccess,
    team.MicrosoftAccess,
    team.MailSection,
    # each source's settings: what a team file's calendar entry holds (issue 18)
    IcsSettings,
    GoogleSettings,
    MicrosoftSettings,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_schema_field_is_documented(model: type[BaseModel]):
    missing = [
        name
        for name, field in model.model_fields.items()
        if not any(
            f"`{key}`" in RULES_DOC or f".{key}`" in RULES_DOC for key in (name, field.alias)
        )
    ]
    assert not missing, f"docs/rules.md does not mention {missing}"


def test_every_schema_field_has_a_description():
    for model in MODELS:
        for name, field in model.model_fields.items():
            if name not in ("kind", "version"):
                assert field.description, f"{model.__name__}.{name} has no description"


def test_readme_has_the_two_commands_and_ci_runs_the_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    demo = next(b for b in blocks if "routine-audit demo" in b)
    tests = next(b for b in blocks if "pytest" in b)
    assert "pip install" in demo and "pip install" in tests
    assert tests in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_in_the_readme():
    """Walked from the app, so a new command or subcommand is checked without a hand list."""
    shown = [" ".join(("routine-audit", *path)) for path, _ in registered_commands()]
    missing = [name for name in shown if not re.search(re.escape(name) + r"(?![\w-])", README)]
    assert not missing, f"README.md never shows {missing}"


def test_the_quick_loop_leaves_out_the_slow_marker_and_ci_runs_everything():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    quick = next(b for b in blocks if "pytest" in b and "not slow" in b)
    assert quick.endswith('python -m pytest -m "not slow"')
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "--strict-markers" in options["ini_options"]["addopts"]  # a typo'd mark fails
    assert any(m.startswith("slow:") for m in options["ini_options"]["markers"])
    ci = (ROOT / ".ci" / "run").read_text()
    assert "not slow" not in ci and "python -m pytest\n" in ci


def test_readme_python_example_runs():
    code = re.search(r"```python\n(.*?)\n```", README, re.DOTALL).group(1)
    sample = package_data("sample")
    code = code.replace('"my-rules/routine.yaml"', repr(str(sample / "dana.yaml")))
    code = code.replace('"calendar.ics"', repr(str(sample / "dana.ics")))
    code = code.replace("print(", "str(")
    exec(compile(code, "README.md", "exec"), {})


def test_exit_codes_in_readme_match_the_code():
    from routine_audit.errors import ExitCode

    for code in (ExitCode.OK, ExitCode.PARTIAL, ExitCode.USAGE):
        assert f"| {int(code)} |" in README


def test_readme_team_file_example_is_valid(tmp_path):
    from routine_audit.config.load import read_yaml

    text = re.search(r"```yaml\n(kind: team.*?)\n```", README, re.DOTALL).group(1)
    example = tmp_path / "team.yaml"
    example.write_text(text)
    document = read_yaml(example)
    team.TeamFile.model_validate(document.data)


def test_the_docs_name_only_modules_and_tables_that_exist():
    """Found reviewing issue 19: docs/audit.md still named ``units.ACTIVITY_WORDS`` after
    ``units.py`` became ``wording.py``. Every module file the README and docs/ name (in
    backquotes, e.g. ``team/pages.py``) exists, and every ``module.TABLE`` they name is
    that module's."""
    import importlib

    package = ROOT / "routine_audit"
    modules = {path.stem: path for path in package.rglob("*.py")}
    texts = [README, *(path.read_text() for path in sorted((ROOT / "docs").glob("*.md")))]
    missing = []
    for text in texts:
        for name in re.findall(r"`((?:routine_audit/)?[a-z_]+(?:/[a-z_]+)*\.py)`", text):
            if not any((base / name).is_file() for base in (ROOT, package)):
                missing.append(name)
        for module, table in re.findall(r"`([a-z_]+)\.([A-Z][A-Z_]+)`", text):
            path = modules.get(module)
            if path is None:
                missing.append(f"{module}.{table}")
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if not hasattr(importlib.import_module(dotted), table):
                missing.append(f"{module}.{table}")
    assert missing == []
