"""Classification: each occurrence gets the activity of the first rule that matches.

Rules are applied as whole-column operations (one pass per rule over the
rows not yet classified), never as a Python loop over rows.
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import pandas as pd

from ..config.schema import Match, Range, RuleSet

OTHER = "other"
NO_RULE = ""


def attendee_counts(
    attendees: pd.DataFrame, n: int, addresses: frozenset[str], domains: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per occurrence: other (non-rep, non-resource) attendees, and those outside ``domains``."""
    if attendees.empty:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    people = attendees[
        ~attendees["is_resource"] & ~attendees["is_self"] & ~attendees["email"].isin(addresses)
    ]
    if people.empty:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    domain = people["email"].str.rpartition("@")[2].str.lower()
    external = people[(domain != "") & ~domain.isin(domains)]
    return (
        np.bincount(people["occ"].to_numpy(), minlength=n),
        np.bincount(external["occ"].to_numpy(), minlength=n),
    )


def classify(
    occurrences: pd.DataFrame,
    rules: RuleSet,
    *,
    attendee_count: np.ndarray,
    external_count: np.ndarray,
) -> pd.DataFrame:
    """``activity`` and ``rule`` columns for ``occurrences`` (``other`` / '' when unmatched)."""
    n = len(occurrences)
    activity = np.full(n, OTHER, dtype=object)
    rule_name = np.full(n, NO_RULE, dtype=object)
    open_rows = np.ones(n, dtype=bool)
    texts = _TextColumns(occurrences)
    for rule in rules.rules:
        if not open_rows.any():
            break
        hit = open_rows & _matches(rule.match, occurrences, texts, attendee_count, external_count)
        activity[hit] = rule.activity
        rule_name[hit] = rule.name
        open_rows &= ~hit
    return pd.DataFrame({"activity": activity, "rule": rule_name}, index=occurrences.index)


class _TextColumns:
    """Lower-cased searchable text per combination of fields, built once per audit.

    Each text is kept once, with the rows that hold it: calendars repeat the same
    titles (every instance of a series), so rules are matched per distinct text.
    """

    _FIELDS: ClassVar[dict[str, str]] = {
        "title": "summary",
        "description": "description",
        "location": "location",
    }

    def __init__(self, occurrences: pd.DataFrame) -> None:
        self._occurrences = occurrences
        self._cache: dict[tuple[str, ...], tuple[np.ndarray, pd.Series]] = {}

    def get(self, fields: tuple[str, ...]) -> tuple[np.ndarray, pd.Series]:
        """(row -> index of its text, the distinct lower-cased texts)."""
        key = tuple(sorted(set(fields)))
        if key not in self._cache:
            columns = [self._occurrences[self._FIELDS[f]].fillna("").astype(str) for f in key]
            text = columns[0]
            for column in columns[1:]:
                text = text + "\n" + column
            codes, distinct = pd.factorize(text, use_na_sentinel=False)
            self._cache[key] = (codes, pd.Series(distinct, dtype=object).str.lower())
        return self._cache[key]


def _matches(
    match: Match,
    occurrences: pd.DataFrame,
    texts: _TextColumns,
    attendee_count: np.ndarray,
    external_count: np.ndarray,
) -> np.ndarray:
    mask = np.ones(len(occurrences), dtype=bool)
    if match.keywords or match.regex or match.hashtags:
        text = texts.get(match.fields)
        if match.keywords:
            words = "|".join(re.escape(k.lower()) for k in match.keywords)
            mask &= _contains(text, rf"(?<!\w)(?:{words})")
        if match.regex:
            mask &= _contains(text, match.regex)
        if match.hashtags:
            tags = "|".join(re.escape(t) for t in match.hashtags)
            mask &= _contains(text, rf"(?<![\w#])#(?:{tags})(?![\w-])")
    if match.calendars:
        wanted = {c.lower() for c in match.calendars}
        mask &= occurrences["calendar"].str.lower().isin(wanted).to_numpy()
    if match.colors:
        wanted = {c.lower() for c in match.colors}
        mask &= occurrences["color"].str.lower().isin(wanted).to_numpy()
    if match.event_types:
        wanted = {t.lower() for t in match.event_types}
        mask &= occurrences["event_type"].str.lower().isin(wanted).to_numpy()
    if match.transparency is not None:
        transparent = occurrences["transparent"].to_numpy()
        mask &= transparent if match.transparency == "transparent" else ~transparent
    if match.attendees is not None:
        mask &= _in_range(attendee_count, match.attendees)
    if match.external_attendees is not None:
        mask &= _in_range(external_count, match.external_attendees)
    return mask


def _contains(text: tuple[np.ndarray, pd.Series], pattern: str) -> np.ndarray:
    codes, distinct = text
    compiled = re.compile(pattern, re.IGNORECASE)
    found = distinct.str.contains(compiled, regex=True, na=False).to_numpy(dtype=bool)
    return found[codes]


def _in_range(values: np.ndarray, bounds: Range) -> np.ndarray:
    mask = np.ones(len(values), dtype=bool)
    if bounds.min is not None:
        mask &= values >= bounds.min
    if bounds.max is not None:
        mask &= values <= bounds.max
    return mask
