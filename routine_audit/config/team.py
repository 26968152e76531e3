"""The team file (kind: team): who is on the team, where their calendars and
routines are, where reports and history go, and how mail is sent.

Relative paths resolve against the team file's folder, never the working
directory (cron starts elsewhere).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn
from urllib.parse import quote, urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import UserError
from ..sources.base import SharedCredentials, Source, SourceContext, SourceSettings
from ..timezones import resolve_zone
from .schema import Rep, Routine, Strict, display_name, email_address


class CalendarRef(Strict):
    """Where a rep's calendar is: ``{type: NAME, ...}``, the named source's settings.

    Version-1 files may also write the short forms ``{ics: PATH_OR_URL}`` and
    ``{google: CALENDAR_ID}``: they read as ``{type: ics, location: ...}`` and
    ``{type: google, id: ...}`` (``rules check`` suggests the new form).
    """

    type: str = Field(
        description="the calendar source: ics, google, or a plug-in's name; the source's "
        "own settings sit beside it"
    )
    _settings: SourceSettings | None = PrivateAttr(None)
    _old_form: str | None = PrivateAttr(None)  # "ics" or "google": written in the short form

    @classmethod
    def of(cls, name: str, settings: SourceSettings, old_form: str | None = None) -> CalendarRef:
        """The entry for the source ``name`` with its validated ``settings`` (what
        ``calendar_entry`` builds); ``old_form`` when the file used a short form."""
        entry = cls.model_construct(type=name)
        entry._settings = settings
        entry._old_form = old_form
        return entry

    @property
    def settings(self) -> SourceSettings:
        assert self._settings is not None  # set by ``of``
        return self._settings

    @property
    def old_form(self) -> str | None:
        return self._old_form

    @property
    def source_class(self) -> type[Source]:
        from ..sources import source_class

        return source_class(self.type)


# the short forms of version 1: key -> (source, the settings field it stands for)
OLD_FORMS = {"ics": ("ics", "location"), "google": ("google", "id")}
_FORMS = (
    "expected a mapping such as {type: ics, location: PATH_OR_URL} or "
    "{type: google, id: CALENDAR_ID}"
)


def calendar_entry(value: object) -> object:
    """A team file's ``calendar:`` validated by its source's settings model; problems are
    located at the entry's own keys (the short forms' included)."""
    if isinstance(value, CalendarRef) or not isinstance(value, dict):
        return value if isinstance(value, CalendarRef) else _fail((), _FORMS, value)
    if "type" in value:
        name, values, old, renamed = value["type"], dict(value), None, {}
        values.pop("type")
        if not isinstance(name, str):
            _fail(("type",), "expected text: a source's name such as ics or google", name)
    else:
        given = [key for key in OLD_FORMS if value.get(key) is not None]
        if len(given) != 1:
            _fail((), "give type: (e.g. {type: ics, location: PATH_OR_URL}), or exactly one "
                  "of ics: or google:", value)  # fmt: skip
        old = given[0]
        name, field = OLD_FORMS[old]
        values = {k: v for k, v in value.items() if k not in OLD_FORMS}
        values[field] = value[old]
        renamed = {field: old}
    from ..errors import UsageError
    from ..sources import source_class

    try:
        kind = source_class(name)
    except UsageError as exc:
        _fail(("type",), f"{exc.message}; {exc.hint}" if exc.hint else exc.message, name)
    absent = [
        {"type": "missing", "loc": (key,), "input": value}
        for key in kind.Settings.entry_requires
        if values.get(key) is None
    ]
    try:
        settings = kind.Settings.model_validate(values)
    except ValidationError as exc:
        raise _relocated(exc, renamed, absent) from None
    if absent:
        raise ValidationError.from_exception_data("calendar", absent)
    return CalendarRef.of(name, settings, old)


def _fail(key: tuple[str, ...], message: str, value: object) -> NoReturn:
    raise ValidationError.from_exception_data(
        "calendar",
        [
            {
                "type": "value_error",
                "loc": key,
                "input": value,
                "ctx": {"error": ValueError(message)},
            }
        ],
    )


def _relocated(
    exc: ValidationError, renamed: dict[str, str], absent: list[dict[str, Any]]
) -> ValidationError:
    """The settings' errors at the keys the file wrote (``ics:`` for ``location``), and
    the ``absent`` settings a team file's entry requires."""
    errors = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if loc and loc[0] in renamed:
            loc = (renamed[str(loc[0])], *loc[1:])
        detail = {"type": error["type"], "loc": loc, "input": error.get("input")}
        if error.get("ctx"):
            detail["ctx"] = error["ctx"]
        errors.append(detail)
    return ValidationError.from_exception_data(exc.title, errors + absent)


class Member(Strict):
    """One rep of the team."""

    email: str = Field(description="the rep's address: their key in reports and history")
    name: str = Field("", description="display name")
    calendar: Annotated[CalendarRef, BeforeValidator(calendar_entry)] = Field(
        description="{type: ics, location: PATH_OR_URL} or {type: google, id: CALENDAR_ID} "
        "(or a plug-in's type); version 1 also takes ics: PATH_OR_URL or google: CALENDAR_ID"
    )
    routine: str | None = Field(None, description="the rep's routine file; the team's if absent")
    share_titles: bool | None = Field(
        None, description="may the manager see this rep's event titles? (overrides the routine)"
    )

    _email = field_validator("email")(email_address)
    _name = field_validator("name")(display_name)


class Person(Strict):
    email: str = Field(description="address")
    name: str = Field("", description="display name")

    _email = field_validator("email")(email_address)
    _name = field_validator("name")(display_name)


class GoogleAccess(Strict):
    """How the team's Google calendars are read."""

    token: str | None = Field(None, description="a saved sign-in (auth login --token PATH)")
    service_account: str | None = Field(
        None, description="a service-account key with domain-wide delegation (acts as each rep)"
    )


class MicrosoftAccess(Strict):
    """How the team's Microsoft 365 calendars are read (docs/microsoft.md)."""

    tenant: str | None = Field(None, description="the Entra tenant (id or domain)")
    client_id: str | None = Field(None, description="the app registration's client id")
    certificate: str | None = Field(
        None, description="app-only: a PEM file with the app's private key and certificate"
    )
    token: str | None = Field(
        None, description="a saved sign-in (auth login --provider microsoft --token PATH)"
    )

    @model_validator(mode="after")
    def _one_way_in(self) -> MicrosoftAccess:
        if self.certificate and not (self.tenant and self.client_id):
            raise ValueError("certificate needs tenant and client_id beside it (app-only)")
        if self.certificate and self.token:
            raise ValueError("give either certificate (app-only) or token (a saved sign-in)")
        return self


# the From: header: a bare address, or a display name (plain words, or one quoted string)
# and the address in angle brackets
_SENDER = re.compile(
    r'^\s*(?:(?:[^<>@,;:"\\]*|"[^"\\]*")\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s",;]+))\s*$'
)


class MailSection(Strict):
    """SMTP delivery; credentials come from environment variables, never the file."""

    host: str = Field(description="SMTP server")
    port: int = Field(587, ge=1, le=65535, description="SMTP port")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description="transport")
    sender: str = Field(alias="from", description="the From: address")
    username_env: str | None = Field(None, description="variable holding the SMTP user name")
    password_env: str | None = Field(None, description="variable holding the SMTP password")
    to_manager: bool = Field(True, description="mail the manager the team roll-up")
    to_reps: bool = Field(False, description="mail each rep their own report")

    @field_validator("sender")
    @classmethod
    def _one_sender(cls, value: str) -> str:
        """One address, bare or as ``Name <address>``: it becomes the From: header, which
        refuses line breaks (every mail would fail), and the envelope sender."""
        match = _SENDER.match(value)
        if match is None or re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError(
                f"{value!r} is not one sender address (ra@example.com, or "
                "Routine Audit <ra@example.com>; no commas or line breaks)"
            )
        address = match["address"] or match["bare"]
        email_address(address)
        return value.strip()

    @field_validator("host")
    @classmethod
    def _one_host(cls, value: str) -> str:
        if not value.strip() or re.search(r"[\s\x00-\x1f\x7f/]", value.strip()):
            raise ValueError(f"{value!r} is not a host name (e.g. smtp.example.com)")
        return value.strip()

    @model_validator(mode="after")
    def _credentials_pair(self) -> MailSection:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError(
                "username_env and password_env go together: name both variables, or neither"
            )
        return self

    def missing_variables(self) -> list[str]:
        """Warnings for credential variables not set in this environment (cron's differs,
        so this is not an error here)."""
        return [
            f"mail.{field}: the environment variable {name} is not set here; set it where "
            "the run starts (the crontab line or the unit file)"
            for field, name in (("username_env", self.username_env),
                                ("password_env", self.password_env))
            if name is not None and name not in os.environ
        ]  # fmt: skip


_URL_EXAMPLE = "e.g. https://intranet.example/sales/reports/"


def served_url(value: str | None) -> str | None:
    """``value`` if it can be the base of the report links: an absolute http(s) address
    with a host, and nothing that would not survive adding a path to it (the ValueError
    says what, in one line: ``rules check`` shows it with the field)."""
    if value is None:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or re.search(r"[\s\x00-\x1f\x7f\\]", value)
        or not value.lower().startswith(("http://", "https://"))
    ):
        raise ValueError(f"expected an http:// or https:// address, {_URL_EXAMPLE}")
    try:
        port = parts.port  # raises for a port that is not a number or out of range
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"the port is not a number from 1 to 65535, {_URL_EXAMPLE}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password: every mail would carry it")
    if "?" in value or "#" in value:
        raise ValueError(
            "must not have a query (?) or fragment (#): the week's folder and the page's "
            f"file name are added to its path, {_URL_EXAMPLE}"
        )
    return value


def page_url(base: str, *names: str) -> str:
    """The address of ``names`` (a folder, then a file) under the served folder ``base``:
    one slash between the parts however many ``base`` ends with; each name
    percent-encoded whole (``+`` is ``%2B``, ``/`` could never split it), and the base's
    own path only where it is not ASCII (what the admin wrote is kept)."""
    parts = urlsplit(base)
    path = quote(parts.path.rstrip("/"), safe="/%:@!$&'()*+,;=~")
    tail = "/".join(quote(name, safe="") for name in names)
    return f"{parts.scheme}://{parts.netloc}{path}/{tail}"


class TeamFile(Strict):
    """A team (kind: team)."""

    kind: Literal["team"] = "team"
    version: Literal[1] = 1
    name: str = Field(description="the team's name, shown in reports and used in paths")

    _name = field_validator("name")(display_name)
    timezone: str = Field(description="IANA zone: the week every rep is audited for")
    days_in: Literal["team", "rep"] = Field(
        "team",
        description="book hours on the team zone's dates, or on each rep's own (routine) dates",
    )
    routine: str | None = Field(None, description="the team's default routine file")
    rules: str | None = Field(None, description="classification rules; the defaults if absent")
    output_dir: str | None = Field(None, description="reports go here; default reports/<team>")
    report_url: str | None = Field(
        None, description="the http(s) address where output_dir is served; mails link to it"
    )
    db: str | None = Field(None, description="history database; default in the user data dir")
    manager: Person | None = Field(None, description="who gets the roll-up")
    google: GoogleAccess = Field(default_factory=GoogleAccess, description="Google access")
    microsoft: MicrosoftAccess = Field(
        default_factory=MicrosoftAccess, description="Microsoft 365 access"
    )
    mail: MailSection | None = Field(None, description="SMTP delivery (optional)")
    reps: tuple[Member, ...] = Field(min_length=1, description="the team's reps")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if resolve_zone(value) is None:
            raise ValueError(f"{value!r} is not a known time zone; use an IANA name")
        return value

    _report_url = field_validator("report_url")(served_url)

    @model_validator(mode="after")
    def _consistent(self) -> TeamFile:
        emails = [m.email for m in self.reps]
        duplicate = next((e for e in emails if emails.count(e) > 1), None)
        if duplicate:
            raise ValueError(f"{duplicate} is listed twice")
        for member in self.reps:
            if member.routine is None and self.routine is None:
                raise ValueError(f"{member.email} has no routine: and the team has none")
        return self


@dataclass(frozen=True)
class Team:
    """A validated team file with every path resolved against its folder."""

    path: Path
    spec: TeamFile
    # how a member's routine file is read (``load_team`` gives ``load_routine``): the
    # team model does not import the loader, which imports the team model
    read_routine: Callable[[Path], Routine] = field(repr=False, compare=False)
    _routine_cache: dict[Path, Routine] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # rep email -> why that rep cannot be audited (filled by ``load_team``; see there)
    problems: dict[str, UserError] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def slug(self) -> str:
        """The team's name as a folder name."""
        return re.sub(r"[^a-z0-9]+", "-", self.spec.name.lower()).strip("-") or "team"

    def resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)

    @property
    def output_dir(self) -> Path:
        return self.resolve(self.spec.output_dir or f"reports/{self.slug}")

    def page_url(self, week: str, file_name: str) -> str | None:
        """Where ``<output_dir>/<week>/<file_name>`` is served (None: no ``report_url``)."""
        base = self.spec.report_url
        return None if base is None else page_url(base, week, file_name)

    @property
    def db_path(self) -> Path | None:
        return self.resolve(self.spec.db) if self.spec.db else None

    @property
    def rules_path(self) -> Path | None:
        return self.resolve(self.spec.rules) if self.spec.rules else None

    def routine_path(self, member: Member) -> Path:
        return self.resolve(member.routine or self.spec.routine or "")

    def calendar_locations(self, member: Member) -> list[str]:
        """The member's .ics locations, local paths resolved, URLs untouched (none for a
        calendar of another source)."""
        settings = member.calendar.settings
        values = getattr(settings, "locations", []) if member.calendar.type == "ics" else []
        return [str(self.resolve(v)) if "://" not in v else v for v in map(str, values)]

    def shared_credentials(self) -> SharedCredentials:
        """What the reps' sources share for one run (the ``google:`` and ``microsoft:``
        sign-in settings)."""
        return SharedCredentials({"google": self.spec.google, "microsoft": self.spec.microsoft})

    def source_context(
        self, member: Member, credentials: SharedCredentials | None = None
    ) -> SourceContext:
        """What the member's source is opened with: the team file's folder for relative
        paths, the run's shared credentials, the rep (whom a service account acts as)."""
        return SourceContext(
            self.path.parent, credentials or self.shared_credentials(), member.email
        )

    def open_calendar(self, member: Member, credentials: SharedCredentials | None = None) -> Source:
        """The member's calendar source, opened through the registry."""
        entry = member.calendar
        return entry.source_class.open(entry.settings, self.source_context(member, credentials))

    def reads_network(self, member: Member) -> bool:
        """Whether the member's calendar is read over the network (feeds, APIs)."""
        return member.calendar.source_class.is_networked(member.calendar.settings)

    def member_routine(self, member: Member) -> Routine:
        """The member's routine, with the rep and privacy setting from the team file."""
        from ..errors import ConfigError, Location

        path = self.routine_path(member)
        routine = self._routine_cache.get(path)
        if routine is None:  # a team default is shared by many reps: read it once
            routine = self._routine_cache.setdefault(path, self.read_routine(path))
        update: dict[str, object] = {}
        if routine.rep is None:
            update["rep"] = Rep(email=member.email, name=member.name or member.email)
        elif member.email not in routine.addresses:
            raise ConfigError(
                f"this routine is {routine.rep.email}'s, but the team file uses it for "
                f"{member.email}",
                where=Location(path, "rep.email"),
                hint="fix the routine: path in the team file",
            )
        elif member.name and routine.rep.name != member.name:
            update["rep"] = routine.rep.model_copy(update={"name": member.name})
        if member.share_titles is not None:
            update["share_titles"] = member.share_titles
        return routine.model_copy(update=update) if update else routine
