"""Coaching questions for each kind of gap, in our own words.

A gap report is a coaching aid: each finding comes with two or three
questions a manager could ask in the 1:1 (what got in the way, what needs to
change, what the rep commits to next week). The questions live in the table of finding
kinds, one entry per kind, and may differ by audience.
"""

from __future__ import annotations

from ..finding_kinds import KindField, finding_kind
from ..wording import activity_words

# per finding kind, the questions asked of every audience (routine_audit/finding_kinds.py)
QUESTIONS: KindField[tuple[str, ...]] = KindField(lambda kind: kind.questions)


def questions_for(kind: str, activity: str | None, audience: str = "owner") -> tuple[str, ...]:
    """The questions a report for ``audience`` asks about a finding of ``kind`` about
    ``activity``; an unknown kind fails loudly."""
    words = activity_words(activity) if activity else "this commitment"
    asked = finding_kind(kind).questions_for(audience)
    return tuple(_sentence(q.format(activity=words)) for q in asked)


def _sentence(text: str) -> str:
    """A question opens with a capital, also when it opens with the activity's name."""
    return text[:1].upper() + text[1:]
