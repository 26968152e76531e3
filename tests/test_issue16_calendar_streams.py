"""Issue 16: a calendar given as something other than a regular file (``/dev/zero``, a
FIFO, ``<(cmd)`` process substitution) is read through the same 50 MB cap as a feed,
once; ``/dev/zero`` ends with a one-line error (exit 2 for a sole calendar) instead of
a process that grows until the machine kills it. A regular file over the cap is refused
the same way, by its size, before it is read.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.sources.limits import MAX_BYTES

runner = CliRunner()
WEEK = ["--routine", "routine.yaml", "--week", "2026-W45", "-f", "json"]
# one hour on Wed 04 Nov 2026, 10:00 in New York (15:00Z)
CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        "BEGIN:VEVENT",
        "UID:review@x",
        "DTSTART:20261104T150000Z",
        "DTEND:20261104T160000Z",
        "SUMMARY:Client review",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)
TOO_LARGE = (
    "larger than 52,428,800 bytes, the most one calendar may hold "
    "(export a shorter period; a busy year is about 1 MB)"
)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "routine.yaml").write_text((FIXTURES / "rep_ny.yaml").read_text())
    return tmp_path


def test_the_cap_is_50_mb():
    assert MAX_BYTES == 50 * 1024 * 1024 == 52_428_800


def events_in_period(stdout: str) -> int:
    return json.loads(stdout)["reps"]["rep@northwind.example"]["coverage"]["events_in_period"]


@pytest.mark.parametrize("cache", ["off", "on"])
def test_a_fifo_is_read_once(folder, monkeypatch, cache):
    """With the cache on, the calendar's snapshot must not drain the pipe before the read."""
    if cache == "on":
        (folder / "cache").mkdir(mode=0o700)
        monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(folder / "cache"))
    fifo = folder / "cal.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w") as pipe:  # blocks until the audit opens it
            pipe.write(CALENDAR)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = runner.invoke(app, ["audit", "--ics", str(fifo), *WEEK])
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert events_in_period(result.stdout) == 1


def _limit_memory() -> None:
    # today /dev/zero is read to the end, which never comes: stop that child at 2 GB
    resource.setrlimit(resource.RLIMIT_DATA, (2 << 30, 2 << 30))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_a_one_line_error(folder):
    done = subprocess.run(
        [sys.executable, "-m", "routine_audit", "audit", "--ics", "/dev/zero", *WEEK],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.splitlines() == [f"routine-audit: error: /dev/zero: {TOO_LARGE}"]


def test_a_regular_file_over_the_cap_is_refused_by_its_size(folder):
    with (folder / "huge.ics").open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: nothing is written, nothing need be read
    result = runner.invoke(app, ["audit", "--ics", "huge.ics", *WEEK])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"routine-audit: error: huge.ics: {TOO_LARGE}"]
    # beside a good calendar it is one data-quality line, and the rest is audited (exit 1)
    (folder / "cal.ics").write_text(CALENDAR)
    result = runner.invoke(app, ["audit", "--ics", "cal.ics", "--ics", "huge.ics", *WEEK])
    assert result.exit_code == 1
    rep = json.loads(result.stdout)["reps"]["rep@northwind.example"]
    assert rep["data_quality"] == [
        "huge.ics: could not be read: larger than 52,428,800 bytes, the most one calendar may hold"
    ]
    assert rep["coverage"]["events_in_period"] == 1


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_process_substitution_keeps_working(folder):
    (folder / "cal.ics").write_text(CALENDAR)
    command = f'"{sys.executable}" -m routine_audit audit --ics <(cat cal.ics) {" ".join(WEEK)}'
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert events_in_period(done.stdout) == 1
