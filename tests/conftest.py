"""Shared test helpers: fixture paths and a one-call audit through the public API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import routine_audit as ra

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def at_once(read: Callable[[], object], threads: int) -> list[object]:
    """What ``read`` returned in each of ``threads`` threads, all started at one moment."""
    start = threading.Barrier(threads)
    seen: list[object] = []

    def each() -> None:
        start.wait()
        seen.append(read())

    running = [threading.Thread(target=each) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return seen


def routine_file(tmp_path: Path, body: str, name: str = "routine.yaml") -> Path:
    """A routine file for rep@northwind.example: the schema's header, then ``body``."""
    path = tmp_path / name
    path.write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\n"
        "internal_domains: [northwind.example]\n" + body
    )
    return path


def run_audit(calendar: str | list[str], routine: str, *, week=None, start=None, end=None, tz=None):
    """Audit fixture calendar(s) against a fixture routine, like the CLI does."""
    routine_model = ra.load_routine(FIXTURES / routine)
    period = ra.audit_period(routine_model, week=week, start=start, end=end, tz=tz)
    paths = [FIXTURES / c for c in ([calendar] if isinstance(calendar, str) else calendar)]
    return ra.audit_calendar(paths, routine_model, ra.load_rules(), period)


@pytest.fixture(autouse=True)
def _no_shared_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or fill the user's cache; the cache's own tests turn one on."""
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared calendar corpus is not at {CORPUS} (CI always has it)")
    return CORPUS
