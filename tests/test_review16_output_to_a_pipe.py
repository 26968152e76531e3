"""Review of issue 16: `-o /dev/stdout` when stdout is a pipe (`... -o /dev/stdout | mail`)
failed with "/proc/PID/fd/pipe:[N]: cannot write here": the link was resolved to a name
that does not exist instead of being written into."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

AUDIT = [
    "audit", "--ics", str(FIXTURES / "overlaps.ics"), "--routine", str(FIXTURES / "rep_ny.yaml"),
    "--week", "2026-W45", "--format", "json",
]  # fmt: skip


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout")
def test_output_onto_dev_stdout_that_is_a_pipe_writes_into_it():
    run = subprocess.run(
        [sys.executable, "-m", "routine_audit", *AUDIT, "-o", "/dev/stdout"],
        capture_output=True,  # stdout is a pipe
        text=True,
        timeout=120,
        env={"ROUTINE_AUDIT_CACHE": "off", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode in (0, 1), run.stderr
    assert "cannot write" not in run.stderr
    assert json.loads(run.stdout)["period"]
