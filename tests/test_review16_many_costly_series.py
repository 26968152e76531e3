"""Review of issue 16: each recurring series examined at most 100,000 candidate times,
but nothing bounded a calendar's series together: a 7 KB file of 40 never-matching
rules (``FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30``) took 41 s of CPU, and a 50 MB one would
take days. Now one calendar's series examine at most ``MAX_READ_CANDIDATES`` together;
the series met after that are skipped and named like any costly series."""

from __future__ import annotations

import time

from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.sources import ics_rules

NEVER = "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"


def calendar(series: int) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:never-{i}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:20000101T100000Z\r\nDTEND:20000101T110000Z\r\nSUMMARY:never {i}\r\n"
        f"RRULE:{NEVER}\r\nEND:VEVENT\r\n"
        for i in range(series)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n"


def test_many_costly_series_share_one_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    # two series' worth and a half: the third series meets the calendar's limit
    monkeypatch.setattr(ics_rules, "MAX_READ_CANDIDATES", 250_000, raising=False)
    path = tmp_path / "never.ics"
    path.write_text(calendar(12), newline="")
    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["audit", "--ics", str(path), "--routine", str(FIXTURES / "rep_ny.yaml"),
         "--week", "2026-W45", "--format", "markdown"],
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "too costly to expand" in line]
    assert len(lines) == 12  # every series named, none read
    together = [line for line in lines if "candidate times together" in line]
    assert len(together) == 10
    assert elapsed < 15  # 12 series alone: about 12 s
