"""A command run in a child process that is killed (SIGKILL) while it saves a file: the
first fsync of an atomic save writes half the bytes and the process dies there. For the
saved sign-in tests (Google's and Microsoft's): the old file must stay whole."""

from __future__ import annotations

import os
import subprocess
import sys

KILLED_WHILE_SAVING = """
import os, signal, sys
import routine_audit.atomic as atomic
def fsync(fd):  # the refreshed sign-in is half on disk: killed there
    os.write(fd, b"half")
    os.kill(os.getpid(), signal.SIGKILL)
atomic.os.fsync = fsync
from routine_audit.cli import app
app(sys.argv[1:])
"""


def run_killed_while_saving(*args: object) -> subprocess.CompletedProcess[str]:
    """``routine-audit ARGS`` in a child process killed at its first atomic save."""
    return subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_SAVING, *[str(a) for a in args]],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )
