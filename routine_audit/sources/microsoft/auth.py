"""Where a Graph source's bearer token comes from (the seam for sign-in).

Today: an access token given in ``ROUTINE_AUDIT_GRAPH_TOKEN`` or in a file
(``token_file``), read on each request so a refreshed file is picked up. Issue 23's
msal sign-in (delegated ``auth login --provider microsoft``, app-only with a
certificate) will add providers here; the reader only needs ``TokenProvider``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import CredentialError
from .client import TokenProvider

TOKEN_ENV = "ROUTINE_AUDIT_GRAPH_TOKEN"


def token_provider(token_file: str | None) -> TokenProvider:
    """A provider from ``token_file``, else from ``ROUTINE_AUDIT_GRAPH_TOKEN``."""
    if token_file:
        path = Path(token_file).expanduser()
        return lambda: _read(path)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise CredentialError(
            "no Microsoft Graph token",
            hint=f"set {TOKEN_ENV} or give token_file (a file holding an access token)",
            names=("token_file",),
        )
    return lambda: token


def _read(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CredentialError(
            f"cannot read the Graph token file {path}: {exc.strerror or exc}",
            hint="give token_file as a readable file holding an access token",
        ) from None
    if not token:
        raise CredentialError(f"the Graph token file {path} is empty", hint="sign in again")
    return token
