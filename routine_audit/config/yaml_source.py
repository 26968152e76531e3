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
        with path.open("rb") as stream:  # at most MAX_BYTES + 1: /dev/zero ends too
            data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ConfigError(
                f"larger than {MAX_BYTES:,} bytes, the most a rule or team file may hold",
                where=Location(path),
                hint="a team file of a thousand reps is about 150 KB; is this the right file?",
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", where=Location(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, expected a YAML file", where=Location(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", where=Location(path)) from None
    try:
        node, data = _parse(text)
    except AliasError as exc:
        raise ConfigError(
            str(exc),
            where=Location(path, line=exc.line),
            hint="write the values out, or use fewer nested aliases",
        ) from None
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


# a rule or team file is a few thousand values at most; aliases may not multiply them past this
MAX_VALUES = 100_000
# and a few KB: PyYAML's node tree takes some 60 times the file's size in memory
MAX_BYTES = 2 * 1024 * 1024


class AliasError(ValueError):
    """Aliases that refer to themselves or expand past ``MAX_VALUES``."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _parse(text: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for line numbers) and its data, from one parse.

    The tree is checked before anything expands its aliases: an alias that refers to
    itself, or aliases that would expand past ``MAX_VALUES`` values (a "billion laughs"
    file), raise ``AliasError``."""
    loader = _LOADER(text)  # a safe loader (C or Python)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """How many values the document holds with every alias expanded, worked out once per
    distinct node (linear in the file, whatever the aliases multiply to)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    # an explicit stack: a deep file must not reach Python's recursion limit
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        children = _children(node)
        if children_done:
            open_nodes.discard(ident)
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > MAX_VALUES:
                raise AliasError(
                    f"aliases expand to more than {MAX_VALUES:,} values",
                    node.start_mark.line + 1,
                )
            sizes[ident] = size
            continue
        if ident in sizes:
            continue
        if ident in open_nodes:
            raise AliasError("an alias refers to the value that contains it", None)
        open_nodes.add(ident)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise AliasError(
                    "an alias refers to the value that contains it", child.start_mark.line + 1
                )
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _collect_lines(node: yaml.Node, key: PathKey, lines: dict[PathKey, int]) -> None:
    """Each field path's line (a mapping value's is its key's line), in file order; a node
    an alias repeats is walked once, at its first place."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, PathKey, int]] = [(node, key, node.start_mark.line + 1)]
    while stack:
        node, key, line = stack.pop()
        lines[key] = line
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = [
                (value, (*key, name.value), name.start_mark.line + 1) for name, value in node.value
            ]
        elif isinstance(node, yaml.SequenceNode):
            children = [
                (item, (*key, index), item.start_mark.line + 1)
                for index, item in enumerate(node.value)
            ]
        else:
            continue
        stack.extend(reversed(children))  # popped in file order
