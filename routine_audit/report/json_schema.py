"""The JSON report's schema, with its enums read from the tables they come from.

``data/report.schema.json`` is the schema as shipped, for readers of the reports; its
finding-kind enum is the table of finding kinds (routine_audit/finding_kinds.py) and its
unit enum the table of units (routine_audit/unit_kinds.py), the plan's outcomes and
sources survival.OUTCOMES and survival.SOURCES. ``report_schema`` fills them
from the tables, so a kind or unit added to a table is valid at once; ``schema_problems``
says where the shipped file lags behind (a test keeps it in step).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .. import finding_kinds, survival, unit_kinds
from .json_report import SCHEMA_FILE

# where each table's names stand in the schema, as a path of keys
_ENUMS = {
    "finding kinds": ("$defs", "finding", "properties", "kind", "enum"),
    "units": ("$defs", "commitment", "properties", "unit", "enum"),
    "plan outcomes": ("$defs", "plan_block", "properties", "outcome", "enum"),
    "plan sources": ("$defs", "plan", "properties", "source", "enum"),
}


def shipped_schema() -> dict[str, Any]:
    """``data/report.schema.json`` as shipped."""
    text = (resources.files("routine_audit") / "data" / SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def table_enums() -> dict[str, list[str]]:
    """Each enum as its table lists it."""
    return {
        "finding kinds": list(finding_kinds.KINDS),
        "units": list(unit_kinds.UNITS),
        "plan outcomes": list(survival.OUTCOMES),
        "plan sources": list(survival.SOURCES),
    }


def report_schema() -> dict[str, Any]:
    """The JSON report's schema, its enums from the tables."""
    schema = shipped_schema()
    for name, names in table_enums().items():
        *path, last = _ENUMS[name]
        _at(schema, path)[last] = names
    return schema


def schema_problems() -> list[str]:
    """Where the shipped schema's enums differ from the tables (empty: in step)."""
    shipped = shipped_schema()
    problems = []
    for name, names in table_enums().items():
        *path, last = _ENUMS[name]
        listed = _at(shipped, path).get(last)
        if listed != names:
            problems.append(
                f"{SCHEMA_FILE} lists {name} {listed}, the table {names}: "
                f"copy the table's names, in its order"
            )
    return problems


def _at(schema: dict[str, Any], path: list[str]) -> dict[str, Any]:
    for key in path:
        schema = schema[key]
    return schema
