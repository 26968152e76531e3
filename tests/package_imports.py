"""What each module of the package imports, read from its source (the layering tests)."""

from __future__ import annotations

import ast
from pathlib import Path

import routine_audit

PACKAGE = Path(routine_audit.__file__).parent


def module_of(file: Path) -> tuple[str, list[str]]:
    """The dotted name of ``file`` and the parts of the package its relative imports start
    from."""
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), parts[:-1]
    return ".".join(parts), parts[:-1]


def import_statements(file: Path) -> list[tuple[str, str | None]]:
    """(module, name) for each ``from module import name`` and (module, None) for each
    ``import module`` in ``file``: at the top, under TYPE_CHECKING and inside functions
    alike, relative imports made absolute."""
    _, package = module_of(file)
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            found += [(target, alias.name) for alias in node.names]
    return found
