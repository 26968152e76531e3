"""Read YAML and remember the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, Location

PathKey = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Plain data from one YAML file plus a map from field paths to line numbers."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, key: PathKey) -> int | None:
        """The line of ``key``, or of its nearest ancestor that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get(())

    def where(self, key: PathKey) -> Location:
        return Location(self.path, format_key(key) or None, self.line_of(key))


def format_key(key: PathKey) -> str:
    """``commitments[2].target`` from ``("commitments", 2, "target")``."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster


def read_yaml(path: Path) -> YamlDocument:
    """Parse ``path``; a missing or malformed file is a ``ConfigError`` naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", where=Location(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, expected a YAML file", where=Location(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", where=Location(path)) from None
    try:
        node, data = _parse(text)
    except ValueError as exc:  # PyYAML builds dates with datetime: 2026-02-30 raises here
        raise ConfigError(
            f"not valid YAML: {exc}",
            where=Location(path),
            hint="dates are YYYY-MM-DD and must exist",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"not valid YAML: {problem}",
            where=Location(path, line=line),
            hint="check the indentation and quoting on that line",
        ) from None
    lines: dict[PathKey, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return YamlDocument(path, data, lines)


def _parse(text: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = _LOADER(text)  # a safe loader (C or Python)
    try:
        node = loader.get_single_node()
        return node, (None if node is None else loader.construct_document(node))
    finally:
        loader.dispose()


def _collect_lines(node: yaml.Node, key: PathKey, lines: dict[PathKey, int]) -> None:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key, key_node.value)
            _collect_lines(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*key, index), lines)
