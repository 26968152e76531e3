"""Report formats: small renderers, registered by name and imported only when used.

Every renderer is a function ``render(reports, options) -> str`` that takes
audience-filtered ``RepReport`` views (never raw calendar data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module

from .view import Audience, RepReport, build_report

# format name -> "module:function"
RENDERERS: dict[str, str] = {
    "table": "routine_audit.report.terminal:render",
    "markdown": "routine_audit.report.markdown:render",
    "json": "routine_audit.report.json_report:render",
    "csv": "routine_audit.report.csv_report:render",
    "html": "routine_audit.report.html:render",
}
# the `events` command's formats: one row per occurrence
EVENT_RENDERERS: dict[str, str] = {
    "table": "routine_audit.report.events:render_table",
    "csv": "routine_audit.report.events:render_csv",
    "json": "routine_audit.report.events:render_json",
}


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours (terminal report on a terminal)
    width: int = 110  # terminal report width


def render(
    reports: RepReport | Sequence[RepReport],
    fmt: str = "table",
    options: RenderOptions | None = None,
) -> str:
    """Render one or more rep reports in ``fmt`` (table, markdown, json or csv)."""
    return _call(RENDERERS, fmt, reports, options)


def render_events(
    reports: RepReport | Sequence[RepReport],
    fmt: str = "table",
    options: RenderOptions | None = None,
) -> str:
    """One row per occurrence, with its activity, rule and counting reason."""
    return _call(EVENT_RENDERERS, fmt, reports, options)


def _call(registry, fmt, reports, options) -> str:
    if fmt not in registry:
        known = ", ".join(registry)
        raise ValueError(f"unknown format {fmt!r}; choose one of {known}")
    module_name, function = registry[fmt].split(":")
    renderer = getattr(import_module(module_name), function)
    if isinstance(reports, RepReport):
        reports = [reports]
    return renderer(list(reports), options or RenderOptions())


__all__ = [
    "EVENT_RENDERERS",
    "RENDERERS",
    "Audience",
    "RenderOptions",
    "RepReport",
    "build_report",
    "render",
    "render_events",
]
