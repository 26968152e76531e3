"""Shared test helpers: fixture paths and a one-call audit through the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

import routine_audit as ra

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


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
