"""Issue 19, point 1: caching behind one seam.

The store, the remembered reads and audits, the envelope and the kept pages live in
``routine_audit.caching``, which wraps the sources and the audit from outside: no
module of the engine, the sources, the reports or the config imports it. The records
stay plain dataclasses; a stored audit comes in an envelope whose facts (figures,
finding count, commitment rows, what the history records) read without decoding it,
so a warm recorded team run never decodes a rep's findings or tables.
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import at_once
from package_imports import PACKAGE, import_statements

from routine_audit.caching import envelope
from routine_audit.caching.envelope import Envelope, kept_report
from routine_audit.config import package_data
from routine_audit.config.load import load_team
from routine_audit.parallel import WORKERS_ENV
from routine_audit.report.view import RepReport
from routine_audit.result import AuditResult

DOMAIN = ("engine", "sources", "report", "config")
CACHING = ("routine_audit.caching", "routine_audit.cache", "routine_audit.lazy_pickle")


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports (and each ``from X import name`` as X.name too)."""
    return {
        found
        for target, name in import_statements(path)
        for found in (target, f"{target}.{name}" if name else target)
    }


def test_no_domain_module_imports_the_caching_package():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imported(path) if name.startswith(CACHING)
        )
        for folder in DOMAIN
        for path in sorted((PACKAGE / folder).rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert not (PACKAGE / "engine" / "memo.py").exists()  # the memo moved to caching/


def test_the_checker_sees_relative_imports():
    """The test above would pass vacuously if it missed ``from . import store``."""
    assert "routine_audit.caching.store" in _imported(PACKAGE / "caching" / "audits.py")
    assert "routine_audit.engine.finding_columns" in _imported(PACKAGE / "engine" / "audit.py")


@pytest.mark.parametrize("record", [AuditResult, RepReport])
def test_results_and_report_views_are_plain_dataclasses(record):
    assert dataclasses.is_dataclass(record)
    assert record.__mro__[1:] == (object,)  # no mixin
    assert not hasattr(record, "_lazy_fields")


def test_a_pickled_audit_is_whole_and_its_findings_are_a_plain_sequence():
    """The findings are the engine's own read-only sequence (made when first read), no
    caching machinery: they list as, and equal, a plain list."""
    import routine_audit as ra

    routine = ra.load_routine(package_data("sample") / "dana.yaml")
    period = ra.period_for(routine, week="2026-W45")
    result = ra.audit_calendar(package_data("sample") / "dana.ics", routine, None, period)
    findings = result.finding_objects
    assert type(result) is AuditResult and isinstance(findings, Sequence)
    assert type(findings).__module__ == "routine_audit.engine.finding_columns"
    assert findings == list(findings) and list(findings) == findings
    again = pickle.loads(pickle.dumps(result))
    assert {f.name for f in dataclasses.fields(AuditResult)} <= set(vars(again))
    assert again.finding_objects == result.finding_objects
    assert again.commitment_records == result.commitment_records


# ------------------------------------------------------------------ the envelope


@dataclasses.dataclass(frozen=True)
class _Record:
    small: int
    big: list[int]

    @property
    def total(self) -> int:
        return sum(self.big)


def _counting(monkeypatch) -> list[bytes]:
    calls: list[bytes] = []
    real = envelope.decode
    monkeypatch.setattr(envelope, "decode", lambda data: calls.append(data) or real(data))
    return calls


def test_an_envelope_reads_its_facts_without_decoding_and_the_rest_by_decoding(monkeypatch):
    calls = _counting(monkeypatch)
    kept = pickle.loads(pickle.dumps(Envelope(_Record(3, [1, 2]), ("small", "total"))))
    assert (kept.small, kept.total) == (3, 3) and not kept.opened and calls == []
    assert kept.big == [1, 2] and kept.opened and len(calls) == 1
    assert kept.open() == _Record(3, [1, 2]) and len(calls) == 1
    with pytest.raises(AttributeError):
        kept.nothing_like_this  # noqa: B018


def test_an_envelope_is_decoded_once_however_many_threads_ask(monkeypatch):
    calls = _counting(monkeypatch)
    for _ in range(10):
        kept = pickle.loads(pickle.dumps(Envelope(_Record(1, list(range(1000))), ("small",))))
        seen = at_once(lambda kept=kept: kept.open(), threads=4)
        assert all(record is seen[0] for record in seen)
    assert len(calls) == 10


def test_an_envelope_is_encoded_once_and_sent_on_still_encoded(monkeypatch):
    kept = Envelope(_Record(1, [5]), ("small",))
    first = pickle.dumps(kept)
    encodes = []
    real = pickle.dumps
    monkeypatch.setattr(pickle, "dumps", lambda *a: encodes.append(a) or real(*a))
    assert real(kept) == first and encodes == []  # the record's bytes are kept
    calls = _counting(monkeypatch)
    moved = pickle.loads(real(pickle.loads(first)))  # stored, loaded, sent to another process
    assert moved.small == 1 and calls == [] and moved.big == [5]


# ------------------------------------------------------------------ a warm team run


@pytest.fixture
def team_file(tmp_path):
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    return folder / "team.yaml"


def _findings_recorded(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT a.rep, a.kind, f.kind, f.commitment, f.day, f.detail FROM finding AS f"
            " JOIN audit AS a ON a.id = f.audit_id ORDER BY a.rep, a.kind, f.id"
        ).fetchall()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_warm_recorded_team_run_never_decodes_an_audit_or_a_report(
    team_file, tmp_path, monkeypatch, workers
):
    """Found in issue 19: recording the history read every finding, so a warm run built
    every rep's findings anyway. Recording reads the envelope's rows instead."""
    from routine_audit.team.weekly import run_team

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(WORKERS_ENV, workers)
    team = load_team(team_file)
    db = tmp_path / "history.sqlite"

    def run(out: str):  # as `team audit` runs (`run`'s preview page renders the week ahead)
        return run_team(team, week="2026-W45", out=tmp_path / out, db=db, preview=False)

    cold = run("cold")
    recorded = _findings_recorded(db)
    assert len(recorded) > 3  # the sample week has findings to record
    calls = _counting(monkeypatch)
    warm = run("warm")
    assert calls == []
    assert all(isinstance(o.result, Envelope) and not o.result.opened for o in warm.outcomes)
    assert _findings_recorded(db) == recorded  # the same rows, re-recorded
    assert [o.result.finding_count for o in warm.outcomes] == [
        o.result.finding_count for o in cold.outcomes
    ]
    for name in ("index.html", "rollup.md", "team.json", "team.csv"):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()
    # the week ahead, recorded as a preview: its findings come from the rows too (the
    # first run builds pages without files, which reads the audits: then all is kept)
    run_team(team, week="2026-W45", db=db, preview=True)
    calls.clear()
    run_team(team, week="2026-W45", db=db, preview=True)
    assert calls == []
    assert any(row[1] == "preview" for row in _findings_recorded(db))


def test_a_kept_report_reads_as_the_report_it_holds():
    import routine_audit as ra

    routine = ra.load_routine(package_data("sample") / "dana.yaml")
    period = ra.period_for(routine, week="2026-W45")
    result = ra.audit_calendar(package_data("sample") / "dana.ics", routine, None, period)
    report = ra.build_report(result, "manager")
    kept = pickle.loads(pickle.dumps(kept_report(report)))
    assert (kept.commitments, kept.coverage, kept.judged) == (
        report.commitments,
        report.coverage,
        report.judged,
    )
    assert not kept.opened
    assert kept.findings == report.findings and kept.open() == report
    assert ra.render(kept.open(), "markdown") == ra.render(report, "markdown")


def test_the_old_module_name_is_the_store(monkeypatch, tmp_path):
    import routine_audit.cache as old
    from routine_audit.caching import store

    assert old is store
    assert old.ENV == "ROUTINE_AUDIT_CACHE" and issubclass(old.CacheWarning, UserWarning)
    assert not hasattr(store, "_FORMAT")  # keys cover the code: no format number to bump
    monkeypatch.setenv(old.ENV, str(tmp_path / "elsewhere"))
    assert old.cache_dir() == tmp_path / "elsewhere"


def test_a_team_runs_results_are_still_audits_and_reports_a_renderer_takes(
    team_file, tmp_path, monkeypatch
):
    """Found reviewing issue 19: a team run's results came back as envelopes that were
    no ``AuditResult`` or ``RepReport`` to ``isinstance``, and ``render`` of a rep's
    report from the roll-up failed ('Envelope' object is not iterable). Before the
    envelope, both were the records themselves (a mixin)."""
    import routine_audit as ra
    from routine_audit.team.weekly import run_team

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    team = load_team(team_file)
    for _ in ("cold", "warm"):
        run = run_team(team, week="2026-W45", out=tmp_path / "out", record=False, preview=False)
        result, report = run.outcomes[0].result, run.team_report.reps[0]
        assert isinstance(result, AuditResult) and isinstance(report, RepReport)
        assert ra.render(report, "markdown") == ra.render(envelope.opened(report), "markdown")
        kept = pickle.loads(pickle.dumps(result))
        assert isinstance(kept, AuditResult) and type(kept) is Envelope and not kept.opened
