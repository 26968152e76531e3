"""Issue 16: recurrence rules that never or almost never match are expanded in bounded
time: each series examines at most ``MAX_CANDIDATES`` candidate times per read; a series
that reaches the cap is skipped and named in the data-quality section (exit 1).

Today five such rules in a file of under 1 kB take about 50 s of CPU (dateutil looks
for a match up to the year 9999), and ``INTERVAL=0`` never ends at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.sources import ics_rules
from routine_audit.sources.limits import MAX_CANDIDATES

runner = CliRunner()


def vevent(uid: str, start: str, rule: str, title: str) -> list[str]:
    end = start[:9] + f"{int(start[9:11]) + 1:02d}" + start[11:]  # one hour later
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        f"RRULE:{rule}",
        f"SUMMARY:{title}",
        "END:VEVENT",
    ]


COSTLY = [  # (title, rule): each would search up to the year 9999, or past 100,000 hours
    ("Never Feb 30", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"),
    ("Never Apr 31", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"),
    ("Never Nov 31", "FREQ=HOURLY;INTERVAL=5;BYMONTH=11;BYMONTHDAY=31"),
    ("Last of no hours", "FREQ=HOURLY;BYSETPOS=-1;BYMONTH=2;BYMONTHDAY=30"),
    # matches every hour: some 235,000 hours from 2000 to the period
    ("Every hour", "FREQ=HOURLY;COUNT=100000000"),
]


def calendar(*events: list[str]) -> str:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    return "\r\n".join([*head, *(line for event in events for line in event), "END:VCALENDAR", ""])


CALENDAR = calendar(
    *(
        vevent(f"costly-{n}@x", "20000101T090000Z", rule, title)
        for n, (title, rule) in enumerate(COSTLY)
    ),
    # rare but cheap: Monday 29 February, every 28 years or so (2016, 2044)
    vevent("leap@x", "19700101T090000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "Leap"),
    # an ordinary weekly meeting: Wednesday 04 Nov 2026 15:00Z is in 2026-W45
    vevent("weekly@x", "20260107T150000Z", "FREQ=WEEKLY", "Client review"),
)
# 09:00Z on Sat 01 Jan 2000 is 04:00 in New York (EST, UTC-5)
SKIPPED = "event skipped, repeat rule too costly to expand"
DETAIL = (
    "it examined 100,000 candidate times (the most one series may) without reaching the "
    "period's end"
)
OWNER = [f'cal.ics ("{title}", Sat 01 Jan 2000 04:00): {SKIPPED}: {DETAIL}' for title, _ in COSTLY]
MANAGER = "cal.ics (event on Sat 01 Jan 2000 04:00): " + SKIPPED


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the file is named as given: cal.ics
    (tmp_path / "cal.ics").write_text(CALENDAR, encoding="utf-8")
    (tmp_path / "routine.yaml").write_text((FIXTURES / "rep_ny.yaml").read_text())
    return tmp_path


def _audit(audience: str):
    args = ["audit", "--ics", "cal.ics", "--routine", "routine.yaml", "--week", "2026-W45"]
    return runner.invoke(app, [*args, "-f", "json", "--audience", audience])


def test_the_cap_is_the_documented_one():
    assert MAX_CANDIDATES == 100_000


def test_costly_rules_are_skipped_and_named_in_bounded_time(files):
    began = time.process_time()  # CPU: a busy machine must not fail the test
    result = _audit("owner")
    took = time.process_time() - began
    assert result.exit_code == 1, result.output
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == OWNER
    # the rest of the calendar is audited: the weekly meeting, one hour on Wednesday
    assert rep["coverage"]["status"] == "ok"
    assert rep["coverage"]["events_in_period"] == 1
    assert took < 20, f"{took:.1f} s of CPU"  # bounded; speed lives in the benchmark


def test_a_manager_sees_the_date_only(files):
    title, rule = COSTLY[1]  # one costly series is enough here
    (files / "cal.ics").write_text(calendar(vevent("costly@x", "20000101T090000Z", rule, title)))
    result = _audit("manager")
    assert result.exit_code == 1, result.output
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == [MANAGER]
    assert "Never" not in result.stdout


def test_interval_zero_ends_too(files):
    """``INTERVAL=0`` loops in dateutil without end; in a subprocess, so today's code fails
    the test by its timeout instead of hanging the suite."""
    zero = vevent("zero@x", "20260101T090000Z", "FREQ=DAILY;INTERVAL=0;BYDAY=TU", "Zero")
    (files / "cal.ics").write_text(calendar(zero))
    args = ["audit", "--ics", "cal.ics", "--routine", "routine.yaml", "--week", "2026-W45"]
    done = subprocess.run(
        [sys.executable, "-m", "routine_audit", *args, "-f", "json"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    rep = json.loads(done.stdout)["reps"]["rep@northwind.example"]
    # 09:00Z on Thu 01 Jan 2026 is 04:00 in New York
    assert rep["data_quality"] == [f'cal.ics ("Zero", Thu 01 Jan 2026 04:00): {SKIPPED}: {DETAIL}']


# Review of issue 16: each recurring series examined at most 100,000 candidate times,
# but nothing bounded a calendar's series together: a 7 KB file of 40 never-matching
# rules (``FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30``) took 41 s of CPU, and a 50 MB one would
# take days. Now one calendar's series examine at most ``MAX_READ_CANDIDATES`` together;
# the series met after that are skipped and named like any costly series.
# (Was tests/test_review16_many_costly_series.py.)

NEVER = "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"


def never_calendar(series: int) -> str:
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
    path.write_text(never_calendar(12), newline="")
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
