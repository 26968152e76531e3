"""Which routine and rules an audit used: each file's path and the sha256 of its bytes.

``load_routine`` and ``load_rules`` attach these to the models they return (their
``origin``), so
an audit (and every report of it) can say what it was judged against, and the
rules a routine names can be found from the routine alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import Location

BUILTIN = "builtin"  # the path of the shipped default rules


@dataclass(frozen=True)
class InputFile:
    """A file an audit read: its path as it was opened, and the sha256 of its bytes.

    A routine that ``extends:`` others digests the chain: its own bytes followed by
    those of each file it extends, nearest first (``cat rep.yaml base.yaml | sha256sum``).
    A routine or rule set built in Python, not read from a file, has neither (None).
    """

    path: str | None
    digest: str | None


@dataclass(frozen=True)
class Inputs:
    """The routine and the classification rules one audit used."""

    routine: InputFile
    rules: InputFile


@dataclass(frozen=True)
class RoutineSource:
    """Where a loaded routine came from, and the rules file it names (if any)."""

    file: InputFile
    rules: Path | None = None  # resolved against the file that wrote ``rules:``
    rules_where: Location | None = None  # that ``rules:`` line, for errors


NOT_A_FILE = InputFile(None, None)
NOT_FROM_FILES = Inputs(NOT_A_FILE, NOT_A_FILE)


def file_digest(paths: Iterable[Path]) -> str:
    """sha256 of the files' bytes, one after another."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def routine_input(routine: object) -> InputFile:
    source = getattr(routine, "origin", None)
    return source.file if isinstance(source, RoutineSource) else NOT_A_FILE


def rules_input(rules: object) -> InputFile:
    source = getattr(rules, "origin", None)
    return source if isinstance(source, InputFile) else NOT_A_FILE


def inputs_of(routine: object, rules: object) -> Inputs:
    """What an audit of ``routine`` with ``rules`` is judged against."""
    return Inputs(routine_input(routine), rules_input(rules))


def input_text(item: InputFile, show_path: Callable[[str], str] = str) -> str:
    """``rules.yaml (sha256 1a2b3c4d5e6f)``, for reports: enough of the digest to compare.
    A file shipped in the package (the demo's routines) is named inside it, not by where
    the package happens to be installed."""
    if item.path is None:
        return "not from a file"
    shipped = shipped_name(item.path)
    path = f"{show_path(shipped)}, shipped with routine-audit" if shipped else show_path(item.path)
    return path if item.digest is None else f"{path} (sha256 {item.digest[:12]})"


def shipped_name(path: str) -> str | None:
    """``sample/dana.yaml`` for a file inside the package's ``data`` folder, else None."""
    if path == BUILTIN:
        return None
    try:
        return Path(path).resolve().relative_to(_data_folder()).as_posix()
    except (ValueError, OSError):
        return None


@cache
def _data_folder() -> Path:
    return Path(str(resources.files("routine_audit") / "data")).resolve()
