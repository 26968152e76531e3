"""Issue 16: loading a cache entry runs code (pickle), so a cache folder others can write,
or an entry owned by another user, is refused with a warning and never loaded."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit import cache
from routine_audit.cli import app

AUDIT = [
    "audit", "--ics", str(FIXTURES / "overlaps.ics"), "--routine", str(FIXTURES / "rep_ny.yaml"),
    "--week", "2026-W45", "--format", "json",
]  # fmt: skip


class Planted:
    """An entry that, if ever unpickled, leaves a mark: someone else's code ran."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self):
        return (Path.write_text, (self.mark, "ran"))


def _plant(folder: Path, mark: Path) -> list[Path]:
    entries = list(folder.rglob("*.pickle"))
    for entry in entries:
        entry.write_bytes(pickle.dumps(Planted(mark)))
    return entries


@pytest.fixture(autouse=True)
def _fresh_checks():
    cache._checked_dir.cache_clear()
    yield
    cache._checked_dir.cache_clear()


def test_a_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "shared-cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    assert CliRunner().invoke(app, AUDIT).exit_code == 0  # fills it, owner-only
    mark = tmp_path / "mark"
    assert _plant(folder, mark)
    folder.chmod(0o777)
    cache._checked_dir.cache_clear()
    result = CliRunner().invoke(app, AUDIT)
    assert result.exit_code == 0, result.output
    assert not mark.exists()
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning == [
        f"routine-audit: warning: cache folder {folder} is not used: others can write to it "
        f"(make it yours alone with chmod 700, or set {cache.ENV} to another folder)"
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_owned_by_another_user_is_not_loaded(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    assert CliRunner().invoke(app, AUDIT).exit_code == 0
    mark = tmp_path / "mark"
    for entry in _plant(folder, mark):
        os.chown(entry, 4321, 4321)
    result = CliRunner().invoke(app, AUDIT)
    assert result.exit_code == 0, result.output
    assert not mark.exists()
    assert "belongs to another user: not loaded" in result.stderr


def test_a_safe_folder_is_used(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    assert cache.cache_dir() == folder
    folder.mkdir(mode=0o700)
    cache._checked_dir.cache_clear()
    assert cache.cache_dir() == folder
