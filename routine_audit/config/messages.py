"""Validation problems in our words: pydantic's errors become one ``ConfigError`` each,
located by field path and line, worded by the table below (never "Input should be...")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError, ConfigFileError
from .yaml_source import PathKey, YamlDocument, format_key

Error = dict[str, Any]  # one of pydantic's ValidationError.errors()


def _count(n: int, key: PathKey) -> str:
    noun = _SINGULAR.get(str(key[-1]) if key else "", "item")
    return f"{_NUMBERS.get(n, str(n))} {noun}" + ("" if n == 1 else "s")


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)  # 0.0 -> 0


_SINGULAR = {"reps": "rep", "rules": "rule", "commitments": "commitment", "limits": "limit"}
_NUMBERS = {1: "one", 2: "two", 3: "three"}

_LIST = "expected a list, e.g. [a, b]"
_MAPPING = "expected a mapping (key: value lines)"
_TEXT = "expected text"
_WHOLE = "expected a whole number"
_NUMBER = "expected a number"
_BOOL = "expected true or false"
_DATE = "expected a date, YYYY-MM-DD"

# pydantic error type -> our wording (from the error's context and its field path)
MESSAGES: dict[str, Callable[[dict[str, Any], PathKey], str]] = {
    "missing": lambda ctx, key: "required field is missing",
    "extra_forbidden": lambda ctx, key: (
        f"unknown field {format_key(key[-1:])!r}; check its spelling"
    ),
    "too_short": lambda ctx, key: f"list at least {_count(ctx['min_length'], key)}",
    "too_long": lambda ctx, key: f"list at most {_count(ctx['max_length'], key)}",
    "value_error": lambda ctx, key: str(ctx["error"]),
    "assertion_error": lambda ctx, key: str(ctx["error"]),
    "literal_error": lambda ctx, key: f"expected {ctx['expected']}",
    "enum": lambda ctx, key: f"expected {ctx['expected']}",
    "greater_than": lambda ctx, key: f"must be more than {_number(ctx['gt'])}",
    "greater_than_equal": lambda ctx, key: f"must be {_number(ctx['ge'])} or more",
    "less_than": lambda ctx, key: f"must be less than {_number(ctx['lt'])}",
    "less_than_equal": lambda ctx, key: f"must be {_number(ctx['le'])} or less",
    "string_type": lambda ctx, key: _TEXT,
    "string_too_short": lambda ctx, key: "must not be empty",
    "int_type": lambda ctx, key: _WHOLE,
    "int_parsing": lambda ctx, key: _WHOLE,
    "int_from_float": lambda ctx, key: _WHOLE,
    "float_type": lambda ctx, key: _NUMBER,
    "float_parsing": lambda ctx, key: _NUMBER,
    "finite_number": lambda ctx, key: "expected a finite number",
    "bool_type": lambda ctx, key: _BOOL,
    "bool_parsing": lambda ctx, key: _BOOL,
    "list_type": lambda ctx, key: _LIST,
    "tuple_type": lambda ctx, key: _LIST,
    "dict_type": lambda ctx, key: _MAPPING,
    "model_type": lambda ctx, key: _MAPPING,
    "model_attributes_type": lambda ctx, key: _MAPPING,
    "date_type": lambda ctx, key: _DATE,
    "date_parsing": lambda ctx, key: _DATE,
    "date_from_datetime_parsing": lambda ctx, key: _DATE,
    "date_from_datetime_inexact": lambda ctx, key: _DATE,
}

# a union's members appear in the error's location as tags ('str', 'list[str]'): the
# field then gets one problem naming what it accepts
_UNION_MEMBERS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "list[str]": "a list of texts",
    "tuple[str, ...]": "a list of texts",
    "dict[str, any]": "a mapping",
    "none": "nothing",
}


def config_problems(document: YamlDocument, exc: ValidationError) -> ConfigFileError:
    """Every validation problem of ``document``, one per field, in our words; a misspelt
    field first (it is usually the cause of the "missing" problem that comes with it)."""
    return ConfigFileError(
        [ConfigError(message, where=document.where(key)) for key, message in field_problems(exc)]
    )


def field_problems(exc: ValidationError) -> list[tuple[PathKey, str]]:
    """(field path, our words) of each problem, one per field, a misspelt field first."""
    errors = exc.errors()
    problems: dict[PathKey, str] = {}
    unions: dict[PathKey, list[str]] = {}
    for error in errors:
        key, member = _split(error["loc"])
        if member is not None:
            unions.setdefault(key, []).append(member)
            problems.setdefault(key, "")  # worded below, in this place of the order
        elif not (error["type"] == "too_short" and _has_item_problems(key, errors)):
            problems.setdefault(key, _message(error, key))
    for key, members in unions.items():
        accepted = [_UNION_MEMBERS.get(m.lower(), m) for m in dict.fromkeys(members)]
        problems[key] = problems[key] or f"expected {' or '.join(accepted)}"
    ordered = sorted(problems, key=lambda k: not problems[k].startswith("unknown field"))
    return [(k, problems[k]) for k in ordered]


def _message(error: Error, key: PathKey) -> str:
    word = MESSAGES.get(error["type"])
    if word is None:  # a type the table does not know yet: pydantic's text, still one line
        return str(error["msg"]).removeprefix("Value error, ")
    return word(error.get("ctx") or {}, key)


def _split(loc: tuple[str | int, ...]) -> tuple[PathKey, str | None]:
    """The field path, and the union member the error is about (None outside unions)."""
    key: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue  # a validator's wrapper, not a place in the file
        if _is_member(part):
            return tuple(key), str(part)
        key.append(part)
    return tuple(key), None


def _is_member(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part.lower() in _UNION_MEMBERS)


def _has_item_problems(key: PathKey, errors: list[Error]) -> bool:
    """True when items of the list at ``key`` have problems of their own: pydantic then
    also says the list is too short (it counts only the valid items); that is noise."""
    depth = len(key)
    return any(
        len(loc) > depth and _split(loc)[0][:depth] == key for loc in (e["loc"] for e in errors)
    )
