"""Coaching questions for each kind of gap, in our own words.

A gap report is a coaching aid: each finding comes with two or three
questions a manager could ask in the 1:1 (what got in the way, what needs to
change, what the rep commits to next week).
"""

from __future__ import annotations

from ..units import activity_words

QUESTIONS: dict[str, tuple[str, ...]] = {
    "under_target": (
        "What took the time you had planned for {activity} this week?",
        "Which slots next week will you protect for {activity}, and who needs to know?",
        "Is the target still realistic, or should we change it together?",
    ),
    "missing_block": (
        "What happened on the days with no {activity} time booked?",
        "Would a recurring block make {activity} the default rather than a decision?",
    ),
    "over_limit": (
        "What pushed {activity} past the limit you set?",
        "What could be batched, delegated or dropped to bring it back under the limit?",
    ),
    "displaced": (
        "Who booked over your {activity} block, and could it have gone elsewhere?",
        "How will you say no, or offer another time, when it happens again?",
        "Would moving the block to a quieter time of day protect it better?",
    ),
    "protected_overlap": (
        "This was a personal priority we agreed to honour: what made it give way?",
        "What would make it easier to keep this commitment next week?",
    ),
    "short_blocks": (
        "The {activity} blocks were too short for real focus: what broke them up?",
        "Can you book fewer, longer blocks instead?",
    ),
    "outside_window": (
        "{activity} happened outside its planned window: was that a choice or a scramble?",
        "Does the window still fit your week, or should we move it?",
    ),
    "limit_broken": (
        "What made the meeting outside your agreed hours necessary?",
        "Who needs to know about your limits, so it does not happen again?",
    ),
    "not_achievable": (
        "These commitments do not fit in the working week: which matters most?",
        "What should we reduce or move so the plan is achievable?",
    ),
    "unclassified_time": (
        "Much of the week went to meetings that serve none of your commitments: "
        "which were essential?",
        "Which recurring meetings could you decline, shorten or delegate?",
    ),
    "fragmentation": (
        "Your free time came in small pieces: which meetings could be grouped together?",
        "Where could one longer focus block fit?",
    ),
    "reactive_booking": (
        "Many meetings were booked at short notice: what drives that?",
        "Would office hours or a booking window help others plan around your routine?",
    ),
}


def questions_for(kind: str, activity: str | None) -> tuple[str, ...]:
    """The questions for a finding of ``kind`` about ``activity``."""
    words = activity_words(activity) if activity else "this commitment"
    return tuple(_sentence(q.format(activity=words)) for q in QUESTIONS.get(kind, ()))


def _sentence(text: str) -> str:
    """A question opens with a capital, also when it opens with the activity's name."""
    return text[:1].upper() + text[1:]
