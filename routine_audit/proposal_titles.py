"""A title for a proposed block that the rep's own classification rules classify to the
commitment's activity: derived from the rules that name that activity (a keyword, a
sample of a regex, a hashtag) and checked with the classifier itself, so a title is
only proposed when the rules really give it the activity (docs/audit.md, "Proposals").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

try:  # Python 3.11+
    import re._constants as _sre_c
    import re._parser as _sre_p
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

from .config.schema import Rule, RuleSet
from .engine.classify import signature_activity
from .wording import activity_words


def proposal_title(rules: RuleSet, activity: str, description: str = "") -> str | None:
    """The first candidate title the rules classify to ``activity`` for a busy event
    with ``description``, no location, calendar, colour or attendees; None when no
    candidate is (the rules need something a file cannot carry, such as a calendar
    name or attendees)."""
    for title in candidate_titles(rules, activity):
        if classified(rules, title, description) == activity:
            return title
    return None


def classified(rules: RuleSet, title: str, description: str = "") -> str:
    """The activity ``rules`` give a busy event titled ``title`` with ``description``
    (the signature the classifier reads: texts, calendar, colour, event type,
    transparency, attendee counts)."""
    return signature_activity(rules, (title, description, "", None, None, "default", False, 0, 0))


def candidate_titles(rules: RuleSet, activity: str) -> Iterator[str]:
    """Titles to try, in order: per rule of ``activity`` (file order) its keywords with
    a sample of its regex, then the activity's own words, then titles with a hashtag
    (a plain title reads better in a calendar)."""
    made = [t for rule in rules.rules if rule.activity == activity for t in _from_rule(rule)]
    made += [_capital(activity_words(activity, one=True)), _capital(activity.replace("-", " "))]
    seen: set[str] = set()
    for title in sorted(made, key=lambda t: "#" in t):  # stable: file order otherwise
        if title and title not in seen:
            seen.add(title)
            yield title


def _from_rule(rule: Rule) -> Iterator[str]:
    match = rule.match
    sample = _sample(match.regex) if match.regex else ""
    if match.regex and sample is None:
        return
    tags = [f"#{t}" for t in match.hashtags[:1]]
    for keyword in match.keywords or ("",):
        parts = [_capital(keyword)] if keyword else []
        if sample:
            parts.append(sample)
        if tags:
            parts = parts or [_capital(activity_words(rule.activity, one=True))]
            parts += tags
        yield " ".join(parts).strip()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- a short string a regex matches ---------------------------------------------------

_CATEGORY_CHAR = {
    _sre_c.CATEGORY_DIGIT: "0",
    _sre_c.CATEGORY_WORD: "a",
    _sre_c.CATEGORY_SPACE: " ",
    _sre_c.CATEGORY_NOT_DIGIT: "a",
    _sre_c.CATEGORY_NOT_WORD: " ",
    _sre_c.CATEGORY_NOT_SPACE: "a",
}


def _sample(pattern: str) -> str | None:
    """A short string ``pattern`` matches (case-insensitively), or None when the pattern
    holds something this sampler does not follow (look-arounds, back-references)."""
    try:
        parsed = _sre_p.parse(pattern, re.IGNORECASE)
        text = _walk(list(parsed))
    except (_UnsupportedError, re.error, RecursionError):
        return None
    if text is None or not re.search(pattern, text, re.IGNORECASE):
        return None
    return text.strip() or None


class _UnsupportedError(Exception):
    pass


def _walk(items: list) -> str:
    out = []
    for op, arg in items:
        out.append(_one(op, arg))
    return "".join(out)


def _one(op, arg) -> str:
    if op is _sre_c.LITERAL:
        return chr(arg)
    if op is _sre_c.NOT_LITERAL:
        return "a" if chr(arg).lower() != "a" else "b"
    if op is _sre_c.ANY:
        return "a"
    if op is _sre_c.AT:
        return ""
    if op is _sre_c.IN:
        return _in(arg)
    if op is _sre_c.BRANCH:
        return _walk(list(arg[1][0]))
    if op is _sre_c.SUBPATTERN:
        return _walk(list(arg[-1]))
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, getattr(_sre_c, "POSSESSIVE_REPEAT", None)):
        low, _high, body = arg
        return _walk(list(body)) * max(low, 0)
    if op is getattr(_sre_c, "ATOMIC_GROUP", None):
        return _walk(list(arg))
    raise _UnsupportedError(str(op))


def _in(arg) -> str:
    if arg and arg[0][0] is _sre_c.NEGATE:
        raise _UnsupportedError("negated set")
    for op, value in arg:
        if op is _sre_c.LITERAL:
            return chr(value)
        if op is _sre_c.RANGE:
            return chr(value[0])
        if op is _sre_c.CATEGORY and value in _CATEGORY_CHAR:
            return _CATEGORY_CHAR[value]
    raise _UnsupportedError("set")
