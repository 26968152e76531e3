"""A source opened from ``KEY=VALUE`` pairs: what the CLI's ``--source NAME
--source-option KEY=VALUE`` give. The parsing has no Typer in it, so it stays in the
library; its errors name the pairs `source_option`, and the CLI writes its flag."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import UsageError
from . import source_class
from .base import Source, SourceContext, SourceSettings


def option_values(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as settings values; a key given twice gives a list."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not equals or not key:
            raise UsageError(
                f"`source_option` {pair!r} is not KEY=VALUE",
                hint="e.g. `source_option` id=primary",
                names=("source_option",),
            )
        if key in values:
            held = values[key]
            values[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            values[key] = value
    return values


def settings_from_options(name: str, values: Mapping[str, Any]) -> SourceSettings:
    """The source's settings model over ``values``; a problem names the option."""
    from ..config.messages import field_problems

    kind = source_class(name)
    try:
        return kind.Settings.model_validate(dict(values))
    except ValidationError as exc:
        key, message = field_problems(exc)[0]
        option = str(key[0]) if key else ""
        # a field typed None is one the source refuses (caldav's password): not offered
        taken = kind.Settings.model_fields.items()
        fields = ", ".join(k for k, f in taken if f.annotation is not type(None)) or "no options"
        raise UsageError(
            f"`source_option` {option}: {message}",
            hint=f"the {name} source takes {fields}",
            names=("source_option",),
        ) from None


def open_from_options(name: str, values: Mapping[str, Any]) -> Source:
    """The source ``name`` with these settings, paths as given (the working directory)."""
    settings = settings_from_options(name, values)
    return source_class(name).open(settings, SourceContext())


def calendars_from_options(
    name: str, values: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], str]:
    """The calendars the source ``name`` can read with these settings, and the line to
    say instead when there are none (else ``""``)."""
    settings = settings_from_options(name, values)
    kind = source_class(name)
    found = kind.calendars(settings, SourceContext())
    return found, "" if found else kind.no_calendars(settings)
