"""A rep's pages in a team run: one entry per format, each made by the report renderer
registry (``report.RENDERERS``) unless its entry says otherwise.

A new per-rep page is one entry in ``REP_PAGES``: the render stage makes it for every
rep and the write stage writes it as ``<rep><suffix>`` in the run's folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config.team import Team
from ..period import Period
from ..report import render
from ..report.view import RepReport


@dataclass(frozen=True)
class PageFormat:
    """How a rep's page in one format is made, and where it goes."""

    suffix: str | None  # written as ``<rep><suffix>``; None: a piece of a team file
    make: Callable[[RepReport], str] | None = None  # None: the renderer registry's format


def _json_entry(report: RepReport) -> str:
    from ..report import json_report

    return json_report.rep_fragment(report)


def _csv_lines(report: RepReport) -> str:
    from ..report import csv_report

    return csv_report.rep_fragment(report)


def _agenda_part(report: RepReport) -> str:
    from ..report.agenda_view import report_part

    return report_part(report).to_json()


# format -> how it is made; the rep's files are written in this order
REP_PAGES: dict[str, PageFormat] = {
    "html": PageFormat(".html"),
    "markdown": PageFormat(".md"),
    "json": PageFormat(None, _json_entry),  # the rep's entry of team.json
    "csv": PageFormat(None, _csv_lines),  # the rep's lines of team.csv
    "agenda": PageFormat(None, _agenda_part),  # the 1:1 agenda's part (team/agendas.py)
}


@dataclass(frozen=True)
class RepPages:
    """One rep's report view, and its pages by format (``REP_PAGES``) when files are
    written (``pages.html`` reads ``pages.formats["html"]``; "" when not made)."""

    report: RepReport
    formats: Mapping[str, str] = field(default_factory=dict)
    trend: tuple = ()  # the history the pages show

    # the formats every run makes, by their old attribute names
    html = property(lambda self: self.formats.get("html", ""))
    markdown = property(lambda self: self.formats.get("markdown", ""))
    json = property(lambda self: self.formats.get("json", ""))
    csv = property(lambda self: self.formats.get("csv", ""))

    def files(self, folder: Path) -> list[tuple[Path, str]]:
        """The rep's own files (the formats with a suffix), in ``REP_PAGES`` order."""
        stem = rep_file_stem(self.report)
        return [
            (folder / f"{stem}{page.suffix}", self.formats.get(name, ""))
            for name, page in REP_PAGES.items()
            if page.suffix is not None
        ]


def rep_pages(report: RepReport, trend: tuple, *, files: bool) -> RepPages:
    """The rep's pages in every format of ``REP_PAGES`` (none when no files are written)."""
    if not files:
        return RepPages(report, trend=trend)
    made = {
        name: page.make(report) if page.make is not None else render(report, name)
        for name, page in REP_PAGES.items()
    }
    return RepPages(report, made, trend)


def formats_made() -> tuple[tuple[str, str | None, str], ...]:
    """What ``REP_PAGES`` makes, as plain values (each format's name, suffix, and its
    renderer or function by name): kept pages are keyed by it, so a format registered
    at run time (code the package's digest does not cover) is never missing from them."""
    from ..report import RENDERERS

    def maker(name: str, page: PageFormat) -> str:
        if page.make is None:
            return RENDERERS.get(name, "")
        return f"{page.make.__module__}:{page.make.__qualname__}"

    return tuple((name, page.suffix, maker(name, page)) for name, page in REP_PAGES.items())


def rep_file_stem(report: RepReport) -> str:
    """The rep's pages' file name: the address, made safe even if it were not validated
    (it can never name a folder or leave the output folder)."""
    return email_file_stem(report.rep.email)


def email_file_stem(email: str) -> str:
    """``rep_file_stem`` of the rep with address ``email``."""
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", email.replace("@", "-at-"))
    return stem.lstrip(".") or "rep"


def default_folder(team: Team, period: Period) -> Path:
    """``<output_dir>/<ISO week>/``."""
    return team.output_dir / period.label
