"""A rep's pages, kept: a team run re-renders only the reps whose audit or trend changed.

The key is the audit's key (which covers every input of the result) plus what the
pages add: the audience, the trend they show and which formats are made (none when
no files are written). The report view inside is kept in its envelope: the roll-up,
the team page and team.json/.csv read its figures without decoding its per-event rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from . import store
from .envelope import kept_report

P = TypeVar("P")  # the team run's RepPages (its ``report`` field is the rep's view)
KIND = "rep-pages"


def pages_key(audit_key: str | None, audience: str, trend: tuple, formats: tuple) -> str | None:
    """The key of a rep's pages (None: the audit has no key, or the store is off);
    ``formats`` describes the pages made (empty: no files written, the view alone)."""
    if audit_key is None or store.cache_dir() is None:
        return None
    return store.key(KIND, audit_key.encode(), audience, trend, formats)


def kept_pages(key: str | None) -> object | None:
    """The pages stored under ``key``, if any."""
    return None if key is None else store.load(KIND, key)


def keep_pages(key: str | None, pages: P) -> P:
    """``pages`` with the report in its envelope, stored under ``key`` when it has one."""
    kept = replace(pages, report=kept_report(pages.report))  # type: ignore[type-var]
    if key is not None:
        store.store(KIND, key, kept)
    return kept
