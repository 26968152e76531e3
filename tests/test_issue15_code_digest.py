"""Issue 15, "a cache that can never be stale": cache keys include a digest of the
package's own code, so editing the code in a checkout (the overlap rule, say) misses
the cache instead of printing the old figures. The digest is lazy: ``--help`` never
computes it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import routine_audit
import routine_audit.cache as cache
from routine_audit.cli import app

PACKAGE = Path(routine_audit.__file__).resolve().parent
PRINT_KEY = "import routine_audit.cache as c; print(c.key('source-audit', b'same bytes', 'same'))"


def _copy_package(folder: Path) -> Path:
    shutil.copytree(PACKAGE, folder / "routine_audit", ignore=shutil.ignore_patterns("__pycache__"))
    return folder / "routine_audit"


def _key_from(folder: Path) -> str:
    """The key the package copy in ``folder`` makes for the same inputs (a fresh process,
    as a re-run after an edit would be)."""
    done = subprocess.run(
        [sys.executable, "-c", PRINT_KEY],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_changed_source_gives_a_different_key(tmp_path):
    copy = _copy_package(tmp_path / "checkout")
    before = _key_from(copy.parent)
    timeline = copy / "engine" / "timeline.py"
    # the overlap rule, edited in a checkout (version unchanged)
    text = timeline.read_text()
    edited = text.replace(
        "Give each elementary interval to the covering segment with the lowest ``rank``.",
        "Give each elementary interval to the covering segment with the highest ``rank``.",
    )
    assert edited != text
    timeline.write_text(edited)
    assert _key_from(copy.parent) != before


def test_an_identical_copy_gives_the_same_key(tmp_path):
    # the digest is of relative paths and bytes: where the package lives does not matter,
    # so a re-run of unchanged code still hits
    first = _copy_package(tmp_path / "one")
    second = _copy_package(tmp_path / "two")
    assert _key_from(first.parent) == _key_from(second.parent)
    assert cache.folder_digest(first) == cache.folder_digest(second)


def test_data_and_templates_count_and_a_new_file_counts(tmp_path):
    copy = _copy_package(tmp_path / "checkout")
    original = cache.folder_digest(copy)
    rules = copy / "data" / "default_rules.yaml"
    rules.write_bytes(rules.read_bytes() + b"\n")
    after_data = cache.folder_digest(copy)
    assert after_data != original
    template = copy / "report" / "templates" / "rep.html.j2"
    template.write_bytes(template.read_bytes() + b"\n")
    after_template = cache.folder_digest(copy)
    assert after_template != after_data
    (copy / "engine" / "extra.py").write_text("X = 1\n")
    assert cache.folder_digest(copy) != after_template


def test_help_does_not_compute_the_digest():
    cache.code_digest.cache_clear()
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert cache.code_digest.cache_info().currsize == 0
    result = CliRunner().invoke(app, ["audit", "--help"])
    assert result.exit_code == 0
    assert cache.code_digest.cache_info().currsize == 0


def test_the_digest_is_computed_once_per_process(monkeypatch):
    cache.code_digest.cache_clear()
    calls = []
    real = cache.folder_digest
    monkeypatch.setattr(cache, "folder_digest", lambda root: calls.append(root) or real(root))
    first = cache.key("audit", b"a")
    second = cache.key("audit", b"b")
    assert first != second
    assert calls == [PACKAGE]
    cache.code_digest.cache_clear()


def test_what_a_run_of_the_sample_team_writes_beside_it_does_not_count(tmp_path):
    """The sample team's output_dir and lock sit in the package's data folder: a `run`
    of it must not change the digest, or every run would miss the cache."""
    copy = _copy_package(tmp_path / "checkout")
    original = cache.folder_digest(copy)
    reports = copy / "data" / "sample" / "reports" / "northwind-sample-team"
    reports.mkdir(parents=True)
    (reports / ".routine-audit.lock").write_text("4242\n")
    (reports / "team.json").write_text("{}\n")
    assert cache.folder_digest(copy) == original
    sample = copy / "data" / "sample" / "dana.yaml"
    sample.write_bytes(sample.read_bytes() + b"\n")  # the sample's own files still count
    assert cache.folder_digest(copy) != original
