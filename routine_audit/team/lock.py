"""One run at a time per team: an OS file lock, released by the OS if the run dies.

The lock belongs to the run's own process: worker processes forked during the run
close their inherited copy at once (a worker that outlived a killed parent would
otherwise keep the lock held), and the file is never opened through a symlink.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import Location, UsageError

LOCK_NAME = ".routine-audit.lock"
_HELD: set[int] = set()  # descriptors of the locks this process holds


def _close_inherited() -> None:
    """In a forked child: drop the parent's locks (closing a copy never releases them)."""
    for handle in _HELD:
        with suppress(OSError):
            os.close(handle)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)


@contextmanager
def run_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.routine-audit.lock`` for the run, or fail at once if another run has it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags, 0o644)
    except OSError as exc:
        hint = (
            "remove the symlink; the lock file must be a plain file"
            if path.is_symlink()
            else "make the output folder writable by this user"
        )
        raise UsageError(
            f"cannot open the lock file: {exc.strerror}", where=Location(path), hint=hint
        ) from None
    try:
        if not _try_lock(handle):
            raise UsageError(
                "another routine-audit run for this team is in progress",
                where=Location(path),
                hint="wait for it to finish; a run that was killed releases the lock by itself",
            )
        _HELD.add(handle)
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield path
    finally:
        _HELD.discard(handle)
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
