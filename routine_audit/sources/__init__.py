"""Calendar sources, registered by name and imported only when used."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import Source

# name -> "module:class"; importing routine_audit never pays for a source's libraries
REGISTRY: dict[str, str] = {
    "ics": "routine_audit.sources.ics:IcsSource",
    "google": "routine_audit.sources.google:GoogleSource",
}


def open_source(name: str, *args: Any, **kwargs: Any) -> Source:
    """Construct the source registered as ``name``."""
    module_name, class_name = REGISTRY[name].split(":")
    source_class = getattr(import_module(module_name), class_name)
    return source_class(*args, **kwargs)


__all__ = ["REGISTRY", "Source", "open_source"]
