"""Where and as whom a CalDAV exchange signs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...errors import Location
from .password import Secret


@dataclass(frozen=True)
class Account:
    """Where and as whom to sign in; ``repr`` shows no password."""

    url: str
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    verify: bool | str = True  # a CA bundle's path, or True: the system's
    timeout: float = 60.0  # seconds for one exchange in all

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "?"

    @property
    def where(self) -> Location:
        return Location(f"CalDAV server {self.host}")
