"""One run at a time per team: an OS file lock, released by the OS if the run dies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Location, UsageError

LOCK_NAME = ".routine-audit.lock"


@contextmanager
def run_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.routine-audit.lock`` for the run, or fail at once if another run has it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(handle):
            raise UsageError(
                "another routine-audit run for this team is in progress",
                where=Location(path),
                hint="wait for it to finish; a run that was killed releases the lock by itself",
            )
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(handle)  # closing releases the lock


def _try_lock(handle: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
