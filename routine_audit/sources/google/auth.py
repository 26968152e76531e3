"""Google sign-in: the rep's OAuth token, or a Workspace service account.

Secrets never reach output or logs: messages name files, never their content.
The token file is the standard authorized-user JSON that google-auth reads
and writes, created owner-only and replaced atomically; one that others can read is
made owner-only again, with a warning, when it is read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from ...atomic import write_text_atomic
from ...errors import CredentialError, Location
from ...secret_files import owner_only, remove_sign_in

# least privilege: read events, and list the calendars the account can see
SCOPES = (
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
# A saved sign-in may hold broader scopes (an older sign-in, another tool's token): each
# scope we ask for -> the scopes that allow it too (the Calendar API reference lists them
# per method: events.list, calendarList.list)
_COVERED_BY = {
    SCOPES[0]: ("calendar.events.readonly", "calendar.events", "calendar.readonly", "calendar"),
    SCOPES[1]: (
        "calendar.calendarlist.readonly",
        "calendar.calendarlist",
        "calendar.readonly",
        "calendar",
    ),
}
ENV_CLIENT_SECRETS = "ROUTINE_AUDIT_CLIENT_SECRETS"
ENV_TOKEN = "ROUTINE_AUDIT_TOKEN"
ENV_TOKEN_URI = "ROUTINE_AUDIT_GOOGLE_TOKEN_URI"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
SETUP_HINT = "see docs/google.md to create an OAuth client"
LOGIN_HINT = "run: routine-audit auth login"
BROWSER_PROMPT = "Opening your browser to sign in to Google:\n{url}"
BROWSER_DONE = "Signed in. You can close this tab and return to the terminal."


def config_dir() -> Path:
    """The user's config folder for routine-audit (e.g. ~/.config/routine-audit)."""
    from platformdirs import user_config_path

    return user_config_path("routine-audit")


def token_path(option: str | Path | None = None) -> Path:
    """--token, else $ROUTINE_AUDIT_TOKEN, else token.json in the config folder."""
    return Path(option or os.environ.get(ENV_TOKEN) or config_dir() / "token.json")


def client_secrets_path(option: str | Path | None = None) -> Path:
    """``option`` (--client-secrets), else $ROUTINE_AUDIT_CLIENT_SECRETS, else the config folder."""
    path = Path(
        option or os.environ.get(ENV_CLIENT_SECRETS) or config_dir() / "client_secrets.json"
    )
    if not path.is_file():
        raise CredentialError(
            "no OAuth client file here",
            where=Location(path),
            hint=f"pass `client_secrets` FILE or set {ENV_CLIENT_SECRETS}; {SETUP_HINT}",
            names=("client_secrets",),
        )
    return path


def token_uri() -> str:
    """The OAuth token endpoint (overridable for proxies and tests)."""
    return os.environ.get(ENV_TOKEN_URI) or DEFAULT_TOKEN_URI


def load_user_credentials(path: Path) -> Any:
    """The saved sign-in, refreshed if it expired; never prompts."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    if not path.is_file():
        raise CredentialError("not signed in to Google", where=Location(path), hint=LOGIN_HINT)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(info, dict):
            raise ValueError("not a JSON object")
        saved = Credentials.from_authorized_user_info(info)
        # google-auth ignores a token_uri in the file when refreshing: set it explicitly;
        # with_token_uri() drops the expiry, which decides whether to refresh first
        credentials = saved.with_token_uri(token_uri())
        credentials.expiry = saved.expiry
    except OSError as exc:  # e.g. a token owned by another user: cron runs as someone else
        raise CredentialError(
            f"cannot read the saved sign-in: {exc.strerror or type(exc).__name__}",
            where=Location(path),
            hint="run as the user who signed in, or give that user the file (chmod 600)",
        ) from None
    except (ValueError, KeyError) as exc:
        raise CredentialError(
            f"the saved sign-in is not an authorized-user token ({type(exc).__name__})",
            where=Location(path),
            hint=LOGIN_HINT,
        ) from None
    if not covers(credentials.scopes or SCOPES):
        raise CredentialError(
            "the saved sign-in lacks the calendar read scopes",
            where=Location(path),
            hint=LOGIN_HINT,
        )
    owner_only(path, "this saved Google sign-in (its refresh token)", fix=True)
    if not credentials.valid:
        try:
            credentials.refresh(Request())
        except RefreshError:
            raise CredentialError(
                "the saved Google sign-in was revoked or has expired",
                where=Location(path),
                hint=f"{LOGIN_HINT} again",
            ) from None
        except TransportError as exc:
            raise CredentialError(
                f"cannot reach Google's token endpoint to refresh the sign-in: {_first_line(exc)}",
                hint="check the network",
            ) from None
        save_credentials(credentials, path)
    return credentials


def covers(granted: Iterable[str]) -> bool:
    """Whether ``granted`` scopes allow all we do: each of ``SCOPES`` or a broader one."""
    held = set(granted)
    return all(
        held.intersection(f"https://www.googleapis.com/auth/{name}" for name in _COVERED_BY[scope])
        for scope in SCOPES
    )


def save_credentials(credentials: Any, path: Path) -> Path:
    """Write the authorized-user JSON atomically, readable by the owner only."""
    return write_text_atomic(path, credentials.to_json(), private=True)


def service_account_credentials(key_file: str | Path, subject: str) -> Any:
    """Credentials of a Workspace service account acting as ``subject`` (domain-wide)."""
    from google.oauth2 import service_account

    path = Path(key_file)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialError("service-account key file not found", where=Location(path)) from None
    except OSError as exc:
        raise CredentialError(
            f"cannot read the service-account key: {exc.strerror or type(exc).__name__}",
            where=Location(path),
        ) from None
    except ValueError:
        raise CredentialError("not a JSON key file", where=Location(path)) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise CredentialError(
            "not a service-account key (its type is not service_account)",
            where=Location(path),
            hint="download a JSON key for the service account in the Cloud console",
        )
    info = {
        **info,
        "token_uri": token_uri()
        if os.environ.get(ENV_TOKEN_URI)
        else info.get("token_uri", DEFAULT_TOKEN_URI),
    }
    try:
        return service_account.Credentials.from_service_account_info(
            info, scopes=list(SCOPES), subject=subject
        )
    except (ValueError, KeyError) as exc:
        raise CredentialError(
            f"the service-account key is incomplete or damaged ({type(exc).__name__})",
            where=Location(path),
        ) from None


def login(
    client_secrets: Path,
    destination: Path,
    *,
    browser: bool,
    port: int,
    show: Callable[[str], None],
    ask: Callable[[str], str],
) -> Any:
    """Sign in with the installed-app flow and save the token to ``destination``.

    With ``browser`` a local server receives the redirect; without it the user
    opens the printed address anywhere and pastes back the address the browser
    was redirected to (Google no longer offers the copy-a-code flow).
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_config(_client_config(client_secrets), list(SCOPES))
    if browser:
        try:
            with _loopback_token_endpoint(flow.client_config["token_uri"]), _any_granted_scopes():
                credentials = flow.run_local_server(
                    port=port,
                    open_browser=True,
                    authorization_prompt_message=BROWSER_PROMPT,
                    success_message=BROWSER_DONE,
                    access_type="offline",
                    prompt="consent",
                )
        except OSError as exc:
            raise CredentialError(
                f"cannot listen on port {port} for the sign-in redirect: {exc.strerror}",
                hint="pass `port` with a free port, or use `browser=False`",
                names=("port", "browser=False"),
            ) from None
        except Exception as exc:  # noqa: BLE001  (oauthlib raises many kinds)
            raise CredentialError(
                f"the sign-in did not complete: {_first_line(exc)}",
                hint="run auth login again",
            ) from None
    else:
        flow.redirect_uri = f"http://localhost:{port}/"
        url, state = flow.authorization_url(access_type="offline", prompt="consent")
        show(
            "Open this address in a browser on any machine, sign in, and allow access:\n"
            f"\n  {url}\n\n"
            "The browser then goes to an address starting with "
            f"http://localhost:{port}/ that will not load. Copy that whole address from "
            "the address bar and paste it here."
        )
        code = _code_from_redirect(ask("Address: ").strip(), state)
        try:
            with _loopback_token_endpoint(flow.client_config["token_uri"]), _any_granted_scopes():
                flow.fetch_token(code=code)
        except Exception as exc:  # noqa: BLE001  (oauthlib raises many kinds)
            raise CredentialError(
                f"Google did not accept the sign-in: {_first_line(exc)}",
                hint="run auth login again and paste the newest address",
            ) from None
        credentials = flow.credentials
    if not covers(credentials.granted_scopes or credentials.scopes or ()):
        raise CredentialError(
            "Google granted only part of the calendar read access asked for",
            hint="run auth login again and allow every access it asks for",
        )
    save_credentials(credentials, destination)
    return credentials


def logout(path: Path) -> bool:
    """Remove the saved token; False when there was none."""
    return remove_sign_in(path)


def _client_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CredentialError(
            "not a JSON OAuth client file", where=Location(path), hint=SETUP_HINT
        ) from None
    if not isinstance(config, dict):
        raise CredentialError("not an OAuth client file", where=Location(path), hint=SETUP_HINT)
    section = next((k for k in ("installed", "web") if isinstance(config.get(k), dict)), None)
    if section is None or "client_id" not in config[section]:
        raise CredentialError(
            "not an OAuth client file (expected an 'installed' section with client_id)",
            where=Location(path),
            hint="create a Desktop app OAuth client; " + SETUP_HINT,
        )
    client = {**config[section]}
    client.setdefault("auth_uri", "https://accounts.google.com/o/oauth2/auth")
    if os.environ.get(ENV_TOKEN_URI) or "token_uri" not in client:
        client["token_uri"] = token_uri()
    return {"installed": client}


def _code_from_redirect(pasted: str, state: str) -> str:
    """The authorization code from the pasted redirect address (or a bare code)."""
    if not pasted:
        raise CredentialError("nothing was pasted", hint="run auth login again")
    if "://" not in pasted and "=" not in pasted:
        return pasted
    query = parse_qs(urlparse(pasted).query)
    if "error" in query:
        raise CredentialError(
            f"Google refused the sign-in: {query['error'][0]}", hint="run auth login again"
        )
    if query.get("state", [state])[0] != state:
        raise CredentialError(
            "the pasted address belongs to another sign-in attempt",
            hint="paste the address from this attempt",
        )
    if "code" not in query:
        raise CredentialError(
            "the pasted address has no code= in it",
            hint="copy the whole address from the browser's address bar",
        )
    return query["code"][0]


@contextmanager
def _loopback_token_endpoint(uri: str) -> Iterator[None]:
    """oauthlib insists on https; a token endpoint on this machine is safe over http."""
    parsed = urlparse(uri)
    loopback = parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1")
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    if loopback:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if loopback and before is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)


@contextmanager
def _any_granted_scopes() -> Iterator[None]:
    """oauthlib refuses a token whose scopes differ from those asked for; Google may grant
    more (an earlier, broader sign-in) or less (access unticked): ``covers`` judges."""
    before = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
