"""Write files atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from functools import cache
from pathlib import Path

from .errors import Location, UsageError


def write_text_atomic(path: str | Path, text: str, *, private: bool = False) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    Atomic replacement is for regular files: a symlink is followed (its target is
    replaced, the link kept), and a FIFO or a device (``/dev/null``, ``/dev/stdout``)
    is written into. ``private`` keeps the file readable by its owner only (for
    tokens) and refuses anything but a regular file.
    """
    if not str(path).strip():
        raise UsageError("the output path is empty", hint="name a file")
    try:  # what the path names, links followed: /dev/stdout may be a pipe with no name
        status = Path(path).stat()
    except OSError:
        status = None
    if status is not None and not (stat.S_ISREG(status.st_mode) or stat.S_ISDIR(status.st_mode)):
        if private:
            raise UsageError("is not a regular file", where=Location(Path(path)))
        return _write_into(Path(path), text, Path(path))
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise UsageError("is a folder; name a file inside it", where=Location(Path(path)))
    if target.exists() and not target.is_file():
        if private:
            raise UsageError("is not a regular file", where=Location(Path(path)))
        return _write_into(target, text, Path(path))
    if not private and _holds(target, text):
        return Path(path)  # already there, byte for byte (a re-run): nothing to replace
    try:
        if not target.parent.is_dir():  # a look is cheaper than a mkdir that finds it
            target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except (FileExistsError, NotADirectoryError):
        raise UsageError("its folder is a file", where=Location(target)) from None
    except OSError as exc:
        raise UsageError(f"cannot write here: {exc.strerror}", where=Location(target)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if not private:
            Path(temporary).chmod(0o666 & ~_umask())  # mkstemp makes it 0600
        Path(temporary).replace(target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write: {exc.strerror}", where=Location(target)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(path)


def _write_into(target: Path, text: str, shown: Path) -> Path:
    """Write into a FIFO or device as it is: renaming a file over it would replace it."""
    try:
        with target.open("w", encoding="utf-8", newline="") as stream:
            stream.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror}", where=Location(shown)) from None
    return Path(shown)


def _holds(target: Path, text: str) -> bool:
    """Whether ``target`` is a regular file whose content is exactly ``text``."""
    data = text.encode("utf-8")
    try:
        if not target.is_file() or target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


@cache
def _umask() -> int:
    """The process's umask, read once: reading it by setting it (the portable way) is not
    thread-safe, and reports are written from several threads."""
    try:  # Linux says it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        current = os.umask(0)
        os.umask(current)
    return current


_UMASK_LOCK = threading.Lock()
