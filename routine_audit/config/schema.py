"""The schemas of the rule files users edit: routines and classification rules.

Field documentation lives in the ``description`` of each field; docs/rules.md
is checked against these models by a test.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from ..timezones import resolve_zone
from ..unit_kinds import UNITS, unit_kind

if TYPE_CHECKING:
    from ..inputs import InputFile, RoutineSource

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_GROUPS = {
    "weekdays": WEEKDAYS[:5],
    "weekend": WEEKDAYS[5:],
    "every day": WEEKDAYS,
    "daily": WEEKDAYS,
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_days(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("expected a list of weekdays such as [mon, wed, fri], or 'weekdays'")
    days: list[str] = []
    for item in items:
        name = str(item).strip().lower()
        if name in _DAY_GROUPS:
            days.extend(_DAY_GROUPS[name])
        elif name in WEEKDAYS or name in _DAY_NAMES:
            days.append(name[:3])
        else:
            raise ValueError(f"{item!r} is not a weekday (mon, tue, ... sun, or weekdays)")
    return tuple(d for d in WEEKDAYS if d in days)


def _parse_clock(value: object) -> time:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 18:00 as the sexagesimal number 1080
        if value == 24 * 60:
            return time.max
        return time(value // 60, value % 60) if 0 <= value < 24 * 60 else _bad_clock(value)
    text = str(value).strip()
    match = re.match(r"^(\d{1,2}):(\d{2})$", text)
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        return _bad_clock(value)
    hour, minute = int(match[1]), int(match[2])
    if hour == 24:
        if minute:
            return _bad_clock(value)
        return time.max  # end of day
    return time(hour, minute)


def _bad_clock(value: object) -> time:
    raise ValueError(f"{value!r} is not a time of day; use HH:MM, e.g. '08:30'")


Days = Annotated[tuple[str, ...], BeforeValidator(_parse_days)]
Clock = Annotated[time, BeforeValidator(_parse_clock)]


def _parse_spans(value: object) -> tuple[tuple[time, time], ...]:
    if value is None or value is False or value == "off":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("expected 'HH:MM-HH:MM' or a list of them")
    spans = []
    for item in items:
        match = _SPAN.match(str(item))
        if not match:
            raise ValueError(f"{item!r} is not a span; use 'HH:MM-HH:MM', e.g. '09:00-17:30'")
        start = _parse_clock(f"{match[1]}:{match[2]}")
        end = _parse_clock(f"{match[3]}:{match[4]}")
        if end <= start:
            raise ValueError(f"{item!r} ends before it starts")
        spans.append((start, end))
    return tuple(sorted(spans))


Spans = Annotated[tuple[tuple[time, time], ...], BeforeValidator(_parse_spans)]


# the units a commitment may be counted in, one member per entry of the table of units
# (routine_audit/unit_kinds.py): Unit.HOURS, Unit.BLOCKS, Unit.MEETINGS
Unit = StrEnum("Unit", [(name.upper(), name) for name in UNITS], module=__name__)

# which ``per`` each unit allows, from the table (docs/rules.md lists the same table; a
# test compares them)
PER_BY_UNIT: dict[Unit, tuple[str, ...]] = {Unit(name): kind.per for name, kind in UNITS.items()}


class Direction(StrEnum):
    MIN = "min"
    MAX = "max"


class Window(Strict):
    """When a commitment belongs: which weekdays, and which hours (in the routine's zone)."""

    days: Days = Field(WEEKDAYS[:5], description="weekdays the commitment is due on")
    start: Clock = Field(time(0, 0), description="earliest time of day, HH:MM")
    end: Clock = Field(time.max, description="latest time of day, HH:MM (24:00 for midnight)")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError("window end must be after window start")
        return self


class Commitment(Strict):
    """One SMART commitment: an activity, a measurable target, and a window."""

    id: str = Field(description="stable identifier, used in reports and history")
    activity: str = Field(description="the activity the classification rules assign")
    unit: Unit = Field(Unit.HOURS, description=f"{', '.join([*UNITS][:-1])} or {[*UNITS][-1]}")
    per: Literal["day", "week"] = Field("week", description="target per committed day or week")
    target: float = Field(
        gt=0, le=10_000, allow_inf_nan=False, description="the amount per day or week"
    )
    direction: Direction = Field(
        Direction.MIN, description="min: at least the target; max: at most"
    )
    window: Window = Field(default_factory=Window, description="days and hours it belongs in")
    min_block: int = Field(0, ge=0, description="minimum block length in minutes")
    protected: bool = Field(
        False, description="personal priority: nothing else may overlap its blocks"
    )
    description: str = Field("", description="free text shown in reports")

    @field_validator("id", "activity")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"{value!r} must be lower-case letters, digits, '-' or '_', e.g. 'follow-up'"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Commitment:
        allowed = unit_kind(self.unit).per
        if self.per not in allowed:
            raise ValueError(f"{self.unit} are counted per {' or '.join(allowed)}")
        return self


class LimitKind(StrEnum):
    NO_MEETINGS_AFTER = "no_meetings_after"
    NO_MEETINGS_BEFORE = "no_meetings_before"
    DAY_OFF = "day_off"


class Limit(Strict):
    """A working limit the rep and manager agreed on, e.g. no meetings after 18:00."""

    id: str = Field(description="stable identifier")
    kind: LimitKind = Field(description="no_meetings_after, no_meetings_before or day_off")
    time: Clock | None = Field(None, description="the time of day, for *_after and *_before")
    days: Days = Field(WEEKDAYS, description="weekdays the limit applies to")
    description: str = Field("", description="free text shown in reports")

    @model_validator(mode="after")
    def _needs_time(self) -> Limit:
        if self.kind is not LimitKind.DAY_OFF and self.time is None:
            raise ValueError(f"a {self.kind.value} limit needs time: HH:MM")
        return self


class Health(Strict):
    """Thresholds for the calendar-health findings."""

    unclassified_share_max: float = Field(
        0.35, ge=0, le=1, description="flag when more working time than this is unclassified"
    )
    reactive_share_max: float = Field(
        0.3, ge=0, le=1, description="flag when more meetings than this were booked at short notice"
    )
    reactive_lead_hours: float = Field(
        8, gt=0, description="booked with less than this many working hours' notice is reactive"
    )


# one address: a dot-atom local part (RFC 5322 atext without "/"), "@", a domain of
# letters, digits and hyphens; no whitespace, commas, path separators or line breaks
_ADDRESS = re.compile(
    r"^[a-z0-9!#$%&'*+=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+=?^_`{|}~-]+)*"
    r"@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$"
)


def email_address(value: str) -> str:
    """One address as the rep's key: trimmed and lower-case. It names files and mail
    headers, so anything but one plain address (two addresses, a path, a line break) is
    refused."""
    address = value.strip().lower()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise ValueError(
            f"{value!r} is not one email address (letters, digits and . _ + - before the @; "
            "no spaces, commas, slashes or line breaks)"
        )
    return address


def display_name(value: str) -> str:
    """A person's or team's name as reports show it: plain text. Control characters,
    bidi controls and zero-width spaces would reorder or hide what a manager reads."""
    from ..visible import has_control

    if has_control(value) or any(mark in value for mark in ("\u200b", "\ufeff")):
        raise ValueError(
            "a name may not hold control characters, bidi controls or zero-width spaces; "
            "write it as plain text"
        )
    return value.strip()


class Rep(Strict):
    email: str = Field(description="the rep's address: their key in every output")
    name: str = Field("", description="display name")
    aliases: tuple[str, ...] = Field((), description="other addresses that are the rep")

    _email = field_validator("email")(email_address)
    _name = field_validator("name")(display_name)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(email_address(a) for a in value)


class Routine(Strict):
    """A rep's committed routine (kind: routine)."""

    kind: Literal["routine"] = "routine"
    version: Literal[1] = 1
    rep: Rep | None = Field(None, description="who the routine belongs to (absent in a default)")
    timezone: str = Field(description="IANA zone of the routine, e.g. Europe/Berlin")
    internal_domains: tuple[str, ...] = Field(
        (), description="the company's own email domains; other attendees are external"
    )
    working_hours: dict[str, Spans] = Field(
        default_factory=lambda: {d: ((time(9), time(17)),) for d in WEEKDAYS[:5]},
        description="per weekday: 'HH:MM-HH:MM' or a list of spans; absent days are off",
    )
    holidays: tuple[date, ...] = Field((), description="dates off (no targets that day)")
    share_titles: bool = Field(False, description="may a manager see event titles?")
    accountability: str | None = Field(
        None,
        description="how the rep wants to be approached when a commitment slips, in their "
        "words; shown at the top of the 1:1 agenda, to the manager only (one line, at most "
        "1000 characters, control characters removed)",
    )
    commitments: tuple[Commitment, ...] = Field((), description="the SMART commitments")
    limits: tuple[Limit, ...] = Field((), description="working limits")
    health: Health = Field(default_factory=Health, description="calendar-health thresholds")
    rules: str | None = Field(
        None,
        description="classification rules file, relative to the file that names it "
        "(inherited through extends:); the team's or the shipped defaults if absent",
    )
    _source: object = PrivateAttr(None)  # see ``origin``

    @property
    def origin(self) -> RoutineSource | None:
        """Where ``load_routine`` read this routine: its files, their digest and the
        ``rules:`` file they name; None for a routine built in Python."""
        return self._source  # type: ignore[return-value]

    def read_from(self, origin: RoutineSource) -> Routine:
        """This routine, remembering where it was read (what ``load_routine`` does)."""
        self._source = origin
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if resolve_zone(value) is None:
            raise ValueError(
                f"{value!r} is not a known time zone; use an IANA name such as Europe/Berlin"
            )
        return value

    @field_validator("accountability")
    @classmethod
    def _accountability(cls, value: str | None) -> str | None:
        from ..user_text import ACCOUNTABILITY_LIMIT, clean

        if value is None:
            return None
        cleaned = clean(value)
        if len(cleaned) > ACCOUNTABILITY_LIMIT:
            raise ValueError(
                f"{len(cleaned):,} characters long; say it in at most {ACCOUNTABILITY_LIMIT:,}"
            )
        return cleaned or None

    @field_validator("working_hours", mode="before")
    @classmethod
    def _weekday_keys(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        result: dict[str, object] = {}
        for key, spans in value.items():
            for day in _parse_days(str(key)):
                result[day] = spans
        return result

    @model_validator(mode="after")
    def _unique_ids(self) -> Routine:
        for label, items in (("commitment", self.commitments), ("limit", self.limits)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"two {label}s have the id {item.id!r}; ids must be unique")
                seen.add(item.id)
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        zone = resolve_zone(self.timezone)
        assert zone is not None  # checked by the validator
        return zone

    @property
    def addresses(self) -> frozenset[str]:
        """Every address that is the rep."""
        if self.rep is None:
            return frozenset()
        return frozenset((self.rep.email, *self.rep.aliases))

    @property
    def domains(self) -> frozenset[str]:
        """Internal domains; the rep's own domain counts even when not listed."""
        own = {a.rsplit("@", 1)[1] for a in self.addresses}
        return frozenset(d.lower().lstrip("@") for d in self.internal_domains) | own

    def working_spans(self, weekday: int) -> tuple[tuple[time, time], ...]:
        return self.working_hours.get(WEEKDAYS[weekday], ())


class Match(Strict):
    """Conditions of one rule; all given conditions must hold (AND)."""

    keywords: tuple[str, ...] = Field((), description="any of these words (case-insensitive)")
    regex: str | None = Field(None, description="a regular expression (case-insensitive)")
    hashtags: tuple[str, ...] = Field((), description="any of these #hashtags")
    fields: tuple[Literal["title", "description", "location"], ...] = Field(
        ("title", "description"), description="where keywords, regex and hashtags look"
    )
    calendars: tuple[str, ...] = Field((), description="calendar names (exact, case-insensitive)")
    colors: tuple[str, ...] = Field((), description="event colour ids or names")
    categories: tuple[str, ...] = Field(
        (), description="any of these category names (exact, case-insensitive)"
    )
    attendees: Range | None = Field(None, description="number of other attendees")
    external_attendees: Range | None = Field(
        None, description="number of attendees outside internal_domains"
    )
    transparency: Literal["opaque", "transparent"] | None = Field(
        None, description="busy (opaque) or free (transparent)"
    )
    event_types: tuple[str, ...] = Field(
        (), description="source event types, e.g. focusTime, outOfOffice"
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("categories")
    @classmethod
    def _category_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(v.strip() for v in value)
        if any(not n for n in names):
            raise ValueError("a category name is empty")
        return names

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.lstrip("#").lower() for t in value)

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        given = self.model_fields_set - {"fields"}
        if not given:
            raise ValueError("a rule needs at least one condition")
        return self


class Range(Strict):
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("max is less than min")
        return self


class Rule(Strict):
    """A named classification rule: when ``match`` holds, the block is ``activity``."""

    name: str = Field(description="shown as the reason a block got its class")
    activity: str = Field(description="the activity to assign")
    match: Match = Field(description="the conditions")

    @field_validator("activity")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"{value!r} must be lower-case letters, digits, '-' or '_'")
        return value


class RuleSet(Strict):
    """Ordered classification rules (kind: rules); the first match wins."""

    kind: Literal["rules"] = "rules"
    version: Literal[1] = 1
    rules: tuple[Rule, ...] = Field(description="ordered rules, first match wins")
    _source: object = PrivateAttr(None)  # see ``origin``

    @property
    def origin(self) -> InputFile | None:
        """The file ``load_rules`` read these rules from, and its digest; None for rules
        built in Python."""
        return self._source  # type: ignore[return-value]

    def read_from(self, origin: InputFile) -> RuleSet:
        """These rules, remembering the file they were read from (what ``load_rules`` does)."""
        self._source = origin
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSet:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}; names must be unique")
            seen.add(rule.name)
        return self


Match.model_rebuild()
