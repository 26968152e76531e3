"""How reports write things: amounts, dates, changes, counts, activities and statuses.

One module, so every human-readable report (terminal, Markdown, HTML, mail) speaks
with one voice; JSON and CSV keep decimal hours and ISO dates. The conventions are in
docs/audit.md ("How reports write things").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from .unit_kinds import unit_kind

HOUR = 3600
# English names, as strftime gives them in the C locale, without its cost (reports name
# thousands of spans)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_SLUGS = tuple(d.lower() for d in _WEEKDAYS)
MINUS = "\u2212"  # a real minus sign, not a hyphen

# how an activity reads in a sentence: activity -> (one, several); the several form is
# also how a question names the activity ("planned for client meetings")
ACTIVITY_WORDS: dict[str, tuple[str, str]] = {
    "prospecting": ("prospecting", "prospecting"),
    "follow-up": ("follow-up", "follow-up"),
    "client-meeting": ("client meeting", "client meetings"),
    "admin": ("admin", "admin"),
    "personal": ("personal time", "personal time"),
    "other": ("unclassified event", "unclassified events"),
}

# a commitment's status as a word
STATUS_WORDS: dict[str, str] = {
    "met": "met",
    "short": "short of target",
    "over": "over the limit",
    "not_judged": "not judged",
}

# nouns whose plural is not the noun plus "s"
_PLURALS: dict[str, str] = {"activity": "activities", "day off": "days off", "match": "matches"}


# -- dates and times ------------------------------------------------------------


def clock_span_text(start: datetime, end: datetime) -> str:
    """``Mon 09:00–10:30``."""
    return f"{_WEEKDAYS[start.weekday()]} {clock_text(start)}–{clock_text(end)}"


def day_text(day: date) -> str:
    """``Mon 02 Nov``: a day of the report's period, or near it (the period says the year)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day:02d} {_MONTHS[day.month - 1]}"


def date_text(day: date) -> str:
    """``Fri 19 Mar 2021``: a day away from the report's period carries its year."""
    return f"{day_text(day)} {day.year}"


def days_text(first: date, last: date) -> str:
    """``Mon 02 Nov – Sun 08 Nov 2026``: a period, with its year once (both when it
    spans two years)."""
    if first == last:
        return date_text(first)
    head = day_text(first) if first.year == last.year else date_text(first)
    return f"{head} – {date_text(last)}"


def weekdays_text(days: Iterable[str]) -> str:
    """Committed weekdays as people write them: ``Mon–Fri``, ``Mon, Wed, Fri``,
    ``Tue–Thu, Sat``; from the routine's slugs (``mon``, ``tue``...)."""
    numbers = sorted({_DAY_SLUGS.index(d.lower()[:3]) for d in days})
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_WEEKDAYS[run[0]]}–{_WEEKDAYS[run[-1]]}")
        else:
            parts.extend(_WEEKDAYS[n] for n in run)
    return ", ".join(parts)


def clock_text(moment: datetime | time) -> str:
    """``09:05``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


# -- amounts --------------------------------------------------------------------


def hours(seconds: float) -> float:
    """Seconds to hours, rounded once, for JSON (two decimals)."""
    return round(seconds / HOUR, 2)


def duration_text(seconds: float) -> str:
    """``2 h 15 min``, ``45 min``, ``0 min``."""
    minutes = round(seconds / 60)
    whole_hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if whole_hours and rest:
        return f"{sign}{whole_hours} h {rest} min"
    if whole_hours:
        return f"{sign}{whole_hours} h"
    return f"{sign}{rest} min"


def hours_text(value: float) -> str:
    """Decimal hours as ``3 h 45 min``."""
    return duration_text(value * HOUR)


def amount_text(value: float, unit: str) -> str:
    """An amount in a commitment's unit: ``2 h 30 min``, ``3 blocks``, ``6.4 meetings``,
    as the table of units names it (routine_audit/unit_kinds.py); an unknown unit fails."""
    nouns = unit_kind(unit).nouns
    if nouns is None:  # time
        return hours_text(value)
    number = f"{value:g}" if value == int(value) else f"{value:.1f}"
    return f"{number} {nouns[0] if value == 1 else nouns[1]}"


def target_text(value: float, unit: str, direction: str = "min") -> str:
    """A commitment's target as every report writes it: ``10 h``, or for a limit
    ``at most 3 h``."""
    amount = amount_text(value, unit)
    return f"at most {amount}" if direction == "max" else amount


def points_text(change: float) -> str:
    """A change of a share in percentage points: ``+5 pts``, ``−12 pts``, ``same``."""
    points = round(change * 100)
    if points == 0:
        return "same"
    return f"+{points} pts" if points > 0 else f"{MINUS}{-points} pts"


def change_text(change: float | None, previous_judged: bool = True) -> str:
    """The change since last week, as every report writes it: ``−12 pts``, ``same``,
    ``new`` (no figure last week), ``no data last week`` (a week without calendar data)."""
    if change is None:
        return "new" if previous_judged else "no data last week"
    return points_text(change)


# -- words ----------------------------------------------------------------------


def plural(noun: str) -> str:
    """``meeting`` -> ``meetings``, ``activity`` -> ``activities``, ``match`` -> ``matches``."""
    if noun in _PLURALS:
        return _PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{noun}es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u", ""):
        return f"{noun[:-1]}ies"
    return f"{noun}s"


def count_text(count: int, noun: str, several: str | None = None) -> str:
    """``1 finding``, ``3 findings``, ``0 findings``."""
    return f"{count} {noun if count == 1 else several or plural(noun)}"


def _slug_words(activity: str) -> str:
    return " ".join(activity.replace("-", " ").replace("_", " ").split()) or activity


def activity_words(activity: str, *, one: bool = False) -> str:
    """How ``activity`` reads in a sentence (``client meetings``; ``client meeting`` with
    ``one``); an activity not in ``ACTIVITY_WORDS`` reads as its slug with spaces."""
    words = ACTIVITY_WORDS.get(activity)
    if words is None:
        return _slug_words(activity)
    return words[0] if one else words[1]


def meetings_text(count: int, activity: str) -> str:
    """``1 client meeting``, ``3 client meetings``: a count of an activity's meetings; an
    activity not in ``ACTIVITY_WORDS`` counts as ``3 demo call meetings``."""
    words = ACTIVITY_WORDS.get(activity)
    if words is None:
        name = _slug_words(activity)
        if name.endswith("meeting"):
            words = (name, f"{name}s")
        else:
            words = (f"{name} meeting", f"{name} meetings")
    return f"{count} {words[0] if count == 1 else words[1]}"


def status_text(status: str) -> str:
    """A commitment's status as words: ``short of target``, ``not judged``."""
    return STATUS_WORDS[status]
