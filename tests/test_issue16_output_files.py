"""Issue 16: writing output. Atomic replacement is for regular files only: `-o` onto a FIFO
or a character device writes into it, and a symlink is followed (its target replaced
atomically, the link kept)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.atomic import write_text_atomic
from routine_audit.cli import app
from routine_audit.errors import UsageError

AUDIT = [
    "audit", "--ics", str(FIXTURES / "overlaps.ics"), "--routine", str(FIXTURES / "rep_ny.yaml"),
    "--week", "2026-W45", "--format", "json",
]  # fmt: skip


def test_output_onto_a_fifo_writes_into_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = CliRunner().invoke(app, [*AUDIT, "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not a file renamed over it
    assert b'"schema_version"' in received[0]


def test_output_onto_dev_null_keeps_the_device():
    null = Path("/dev/null")
    before = null.stat()
    try:
        result = CliRunner().invoke(app, [*AUDIT, "-o", "/dev/null"])
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(null.stat().st_mode)
        assert null.stat().st_ino == before.st_ino
    finally:
        if not stat.S_ISCHR(null.stat().st_mode) and os.geteuid() == 0:
            null.unlink()  # put the machine's /dev/null back (the old behaviour)
            os.mknod("/dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            null.chmod(0o666)


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "report.json"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    result = CliRunner().invoke(app, [*AUDIT, "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert link.readlink() == target
    assert '"schema_version"' in target.read_text()
    assert not list(target.parent.glob(".*.tmp"))


def test_a_private_file_is_never_written_into_a_device(tmp_path):
    fifo = tmp_path / "token.json"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        write_text_atomic(fifo, "secret", private=True)


# Review of issue 16: `-o /dev/stdout` when stdout is a pipe (`... -o /dev/stdout | mail`)
# failed with "/proc/PID/fd/pipe:[N]: cannot write here": the link was resolved to a name
# that does not exist instead of being written into.
# (Was tests/test_review16_output_to_a_pipe.py.)


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
