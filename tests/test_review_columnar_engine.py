"""One test per problem found in the review of the columnar engine (issue 6)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from conftest import FIXTURES, routine_file

import routine_audit as ra


def _meetings_only(tmp_path: Path) -> ra.Routine:
    return ra.load_routine(
        routine_file(
            tmp_path,
            "timezone: America/New_York\nworking_hours: {weekdays: '09:00-17:00'}\n"
            "commitments:\n"
            "  - {id: client-meetings, activity: client-meeting, unit: meetings, per: week,"
            " target: 5}\n",
        )
    )


def test_an_empty_daily_table_keeps_numeric_hours_and_targets(tmp_path):
    routine = _meetings_only(tmp_path)
    period = ra.audit_period(routine, week="2026-W45")
    empty = pd.DataFrame(
        {
            "start": pd.Series([], dtype="datetime64[ns, America/New_York]"),
            "end": pd.Series([], dtype="datetime64[ns, America/New_York]"),
        }
    )
    daily = ra.audit_frame(empty, routine, ra.load_rules(), period).daily
    assert daily.empty
    assert daily["hours"].dtype == "float64"
    assert daily["target_hours"].dtype == "float64"


def test_a_result_given_its_findings_as_a_tuple_reads_them_back():
    routine = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.audit_period(routine, week="2026-W45")
    data = ra.load_events(FIXTURES / "overlaps.ics", period, zone=routine.zone)
    result = ra.audit(data, routine, ra.load_rules(), period)
    findings = result.finding_list
    assert findings, "a week with findings"
    again = dataclasses.replace(result, finding_list=tuple(findings))
    assert list(again.finding_list) == findings
    assert again.finding_count == len(findings)
    assert len(again.findings) == len(findings)
