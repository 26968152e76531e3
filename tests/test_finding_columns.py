"""Displaced blocks are decided as columns and become Finding objects in one pass when
first read, after the audit returned: the objects, their order and their wording are the
same whether read at once, after the audit was pickled (the cache), or by several threads
at the same moment."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from conftest import FIXTURES, at_once

import routine_audit as ra
from routine_audit.result import Finding

NEW_YORK = ZoneInfo("America/New_York")


def _busy_week() -> ra.AuditResult:
    """Prospecting blocks Mon-Wed, each run into by one or two client calls."""
    rows = [
        ("2026-11-02 09:00", "2026-11-02 11:00", "Prospecting block"),
        ("2026-11-02 09:30", "2026-11-02 10:00", "Call with Acme"),
        ("2026-11-02 10:30", "2026-11-02 11:15", "Demo for Globex"),
        ("2026-11-03 09:00", "2026-11-03 11:00", "Prospecting block"),
        ("2026-11-03 10:00", "2026-11-03 10:45", "Call with Initech"),
        ("2026-11-04 09:00", "2026-11-04 10:00", "Prospecting block"),
        ("2026-11-04 19:00", "2026-11-04 20:00", "Call with Hooli"),  # after the agreed limit
    ]
    table = pd.DataFrame(
        {
            "start": pd.to_datetime([r[0] for r in rows]).tz_localize(NEW_YORK),
            "end": pd.to_datetime([r[1] for r in rows]).tz_localize(NEW_YORK),
            "summary": [r[2] for r in rows],
        }
    )
    attendees = pd.DataFrame(
        {
            "occ": [1, 2, 4, 6],
            "email": ["buyer@acme.example", "cto@globex.example", "a@initech.example", "b@h.io"],
        }
    )
    routine = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.period_for(routine, week="2026-W45")
    return ra.audit_frame(table, routine, ra.load_rules(), period, attendees=attendees)


def _displaced(findings: list[ra.Finding]) -> list[tuple]:
    return [
        (f.day, f.detail, [(e.occ, e.seconds) for e in f.evidence + f.obstacles])
        for f in findings
        if f.kind == "displaced"
    ]


def test_displaced_blocks_read_as_findings_with_their_obstacles_in_order():
    result = _busy_week()
    assert _displaced(result.finding_objects) == [
        (
            date(2026, 11, 2),
            "prospecting block Mon 09:00–11:00 lost 1 h to 2 other events",
            [(0, 3600), (1, 1800), (2, 1800)],
        ),
        (
            date(2026, 11, 3),
            "prospecting block Tue 09:00–11:00 lost 45 min to 1 other event",
            [(3, 2700), (4, 2700)],
        ),
    ]
    victim = next(f for f in result.finding_objects if f.kind == "displaced").evidence[0]
    assert victim.start == datetime(2026, 11, 2, 9, tzinfo=NEW_YORK)
    assert victim.activity == "prospecting"
    assert result.finding_count == len(result.finding_objects)
    # the other kinds are still there, in their place after the conflicts
    kinds = [f.kind for f in result.finding_objects]
    assert kinds.index("displaced") < kinds.index("limit_broken")


def test_an_audit_returns_its_findings_unbuilt_until_read_and_they_equal_the_built_list():
    result = _busy_week()
    findings = result.finding_objects
    assert isinstance(findings, Sequence) and not findings.built
    # counting, truth, repr and pickling make no Finding
    assert len(findings) == result.finding_count > 2 and findings
    assert "not built" in repr(findings)
    unread = pickle.loads(pickle.dumps(result)).finding_objects
    assert not findings.built and not unread.built
    # the first read makes them all, once
    first = findings[0]
    assert findings.built and first is findings[0] and first is next(iter(findings))
    listed = list(findings)
    assert len(listed) == result.finding_count and all(isinstance(f, Finding) for f in listed)
    assert findings == listed and listed == findings and (findings != listed) is False
    assert findings[1:3] == listed[1:3] and findings[-1] is listed[-1]
    assert listed[0] in findings and findings.index(listed[1]) == 1
    # the same findings as those made from a pickled copy of the columns (another build)
    assert unread == findings and findings == unread and unread.built
    assert listed != findings[:-1] and findings != listed[:-1]
    # read-only, as a result's findings were never meant to be changed in place
    assert not hasattr(findings, "append")
    with pytest.raises(TypeError):
        findings[0] = first  # type: ignore[index]
    # once read, pickling keeps the objects, not the columns
    assert pickle.loads(pickle.dumps(findings)).built


def test_a_team_tables_audits_return_unbuilt_findings():
    table = pd.DataFrame(
        {
            "rep": ["a", "a", "b"],
            "start": pd.to_datetime(["2026-11-02 09:00", "2026-11-02 09:30", "2026-11-03 09:00"]),
            "end": pd.to_datetime(["2026-11-02 11:00", "2026-11-02 10:00", "2026-11-03 10:00"]),
            "summary": ["Prospecting block", "Call with Acme", "Prospecting block"],
        }
    )
    table[["start", "end"]] = table[["start", "end"]].apply(lambda c: c.dt.tz_localize(NEW_YORK))
    routine = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.period_for(routine, week="2026-W45")
    results = ra.audit_frames(table, routine, ra.load_rules(), period)
    assert not any(r.finding_objects.built for r in results.values())
    assert "displaced" in {f.kind for f in results["a"].finding_objects}


def test_threads_reading_unbuilt_findings_at_once_get_the_same_objects():
    for _ in range(20):
        result = _busy_week()
        seen = at_once(lambda result=result: list(result.finding_objects), threads=4)
        assert len(seen[0]) == result.finding_count > 2
        assert all(a is b for found in seen[1:] for a, b in zip(found, seen[0], strict=True))


def test_a_stored_audit_reads_the_same_findings_whether_or_not_they_were_read_before():
    unread = pickle.loads(pickle.dumps(_busy_week()))
    read = _busy_week()
    findings = read.finding_objects
    assert pickle.loads(pickle.dumps(read)).finding_objects == findings
    assert unread.finding_count == len(findings)
    assert unread.finding_objects == findings


def test_threads_reading_findings_at_once_all_see_the_whole_list():
    for _ in range(20):
        result = pickle.loads(pickle.dumps(_busy_week()))
        seen = at_once(lambda result=result: result.finding_objects, threads=4)
        assert len(seen) == 4 and all(found is seen[0] for found in seen)
        assert len(seen[0]) == result.finding_count > 2


def test_building_findings_leaves_the_garbage_collector_as_it_found_it():
    import gc

    enabled = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            result = pickle.loads(pickle.dumps(_busy_week()))
            assert result.finding_objects
            assert gc.isenabled() is before
    finally:
        (gc.enable if enabled else gc.disable)()


def test_threads_building_findings_at_once_leave_the_collector_running():
    import gc

    assert gc.isenabled()
    for _ in range(10):
        results = [pickle.loads(pickle.dumps(_busy_week())) for _ in range(4)]
        at_once(lambda results=results: [len(r.finding_objects) for r in results], threads=4)
        assert gc.isenabled()


def test_findings_and_evidence_survive_pickling_equal():
    findings = _busy_week().finding_objects
    again = pickle.loads(pickle.dumps(findings))
    assert again == findings
    assert [f.evidence for f in again] == [f.evidence for f in findings]


# Found in the review of the columnar engine (issue 6; was test_review_columnar_engine.py)


def test_a_result_given_its_findings_as_a_tuple_reads_them_back():
    routine = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.period_for(routine, week="2026-W45")
    data = ra.load_events(FIXTURES / "overlaps.ics", period, zone=routine.zone)
    result = ra.audit(data, routine, ra.load_rules(), period)
    findings = result.finding_objects
    assert findings, "a week with findings"
    again = dataclasses.replace(result, finding_objects=tuple(findings))
    assert list(again.finding_objects) == findings
    assert again.finding_count == len(findings)
    assert len(again.findings) == len(findings)
