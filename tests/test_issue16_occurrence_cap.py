"""Issue 16: at most ``MAX_OCCURRENCES`` (50,000) occurrences per rep and period, from
every source. A calendar with more is not read (a data-quality note, exit 1), and the
reading stops there instead of growing without end: today 60,000 one-minute events in
one week take half a minute and over 500 MB, and a 50 MB file of 290,000 grows past
1.3 GB. The library's ``audit_frame`` (the benchmark's million-row case) is not capped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.sources import ics
from routine_audit.sources.google import GoogleSource
from routine_audit.sources.limits import MAX_OCCURRENCES, TOO_MANY

runner = CliRunner()
NOTE = (
    "not read: more than 50,000 occurrences in or near the period "
    "(the most one rep's period may hold)"
)
WEEK = ["--routine", "routine.yaml", "--week", "2026-W45"]


def minutes(count: int) -> str:
    """``count`` one-minute events, one a minute from Mon 02 Nov 2026 00:00 in New York
    (05:00Z, EST) on."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    first = datetime(2026, 11, 2, 5)
    for n in range(count):
        start = first + timedelta(minutes=n % (7 * 24 * 60))  # wraps within the week
        stamp = start.strftime("%Y%m%dT%H%M%SZ")
        lines += ["BEGIN:VEVENT", f"UID:m{n}@x", f"DTSTART:{stamp}", "DURATION:PT1M"]
        lines += ["SUMMARY:Call", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "routine.yaml").write_text((FIXTURES / "rep_ny.yaml").read_text())
    return tmp_path


def test_the_limit_and_its_note():
    assert MAX_OCCURRENCES == 50_000
    assert TOO_MANY == NOTE


# the child reports its own peak memory: the pytest process's children share one figure
PEAK = """
import resource, sys
from routine_audit.cli import app
try:
    app(sys.argv[1:])
except SystemExit as done:
    code = done.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def test_60000_events_in_a_week_are_refused_in_bounded_memory(folder):
    (folder / "cal.ics").write_text(minutes(60_000))  # 5.5 MB
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "audit", "--ics", "cal.ics", *WEEK, "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    rep = json.loads(done.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == [f"cal.ics: {NOTE}"]
    assert rep["coverage"]["events_in_period"] == 0  # none of it is kept, none judged
    peak_mb = int(done.stderr.splitlines()[-1]) / 1024  # Linux: kilobytes
    assert peak_mb < 300, f"{peak_mb:.0f} MB"  # today: over 500 MB


def test_the_limit_is_per_rep_over_all_calendars(folder, monkeypatch):
    """Each file alone fits; together they do not: the file that would pass the limit is
    left out whole (a small limit here, so that the test stays fast)."""
    monkeypatch.setattr(ics, "MAX_OCCURRENCES", 50)
    (folder / "a.ics").write_text(minutes(30))
    (folder / "b.ics").write_text(minutes(30).replace("UID:m", "UID:b"))
    result = runner.invoke(app, ["audit", "--ics", "a.ics", "--ics", "b.ics", *WEEK, "-f", "json"])
    assert result.exit_code == 1, result.output
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == [f"b.ics: {NOTE}"]
    assert rep["coverage"]["events_in_period"] == 30  # a.ics, kept


class _Pages:
    """A fake events resource for a calendar without end: every page holds 2,500 items
    and names a next page. It refuses to serve more pages than the limit can need."""

    def __init__(self) -> None:
        self.served = 0

    def events(self) -> _Pages:
        return self

    def list(self, **query) -> _Pages:
        return self

    def execute(self, http=None, num_retries=0) -> dict:
        self.served += 1
        assert self.served <= 30, "paging went on past the limit"
        start = "2026-11-03T10:00:00-05:00"
        end = "2026-11-03T10:01:00-05:00"
        item = {"id": "x", "status": "confirmed", "summary": "Call"}
        items = [{**item, "start": {"dateTime": start}, "end": {"dateTime": end}}] * 2500
        return {"summary": "rep", "items": items, "nextPageToken": f"t{self.served}"}


def test_google_stops_paging_past_the_limit():
    routine = ra.load_routine(FIXTURES / "rep_ny.yaml")
    period = ra.period_for(routine, week="2026-W45")
    pages = _Pages()
    data = GoogleSource(None, "primary", service=pages).read(period, zone=routine.zone)
    # 20 pages hold 50,000 occurrences, the most allowed; the 21st passes the limit
    assert pages.served == 21
    assert data.events == ()
    assert [str(p) for p in data.problems] == [f"google:primary: {NOTE}"]
