"""Delegated sign-in for a rep or a manager: ``auth login --provider microsoft``.

The sign-in is one owner-only JSON file: the app (client id, authority), the scopes
granted, and msal's serialized token cache. Each token asked for goes through msal's
``acquire_token_silent``, which refreshes an expired access token with the refresh
token; a changed cache is written back atomically (created 0600, never wider).
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...atomic import write_text_atomic
from ...errors import CredentialError, Location, UsageError
from ...secret_files import owner_only, remove_sign_in
from . import identity

ENV_CACHE = "ROUTINE_AUDIT_MS_TOKEN_CACHE"
ENV_CLIENT_ID = "ROUTINE_AUDIT_MS_CLIENT_ID"
ENV_TENANT = "ROUTINE_AUDIT_MS_TENANT"
KIND = "routine-audit microsoft sign-in"
LOGIN_HINT = "run: routine-audit auth login --provider microsoft"
TEXT_FIELDS = ("client_id", "authority", "msal_cache")  # and scopes, a list of them
LOGIN_WAIT = 300  # seconds msal's local server waits for the browser


def cache_path(option: str | Path | None = None) -> Path:
    """--token, else $ROUTINE_AUDIT_MS_TOKEN_CACHE, else microsoft-token.json in the
    config folder (beside Google's token.json)."""
    from ..google.auth import config_dir

    return Path(option or os.environ.get(ENV_CACHE) or config_dir() / "microsoft-token.json")


def client_id_of(option: str | None) -> str:
    """--client-id, else $ROUTINE_AUDIT_MS_CLIENT_ID: the app registration to sign in to."""
    found = (option or os.environ.get(ENV_CLIENT_ID) or "").strip()
    if not found:
        raise UsageError(
            "signing in to Microsoft 365 needs the app's client id",
            hint=f"pass `client_id` (or set {ENV_CLIENT_ID}); docs/microsoft.md says where "
            "an admin finds it",
            names=("client_id",),
        )
    return found


def tenant_of(option: str | None) -> str:
    """--tenant, else $ROUTINE_AUDIT_MS_TENANT, else any work or school account."""
    return (option or os.environ.get(ENV_TENANT) or identity.DEFAULT_TENANT).strip()


class SignedIn:
    """A ``TokenProvider`` over a saved sign-in: a fresh access token on each call."""

    def __init__(self, path: Path) -> None:
        module = identity.msal()
        saved = _read(path)
        self.path = path
        self.scopes = list(saved["scopes"])
        self.cache = module.SerializableTokenCache()
        try:
            self.cache.deserialize(saved["msal_cache"])
        except (ValueError, TypeError):
            raise _damaged(path) from None
        self.authority = str(saved["authority"])
        self.app = identity.application(
            "PublicClientApplication", saved["client_id"], self.authority, token_cache=self.cache
        )
        try:
            accounts = self.app.get_accounts()
        except identity.unreadable():  # a cache edited by hand: its entries not msal's
            raise _damaged(path) from None
        if not accounts:
            raise CredentialError("not signed in to Microsoft 365", where=Location(path),
                                  hint=LOGIN_HINT)  # fmt: skip
        self.account = accounts[0]
        self._lock = threading.Lock()  # one refresh at a time; the file written once

    @property
    def username(self) -> str:
        return str(self.account.get("username") or "unknown")

    def __call__(self) -> str:
        with self._lock:
            try:
                result = self.app.acquire_token_silent_with_error(self.scopes, account=self.account)
            except OSError as exc:
                raise identity.unreachable(exc, "the token endpoint") from None
            except identity.unreadable() as exc:
                raise identity.garbled(exc, "the token endpoint") from None
            if not isinstance(result, dict) or "access_token" not in result:
                error = identity.failed(
                    result,
                    "the saved Microsoft sign-in has expired or was revoked",
                    hint=f"{LOGIN_HINT} again",
                )
                raise CredentialError(error.message, where=Location(self.path), hint=error.hint)
            if self.cache.has_state_changed:
                _write(self.path, self.app.client_id, self.authority, self.scopes, self.cache)
                self.cache.has_state_changed = False
            return str(result["access_token"])


def login(
    client_id: str,
    tenant: str,
    destination: Path,
    *,
    browser: bool,
    port: int,
    colours: bool,
    show: Callable[[str], None],
    ask: Callable[[str], str],
) -> str:
    """Sign in (authorization code with PKCE, redirect to http://localhost:PORT) and save
    the sign-in to ``destination``; the signed-in account's name.

    With ``browser`` msal's local server receives the redirect; without it the user opens
    the printed address anywhere and pastes back the address the browser was sent to.
    """
    module = identity.msal()
    cache = module.SerializableTokenCache()
    where = identity.authority(tenant)
    app = identity.application("PublicClientApplication", client_id, where, token_cache=cache)
    scopes = identity.delegated_scopes(colours=colours)
    try:
        if browser:
            show(f"Opening your browser to sign in to Microsoft 365 (it returns to "
                 f"http://localhost:{port}; without a browser here, use --no-browser)")  # fmt: skip
            try:
                result = app.acquire_token_interactive(
                    scopes, port=port, prompt="select_account", timeout=LOGIN_WAIT
                )
            except OSError as exc:  # the port is taken, or the exchange failed
                raise CredentialError(
                    f"the sign-in did not complete ({type(exc).__name__})",
                    hint=f"if port {port} is in use, pass `port` with a free one",
                    names=("port",),
                ) from None
        else:
            redirect = f"http://localhost:{port}"
            with warnings.catch_warnings():  # form_post: the browser would post to a dead
                warnings.simplefilter("ignore", UserWarning)  # page, leaving nothing to paste
                flow = app.initiate_auth_code_flow(scopes, redirect_uri=redirect,
                                                   prompt="select_account")  # fmt: skip
            show(
                "Open this address in a browser on any machine, sign in, and allow access:\n"
                f"\n  {flow['auth_uri']}\n\n"
                f"The browser then goes to an address starting with {redirect} that will "
                "not load. Copy that whole address from the address bar and paste it here."
            )
            reply = _reply(ask("Address: ").strip(), flow["state"])
            result = app.acquire_token_by_auth_code_flow(flow, reply)
    except OSError as exc:
        raise identity.unreachable(exc, where) from None
    except (ValueError, RuntimeError) as exc:  # msal: state or nonce mismatch
        raise CredentialError(
            f"the sign-in did not complete ({type(exc).__name__})",
            hint="run auth login again and paste the newest address",
        ) from None
    except identity.unreadable() as exc:
        raise identity.garbled(exc, where) from None
    if not isinstance(result, dict) or "access_token" not in result:
        raise identity.failed(result, "Microsoft did not accept the sign-in")
    granted = _granted(result)
    missing = [s for s in scopes if s.rsplit("/", 1)[-1].lower() not in granted]
    if missing:
        raise CredentialError(
            f"Microsoft granted only part of the access asked for (not {', '.join(missing)})",
            hint="an admin may need to grant consent (see docs/microsoft.md)",
        )
    _write(destination, client_id, where, scopes, cache)
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("name") or "unknown")


def status(path: Path) -> dict[str, Any]:
    """Who is signed in, with which scopes, to which app: the token is refreshed first,
    so a revoked sign-in shows here, and never printed."""
    signed_in = SignedIn(path)
    signed_in()
    return {"user": signed_in.username, "scopes": signed_in.scopes,
            "client_id": signed_in.app.client_id, "token": str(path)}  # fmt: skip


def logout(path: Path) -> bool:
    """Remove the saved sign-in; False when there was none."""
    return remove_sign_in(path)


def _reply(pasted: str, state: str) -> dict[str, str]:
    """The pasted redirect address (or a bare code) as the reply msal checks."""
    if not pasted:
        raise CredentialError("nothing was pasted", hint="run auth login again")
    if "://" not in pasted and "=" not in pasted:
        return {"code": pasted, "state": state}
    query = {k: v[0] for k, v in parse_qs(urlsplit(pasted).query).items()}
    if "error" in query:
        raise identity.failed(query, "Microsoft refused the sign-in")
    if query.get("state", state) != state:
        raise CredentialError(
            "the pasted address belongs to another sign-in attempt",
            hint="paste the address from this attempt",
        )
    if "code" not in query:
        raise CredentialError(
            "the pasted address has no code= in it",
            hint="copy the whole address from the browser's address bar",
        )
    return {**query, "state": state}


def _granted(result: dict[str, Any]) -> set[str]:
    scope = result.get("scope") or ""
    names = scope.split() if isinstance(scope, str) else list(scope)
    return {str(n).rsplit("/", 1)[-1].lower() for n in names}


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CredentialError(
            "not signed in to Microsoft 365",
            where=Location(path),
            hint=f"{LOGIN_HINT} (or set ROUTINE_AUDIT_GRAPH_TOKEN)",
        )
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise identity.cannot_read(
            path, "the saved sign-in", exc,
            hint="run as the user who signed in, or give that user the file (chmod 600)",
        ) from None  # fmt: skip
    except ValueError:
        raise _damaged(path) from None
    if not (
        isinstance(saved, dict)
        and saved.get("kind") == KIND
        and all(isinstance(saved.get(f), str) and saved[f] for f in TEXT_FIELDS)
        and isinstance(saved.get("scopes"), list)
        and saved["scopes"]
        and all(isinstance(s, str) for s in saved["scopes"])
        # the refresh token goes to the authority: never in the clear, even if edited
        and urlsplit(saved["authority"]).scheme == "https"
    ):
        raise _damaged(path)
    owner_only(path, "this saved Microsoft sign-in (its refresh token)", fix=True)
    return saved


def _write(path: Path, client_id: str, authority: str, scopes: list[str], cache: Any) -> None:
    saved = {"kind": KIND, "client_id": client_id, "authority": authority,
             "scopes": list(scopes), "msal_cache": cache.serialize()}  # fmt: skip
    write_text_atomic(path, json.dumps(saved, indent=1) + "\n", private=True)


def _damaged(path: Path) -> CredentialError:
    return CredentialError(
        "not a saved Microsoft sign-in", where=Location(path), hint=f"{LOGIN_HINT} again"
    )
