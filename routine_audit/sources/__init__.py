"""Calendar sources, registered by name and imported only when used.

A source is one class (see ``base.Source``) and one entry here: code registers it
with ``register_source("name", "module:Class")``; a separate package declares it
in the ``routine_audit.sources`` entry-point group::

    [project.entry-points."routine_audit.sources"]
    caldav = "my_package.caldav:CalDavSource"

Entry points are read only when a name is not registered already, and a
source's module is imported only when that source is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from ..errors import UsageError
from .base import SharedCredentials, Source, SourceContext, SourceSettings

ENTRY_POINT_GROUP = "routine_audit.sources"

# name -> "module:Class"; importing routine_audit never pays for a source's libraries
REGISTRY: dict[str, str] = {
    "ics": "routine_audit.sources.ics:IcsSource",
    "google": "routine_audit.sources.google:GoogleSource",
    "microsoft": "routine_audit.sources.microsoft:MicrosoftSource",
    "caldav": "routine_audit.sources.caldav:CalDavSource",
}
_CLASSES: dict[str, type[Source]] = {}
_entry_points_read = False


def register_source(name: str, target: str) -> None:
    """Register the source class ``target`` ("module:Class") as ``name`` (replacing any
    source of that name; imported when first used)."""
    if ":" not in target:
        raise ValueError(f"expected 'module:Class', got {target!r}")
    REGISTRY[name] = target
    _CLASSES.pop(name, None)


def source_names() -> list[str]:
    """Every registered source's name, plug-ins' included."""
    _read_entry_points()
    return sorted(REGISTRY)


def source_class(name: str) -> type[Source]:
    """The class registered as ``name``, imported now (a UsageError if none is)."""
    found = _CLASSES.get(name)
    if found is not None:
        return found
    if name not in REGISTRY:
        _read_entry_points()
    target = REGISTRY.get(name)
    if target is None:
        raise UsageError(
            f"no calendar source is named {name!r}",
            hint=f"use one of {', '.join(source_names())}, or install the plug-in that adds it",
        )
    module_name, class_name = target.split(":", 1)
    try:
        found = getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise UsageError(
            f"the calendar source {name!r} ({target}) could not be loaded: {exc}",
            hint="reinstall the package that provides it",
        ) from None
    if not (isinstance(found, type) and issubclass(found, Source)):
        raise UsageError(f"the calendar source {name!r} ({target}) is not a Source class")
    _CLASSES[name] = found
    return found


def source_settings(name: str, values: Mapping[str, Any]) -> SourceSettings:
    """``values`` validated by the settings model of the source ``name`` (pydantic's
    ValidationError when they do not fit: callers word it for their place)."""
    return source_class(name).Settings.model_validate(dict(values))


def open_configured(name: str, settings: SourceSettings, context: SourceContext) -> Source:
    """The source ``name`` opened from its validated settings."""
    return source_class(name).open(settings, context)


def open_source(name: str, *args: Any, **kwargs: Any) -> Source:
    """Construct the source registered as ``name`` directly (the library's short way)."""
    return source_class(name)(*args, **kwargs)


def _read_entry_points() -> None:
    """Add the plug-ins' sources (once); a name registered in code wins."""
    global _entry_points_read
    if _entry_points_read:
        return
    _entry_points_read = True
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        REGISTRY.setdefault(point.name, point.value)


__all__ = [
    "ENTRY_POINT_GROUP",
    "REGISTRY",
    "SharedCredentials",
    "Source",
    "SourceContext",
    "SourceSettings",
    "open_configured",
    "open_source",
    "register_source",
    "source_class",
    "source_names",
    "source_settings",
]
