"""The store: work done before, kept on disk, keyed by everything the work depends on.

Keys are digests of the file's bytes (never its name or date), the period,
the time zone, the package version and the package's own code (every .py
file, data file and template, hashed once per process when first needed), so
a changed file, period, zone, release or source edit in a checkout can only
miss, never read stale data. Entries are pickles in a
folder only the user can read (``ROUTINE_AUDIT_CACHE`` chooses it; ``off``
turns the cache off). A broken or unreadable entry is a miss; a failed write
is ignored: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from .._version import __version__

ENV = "ROUTINE_AUDIT_CACHE"
# what the package's behaviour is made of: its code, its data and its templates (the
# data's own files and the sample's, not what a run of the sample team writes beside
# them: its reports folder and its lock, which would make every run miss)
_CODE_FILES = ("**/*.py", "data/*", "data/sample/*", "report/templates/**/*")
T = TypeVar("T")


class CacheWarning(UserWarning):
    """The cache was not used, and why (the run goes on without it)."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off or its folder is not safe."""
    return _checked_dir(os.environ.get(ENV, "").strip())


@cache
def _checked_dir(chosen: str) -> Path | None:
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        folder = Path(chosen).expanduser()
    else:
        from platformdirs import user_cache_path

        folder = user_cache_path("routine-audit")
    problem = _unsafe(folder)
    if problem:
        # loading an entry runs code (pickle): a folder someone else controls is never read
        warnings.warn(
            f"cache folder {folder} is not used: {problem} "
            f"(make it yours alone with chmod 700, or set {ENV} to another folder)",
            CacheWarning,
            stacklevel=3,
        )
        return None
    return folder


def _unsafe(folder: Path) -> str:
    """Why ``folder`` cannot hold our entries ("" if it can, or does not exist yet)."""
    try:
        status = folder.stat()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return exc.strerror or "it cannot be read"
    if status.st_uid != os.geteuid():
        return "it belongs to another user"
    if status.st_mode & 0o022:
        return "others can write to it"
    return ""


def remembered(kind: str, data: bytes, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave before for the same bytes and parts.

    With the cache off nothing is hashed or stored.
    """
    if cache_dir() is None:
        return compute()
    entry = key(kind, data, *parts)
    found = load(kind, entry)
    if found is None:
        found = compute()
        store(kind, entry, found)
    return found


def key(kind: str, data: bytes, *parts: object) -> str:
    """A digest of the bytes, the parts that shape the result, the package version and
    the package's own code."""
    digest = hashlib.sha256(data)
    # the code digest also covers the shape of every stored record: no format number
    digest.update(repr((kind, __version__, code_digest(), parts)).encode())
    return digest.hexdigest()


@cache
def code_digest() -> str:
    """The digest of the installed package's files, computed once per process, when
    the first key is made (``--help`` never pays for it)."""
    return folder_digest(Path(__file__).resolve().parent.parent)


def folder_digest(root: Path) -> str:
    """sha256 over every code, data and template file under ``root``: each one's path
    (relative, sorted) and bytes, so an edit, a new file or a renamed one all change it."""
    found = {path for pattern in _CODE_FILES for path in root.glob(pattern) if path.is_file()}
    digest = hashlib.sha256()
    names = sorted(p.relative_to(root).as_posix() for p in found)
    for name in (
        n for n in names if not any(p == "__pycache__" or p.startswith(".") for p in n.split("/"))
    ):
        content = (root / name).read_bytes()
        digest.update(b"%d:%s%d:" % (len(name.encode()), name.encode(), len(content)))
        digest.update(content)
    return digest.hexdigest()


def load(kind: str, entry: str) -> Any | None:
    """The stored value, or None on a miss (absent, unreadable, or the cache off)."""
    path = _path(kind, entry)
    if path is None:
        return None
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_uid != os.geteuid():
                warnings.warn(
                    f"cache entry {path} belongs to another user: not loaded",
                    CacheWarning,
                    stacklevel=2,
                )
                return None
            return pickle.load(stream)  # our own owner-only folder and entry: trusted
    except Exception:  # noqa: BLE001  (any broken entry is just a miss)
        return None


def store(kind: str, entry: str, value: Any) -> None:
    """Keep ``value`` (atomically, owner-only); a failure to write is not an error."""
    path = _path(kind, entry)
    if path is None:
        return
    try:
        if not path.parent.is_dir():  # a look is cheaper than a mkdir that finds it there
            root = path.parents[2]
            root.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only: holds calendars
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        return


def _path(kind: str, entry: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / entry[:2] / f"{entry}.pickle"
