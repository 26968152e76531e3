"""Files that hold a secret (a saved sign-in, a private key): readable by their owner only.

Writing them owner-only from the start is ``atomic.write_text_atomic(..., private=True)``;
this module is for reading one that someone loosened (copied with cp, a loose umask), and
for removing a saved sign-in (``auth logout``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .errors import CredentialError, Location


class SecretFileWarning(UserWarning):
    """A file holding a secret (a saved sign-in, a private key) that others can read."""


def owner_only(path: Path, what: str, *, fix: bool) -> None:
    """Warn when group or others may read ``path`` (``what`` holds a secret); with ``fix``
    and the file ours, make it owner-only (chmod 600) first. POSIX modes only."""
    try:
        status = path.stat()
    except OSError:
        return  # reading it says what is wrong
    if os.name == "nt" or not status.st_mode & 0o077:
        return
    if fix and status.st_uid == os.geteuid():
        try:
            path.chmod(0o600)
        except OSError:
            pass
        else:
            warnings.warn(
                f"{path}: others could read {what}; made it yours alone (chmod 600)",
                SecretFileWarning,
                stacklevel=3,
            )
            return
    warnings.warn(
        f"{path}: others can read {what} (make it readable by its owner only: chmod 600)",
        SecretFileWarning,
        stacklevel=3,
    )


def remove_sign_in(path: Path) -> bool:
    """Remove the saved sign-in at ``path``; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:  # a folder, or a folder the user may not write to
        raise CredentialError(
            f"cannot remove the saved sign-in: {exc.strerror or type(exc).__name__}",
            where=Location(path),
            hint="name the sign-in file with `token`, as its owner",
            names=("token",),
        ) from None
    return True
