"""Classification: each occurrence gets the activity of the first rule that matches.

Rules are matched once per distinct row signature (texts, calendar, colour,
event type, transparency, attendee counts, and categories when a rule asks for them),
remembered across audits.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..config.schema import Match, RuleSet
from .frame import CATEGORY_SEPARATOR
from .timeline import Columns

OTHER = "other"
NO_RULE = ""


def attendee_counts(
    attendees: Columns,
    n: int,
    addresses: frozenset[str],
    domains: frozenset[str],
    occurrences: Columns | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per occurrence: other (non-rep, non-resource) attendees, and those outside ``domains``;
    with ``occurrences``, an organizer who is not the rep and not among the attendees
    (Outlook lists the organizer apart) is one of them."""
    codes, emails = pd.factorize(attendees["email"])  # each address looked at once
    mine = np.array([e in addresses for e in emails], dtype=bool)
    outside = np.array([_outside(e, domains) for e in emails], dtype=bool)
    # an attendee without an address (-1) is a person, and not known to be outside
    mine, outside = np.append(mine, False)[codes], np.append(outside, False)[codes]
    person = ~attendees["is_resource"].astype(bool) & ~attendees["is_self"].astype(bool) & ~mine
    occ = attendees["occ"]
    people = np.bincount(occ[person], minlength=n)
    external = np.bincount(occ[person & outside], minlength=n)
    if occurrences is not None:
        extra, extra_outside = _organizers(occurrences, attendees, addresses, domains)
        people, external = people + extra, external + extra_outside
    return people, external


def _organizers(
    occurrences: Columns, attendees: Columns, addresses: frozenset[str], domains: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """1 per invitation (an occurrence with attendees) whose organizer is someone else,
    not listed among its attendees; a Google calendar as organizer (a shared calendar's
    id) is no one."""
    codes, names = pd.factorize(occurrences["organizer"])
    someone = np.array([_person(a) and a not in addresses for a in names], dtype=bool)
    outside = np.array([_outside(a, domains) for a in names], dtype=bool)
    someone, outside = np.append(someone, False)[codes], np.append(outside, False)[codes]
    occ = attendees["occ"]
    invited = np.bincount(occ, minlength=len(codes)) > 0
    extra = someone & invited & ~occurrences["organized_by_self"].astype(bool)
    if len(occ):  # an organizer also listed as an attendee is counted there
        listed = np.asarray(attendees["email"] == occurrences["organizer"][occ], dtype=bool)
        extra[np.unique(occ[listed])] = False
    return extra.astype(np.int64), (extra & outside).astype(np.int64)


def _person(address: object) -> bool:
    return (
        isinstance(address, str) and "@" in address and not address.endswith(".calendar.google.com")
    )


def _outside(address: object, domains: frozenset[str]) -> bool:
    domain = address.rpartition("@")[2].lower() if isinstance(address, str) else ""
    return bool(domain) and domain not in domains


def classify(
    occurrences: Columns,
    rules: RuleSet,
    *,
    attendee_count: np.ndarray,
    external_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``activity`` and ``rule`` columns for ``occurrences`` (``other`` / '' when unmatched)."""
    columns = [occurrences[c] for c in (*_TEXT_COLUMNS, *_NAME_COLUMNS)]
    transparent = occurrences["transparent"].astype(bool)
    classifier = _classifier(rules)
    # categories join the signature only when a rule asks for them: free otherwise
    tagged = [occurrences["categories"]] if classifier.uses_categories else []
    # rows with equal values everywhere share a signature: match one row per distinct key
    key = _distinct_rows([*columns, transparent, attendee_count, external_count, *tagged])
    first = np.full(int(key.max(initial=-1)) + 1, len(key), dtype=np.int64)
    np.minimum.at(first, key, np.arange(len(key)))
    signatures = list(
        zip(
            *(_texts(column[first]) for column in columns[: len(_TEXT_COLUMNS)]),
            *(_names(column[first]) for column in columns[len(_TEXT_COLUMNS) :]),
            transparent[first].tolist(),
            attendee_count[first].tolist(),
            external_count[first].tolist(),
            *(_category_sets(column[first]) for column in tagged),
            strict=True,
        )
    )
    chosen = np.array(classifier.rule_indexes(signatures), dtype=np.int64)[key]
    return classifier.activities[chosen], classifier.names[chosen]


def _distinct_rows(columns: list[np.ndarray]) -> np.ndarray:
    """0..k-1 numbering rows by their values across ``columns`` (equal rows, equal numbers)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    bound = 1  # key < bound
    for column in columns:
        codes, uniques = pd.factorize(column)  # None and NaN: -1
        if bound * (len(uniques) + 1) >= 2**62:
            key = pd.factorize(key)[0]  # renumbered 0..k-1, k <= rows
            bound = int(key.max(initial=0)) + 1
        key = key * (len(uniques) + 1) + (codes + 1)
        bound *= len(uniques) + 1
    return pd.factorize(key)[0]


# a row's signature: everything a rule can look at, in this order
_TEXT_COLUMNS = ("summary", "description", "location")
_NAME_COLUMNS = ("calendar", "color", "event_type")
_FIELD_POSITION = {"title": 0, "description": 1, "location": 2}
_NAMES_AT = len(_TEXT_COLUMNS)
_TRANSPARENT_AT = _NAMES_AT + len(_NAME_COLUMNS)
_COUNTS_AT = _TRANSPARENT_AT + 1  # attendees, then external attendees
_CATEGORIES_AT = _COUNTS_AT + 2  # only in signatures of rule sets that ask for categories
_NO_CATEGORIES: frozenset[str] = frozenset()
_MEMO_LIMIT = 20_000


def _texts(column: np.ndarray) -> list[str]:
    return [v if isinstance(v, str) else ("" if v is None or v != v else str(v)) for v in column]


def _names(column: np.ndarray) -> list[str | None]:
    """Lower-cased names (None never matches a rule's names)."""
    return [v.lower() if isinstance(v, str) else None for v in column]


def _category_sets(column: np.ndarray) -> list[frozenset[str]]:
    """Each row's lower-cased category names (the column joins them in one text)."""
    return [
        frozenset(v.lower().split(CATEGORY_SEPARATOR))
        if isinstance(v, str) and v
        else _NO_CATEGORIES
        for v in column
    ]


@lru_cache(maxsize=16)
def _classifier(rules: RuleSet) -> _Classifier:
    return _Classifier(rules)


class _Classifier:
    """A rule set compiled once, with the rule each row signature met remembered.

    Calendars repeat the same few signatures (every instance of a series, every
    rep's "Prospecting block"), so each is matched against the rules once.
    """

    def __init__(self, rules: RuleSet) -> None:
        self._rules = [_CompiledMatch(rule.match) for rule in rules.rules]
        self.uses_categories = any(rule.match.categories for rule in rules.rules)
        # index -1 (no rule matched) picks the last entry
        self.activities = np.array([*(r.activity for r in rules.rules), OTHER], dtype=object)
        self.names = np.array([*(r.name for r in rules.rules), NO_RULE], dtype=object)
        self._memo: dict[tuple, int] = {}

    def rule_indexes(self, signatures: list[tuple]) -> list[int]:
        # answered from a local table: another thread may clear the shared memo meanwhile
        memo = self._memo
        found = {s: memo.get(s) for s in set(signatures)}
        for signature, index in found.items():
            if index is None:
                found[signature] = self._first_match(signature)
        if len(memo) > _MEMO_LIMIT:
            memo.clear()  # bounded: signatures hold calendar text
        memo.update(found)
        return [found[s] for s in signatures]

    def _first_match(self, signature: tuple) -> int:
        texts: dict[tuple[int, ...], str] = {}
        for index, rule in enumerate(self._rules):
            if rule.matches(signature, texts):
                return index
        return -1


class _CompiledMatch:
    """One rule's conditions, ready to test a row signature."""

    def __init__(self, match: Match) -> None:
        # fields join in the alphabetical order of their names: description, location, title
        self._fields = tuple(_FIELD_POSITION[f] for f in sorted(set(match.fields)))
        patterns = []
        if match.keywords:
            words = "|".join(re.escape(k.lower()) for k in match.keywords)
            patterns.append(rf"(?<!\w)(?:{words})")
        if match.regex:
            patterns.append(match.regex)
        if match.hashtags:
            tags = "|".join(re.escape(t) for t in match.hashtags)
            patterns.append(rf"(?<![\w#])#(?:{tags})(?![\w-])")
        self._compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
        self._text_hits: dict[str, bool] = {}
        self._names = [
            (_NAMES_AT + i, frozenset(n.lower() for n in names))
            for i, names in enumerate((match.calendars, match.colors, match.event_types))
            if names
        ]
        self._categories = frozenset(c.lower() for c in match.categories)
        self._transparent = (
            None if match.transparency is None else match.transparency == "transparent"
        )
        self._ranges = [
            (_COUNTS_AT + i, bounds)
            for i, bounds in enumerate((match.attendees, match.external_attendees))
            if bounds is not None
        ]

    def matches(self, signature: tuple, texts: dict[tuple[int, ...], str]) -> bool:
        for position, wanted in self._names:
            if signature[position] not in wanted:
                return False
        if self._transparent is not None and signature[_TRANSPARENT_AT] != self._transparent:
            return False
        if self._categories and self._categories.isdisjoint(
            signature[_CATEGORIES_AT] if len(signature) > _CATEGORIES_AT else _NO_CATEGORIES
        ):
            return False
        for position, bounds in self._ranges:
            value = signature[position]
            if (bounds.min is not None and value < bounds.min) or (
                bounds.max is not None and value > bounds.max
            ):
                return False
        if self._compiled:
            text = texts.get(self._fields)
            if text is None:
                text = "\n".join(signature[p] for p in self._fields).lower()
                texts[self._fields] = text
            # a text recurs in many signatures (other attendee counts, calendars...)
            hit = self._text_hits.get(text)
            if hit is None:
                hit = all(pattern.search(text) for pattern in self._compiled)
                if len(self._text_hits) > _MEMO_LIMIT:
                    self._text_hits.clear()  # bounded: the keys are calendar text
                self._text_hits[text] = hit
            return hit
        return True


def signature_activity(rules: RuleSet, signature: tuple) -> str:
    """The activity ``rules`` give one row signature (texts, calendar, colour, event
    type, transparency, attendee counts; see ``_TEXT_COLUMNS``; no categories): for a
    title checked before it is written (proposals)."""
    classifier = _classifier(rules)
    (index,) = classifier.rule_indexes([signature])
    return str(classifier.activities[index])
