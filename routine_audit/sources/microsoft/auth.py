"""Where a Microsoft source's bearer token comes from (the seam for sign-in).

In order: ``token_file`` (a file holding an access token, read per request), then
``$ROUTINE_AUDIT_GRAPH_TOKEN`` (tests and scripts); then the team file's ``microsoft:``
section with a ``certificate`` (app-only, for cron: ``app_only``); else the saved
delegated sign-in (``auth login --provider microsoft``: ``delegated``). A sign-in is
loaded once per run (``context.credentials.once``) and shared by every rep; msal is
imported only by those two, only when they are used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import CredentialError, UsageError
from ..base import SourceContext
from .client import TokenProvider

TOKEN_ENV = "ROUTINE_AUDIT_GRAPH_TOKEN"


def token_provider(token_file: str | None, context: SourceContext | None = None) -> TokenProvider:
    """The provider for a source opened with ``context`` (see the module's order)."""
    if token_file:
        path = Path(token_file).expanduser()
        return lambda: _read(path)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return lambda: token
    context = context or SourceContext()
    team = context.credentials.section("microsoft")
    certificate = getattr(team, "certificate", None)
    if certificate:
        tenant, client_id = getattr(team, "tenant", None), getattr(team, "client_id", None)
        if not (tenant and client_id):
            raise UsageError(  # the team file's model says so first; this is for the library
                "the microsoft: section needs tenant and client_id with certificate",
                hint="see docs/microsoft.md",
            )
        path = Path(context.resolve(certificate))
        return context.credentials.once(
            ("microsoft-app", tenant, client_id, str(path)),
            lambda: _app_only(tenant, client_id, path),
        )
    saved = getattr(team, "token", None)
    return context.credentials.once(
        ("microsoft-user", saved), lambda: _signed_in(context.resolve(saved) if saved else None)
    )


def status(path: Path) -> dict[str, str]:
    """What ``auth status --provider microsoft`` shows, label -> text (never a token).

    With ``$ROUTINE_AUDIT_GRAPH_TOKEN`` set, calendars use that token (it wins over any
    sign-in): that is said, and the saved sign-in at ``path`` is neither read nor
    refreshed. Else the saved sign-in, refreshed first (``delegated.status``).
    """
    from ...visible import visible

    if os.environ.get(TOKEN_ENV, "").strip():
        shown = {"calendars use": f"the access token in {TOKEN_ENV} (it wins over any sign-in)"}
        if path.exists():
            shown["saved sign-in"] = f"{path} (not used while {TOKEN_ENV} is set)"
        return shown
    from .delegated import status as signed_in

    found = signed_in(path)
    # the name comes from the sign-in service, the scopes from a file: shown safe
    return {
        "signed in as": visible(found["user"]),
        "scopes": visible(", ".join(sorted(found["scopes"]))),
        "app (client id)": visible(found["client_id"]),
        "token": found["token"],
    }


def preload(token_file: str | None, context: SourceContext) -> None:
    """Before a team run forks its workers: the shared sign-in loaded and its token
    fetched (refreshed if need be) once, so the workers do not each refresh it."""
    token_provider(token_file, context)()


def _app_only(tenant: str, client_id: str, path: Path) -> Any:
    from .app_only import AppOnly

    return AppOnly(tenant, client_id, path)


def _signed_in(path: str | None) -> Any:
    from .delegated import SignedIn, cache_path

    return SignedIn(cache_path(path))


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
