"""One error hierarchy, and the exit codes it maps to.

A ``UserError`` means "bad input, not a bug": the CLI prints its one-line
message and exits with its code, never with a traceback.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from .visible import visible


class ExitCode(IntEnum):
    """Exit codes shared by every command (documented in the README)."""

    OK = 0
    PARTIAL = 1  # done, but some input could not be read; the report says what
    USAGE = 2  # usage, configuration or credential error
    NOTHING = 3  # nothing could be audited at all (team runs)


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits: file, field path and line, as far as known."""

    file: str | Path | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(f"{self.file}:{self.line}" if self.line else str(self.file))
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


class RoutineAuditError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE


class UserError(RoutineAuditError):
    """Bad input or setup that the user can fix; shown as one line, no traceback.

    ``message`` is data, never content: it must not quote a calendar or a server.
    ``detail`` holds their own words (a parser's complaint, an HTTP reason), which may
    quote a calendar line or a private event's TZID: the calendar's owner alone sees it
    (``owner_line``); a manager, a team run and a log get ``one_line``, without it.
    ``names`` are the parameters the message and hint name, in backquotes, in the
    library's own words (`weeks`, `service_account`); the CLI turns them into its flags
    (``with_flags``).
    """

    def __init__(
        self,
        message: str,
        *,
        where: Location | None = None,
        hint: str | None = None,
        detail: str | None = None,
        names: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.where = where
        self.hint = hint
        self.detail = detail or None
        self.names = names
        super().__init__(self.one_line())

    def with_flags(self, flag: Callable[[str], str]) -> UserError:
        """This error in a front end's words: each of ``names``, written in backquotes
        in the message and hint, as ``flag(name)``, e.g. `weeks` as --weeks."""
        if not self.names:
            return self
        words = "|".join(re.escape(name) for name in self.names)
        pattern = re.compile(rf"`({words})`")

        def reword(text: str | None) -> str | None:
            return text and pattern.sub(lambda m: flag(m[1]), text)

        worded = copy.copy(self)
        worded.message, worded.hint, worded.names = reword(self.message), reword(self.hint), ()
        worded.args = (worded.one_line(),)
        return worded

    def one_line(self) -> str:
        """The message as the CLI prints it: place, problem, fix; without ``detail``."""
        return self._line(self.message)

    def owner_line(self) -> str:
        """``one_line`` with the ``detail``, control characters made visible (the owner's)."""
        if not self.detail:
            return self.one_line()
        return self._line(f"{self.message}: {self.detail}")

    def _line(self, message: str) -> str:
        text = f"{self.where}: {message}" if self.where and str(self.where) else message
        if self.hint:
            text = f"{text} ({self.hint})"
        return visible(" ".join(text.split()))


class ConfigError(UserError):
    """A rule, routine or team file is missing or invalid."""


class ConfigFileError(ConfigError):
    """Every problem found in one file: the first is the one-line message (naming how
    many more there are); ``problems`` holds them all (``rules check`` lists them)."""

    def __init__(self, problems: list[ConfigError]) -> None:
        self.problems = tuple(problems)
        first, more = problems[0], len(problems) - 1
        extra = f"and {more} more problem{'s' if more > 1 else ''}; rules check lists them all"
        hint = "; ".join(h for h in (first.hint, extra if more else None) if h) or None
        super().__init__(first.message, where=first.where, hint=hint)


class UsageError(UserError):
    """Options that do not fit together, or a value of the wrong form."""


class CredentialError(UserError):
    """Missing, expired or revoked credentials."""


class SourceError(UserError):
    """A calendar could not be read at all (file, folder, feed or API).

    Raised only when nothing usable is left; a bad file among several, or a
    bad event in a file, is recorded as a data-quality problem instead.
    """
