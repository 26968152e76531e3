"""The week ahead's reading of an audit, remembered beside the audit it reads.

A team run reads each rep's audit of the coming week as the week ahead
(``engine.ahead.in_tense``: the kinds only a past week shows left out, the week
ahead's own added). The reading is a pure function of the audit and the routine,
both covered by the audit's key, so it is kept under that key in its envelope: a
warm run records the week ahead's figures and findings without decoding it. The
week-ahead files of a run (``kept_files``) are kept under the keys of the readings
they show: a warm run writes them without rendering (or decoding) anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import store
from .envelope import Envelope, kept_audit, opened

if TYPE_CHECKING:
    from ..config.schema import Routine
    from ..result import AuditResult

T = TypeVar("T")


def ahead_audit(
    result: AuditResult | Envelope[AuditResult], routine: Routine, key: str | None
) -> Envelope[AuditResult]:
    """``result`` (the audit kept under ``key``, None: not kept) read as the week ahead,
    in its envelope; from the store when it was read before."""
    from ..engine.ahead import in_tense

    entry = ahead_key(key)
    found = None if entry is None else store.load("ahead", entry)
    if isinstance(found, Envelope):
        return found
    kept = kept_audit(in_tense(opened(result), routine, "ahead"))
    if entry is not None:
        store.store("ahead", entry, kept)
    return kept


def ahead_key(key: str | None) -> str | None:
    """The key the week ahead's reading of the audit kept under ``key`` is kept under
    (None: not kept). What derives from the reading is keyed on it, never on ``key``."""
    if key is None or store.cache_dir() is None:
        return None
    return store.key("ahead", key.encode())


def kept_files(
    keys: Sequence[str | None],
    folder: Path,
    make: Callable[[], list[tuple[Path, str]]],
    *settings: object,
) -> list[tuple[Path, str]]:
    """The files ``make`` gives (paths in ``folder``) from the week-ahead readings kept
    under ``keys``, in order, and ``settings`` (what else shapes them: the audience...);
    kept, so a warm run renders none of them. Made afresh when a reading has no key."""
    if not keys or any(k is None for k in keys) or store.cache_dir() is None:
        return make()
    entry = store.key("ahead-files", "\x1f".join(keys).encode(), *settings)  # type: ignore[arg-type]
    found = store.load("ahead-files", entry)
    if isinstance(found, list):
        return [(folder / name, text) for name, text in found]
    files = make()
    store.store(
        "ahead-files", entry, [(path.relative_to(folder).as_posix(), t) for path, t in files]
    )
    return files


def derived(key: str | None, what: str, make: Callable[[], T]) -> T:
    """``make()``: what a run derives (named ``what``) from the week-ahead reading kept
    under ``key`` (its ``ahead_key``; None: not kept), kept beside it so a warm run
    neither decodes the reading nor derives it again."""
    if key is None or store.cache_dir() is None:
        return make()
    entry = store.key("ahead-derived", key.encode(), what)
    found = store.load("ahead-derived", entry)
    if found is not None:
        return found
    value = make()
    store.store("ahead-derived", entry, value)
    return value
