"""Where a CalDAV password comes from: the environment variable a calendar entry names
(``password_env``), else the OS keyring when the ``keyring`` package is installed.

A password never comes from a team file or an option: those are shared and logged.
It is held in a ``Secret``, whose repr and str never show it.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from ...errors import CredentialError, Location

# keyring entries: service "routine-audit:HOST", user the CalDAV username
KEYRING_PREFIX = "routine-audit:"


class Secret:
    """A password, shown as "***" wherever it is printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def keyring_service(url: str) -> str:
    """The keyring service name of a server: ``routine-audit:`` and its host name."""
    return KEYRING_PREFIX + (urlsplit(url).hostname or "")


def find_password(
    *, url: str, username: str | None, password_env: str | None, where: Location
) -> Secret | None:
    """The password for ``username`` at ``url``; None with no username (no sign-in)."""
    if password_env:
        value = os.environ.get(password_env, "")
        if value:
            return Secret(value)
    if username:
        found = _from_keyring(keyring_service(url), username)
        if found:
            return Secret(found)
    if not username and not password_env:
        return None
    service = keyring_service(url)
    if password_env:
        raise CredentialError(
            f"the environment variable {password_env} (password_env) is not set, or empty",
            where=where,
            hint=f"set {password_env} to the account's app password"
            + (f", or store it with: keyring set {service} {username}" if username else ""),
        )
    raise CredentialError(
        f"no password for {username}",
        where=where,
        hint="name an environment variable holding the app password with password_env, "
        f"or store it with: keyring set {service} {username}",
    )


def _from_keyring(service: str, username: str) -> str | None:
    """The keyring's password, when ``keyring`` is installed and holds one."""
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(service, username)
    except Exception:  # noqa: BLE001  (no backend, a locked keyring: as if none held)
        return None
