"""Before a scheduled run audits or mails anything: can it write where it must?

A run that only finds out after mailing that it cannot write its reports or its
history would leave the week half done; each check here tries for real (a file
made and removed), since permission bits say little to root or on a read-only mount.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import Location, UsageError


def writable_folder(folder: Path, what: str) -> None:
    """``folder`` exists (made if needed) and a file can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".routine-audit-", suffix=".probe")
    except (FileExistsError, NotADirectoryError):
        raise UsageError(
            f"the {what} is a file, not a folder", where=Location(folder), hint="name a folder"
        ) from None
    except OSError as exc:
        raise _cannot_write(what, folder, exc) from None
    os.close(handle)
    Path(probe).unlink(missing_ok=True)


def writable_file(path: Path, what: str) -> None:
    """``path`` can be appended to (or created): its folder is writable, and so is it."""
    writable_folder(path.parent, f"{what}'s folder")
    if path.is_dir():
        raise UsageError(f"the {what} is a folder", where=Location(path), hint="name a file")
    if path.exists():
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            raise _cannot_write(what, path, exc) from None


def _cannot_write(what: str, where: Path, exc: OSError) -> UsageError:
    return UsageError(
        f"cannot write the {what}: {exc.strerror}",
        where=Location(where),
        hint="make it writable by the user the run starts as, or choose another",
    )


def usable_history(path: Path) -> None:
    """The history database opens: its identity, schema and migrations (a corrupt or
    locked database is an error now, not after every rep was audited)."""
    from ..history import History

    writable_file(path, "history database")
    History(path).close()
