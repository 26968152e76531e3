"""Free text people type for each other (an agreed action, a rep's accountability note),
made safe before it is kept or shown.

Terminal escape sequences are removed whole (``ESC [ 31 m`` leaves nothing behind), and
so is every other control character; line breaks and tabs become spaces, runs of
spaces one. What is left is plain text: HTML and Markdown escape it where they render
it. ``bounded`` refuses text longer than its limit with one line, never a traceback.
"""

from __future__ import annotations

import re

from .errors import UsageError

AGREED_LIMIT = 500  # characters of one agreed action
ACCOUNTABILITY_LIMIT = 1000  # characters of a rep's accountability note

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and any other two-character ESC
# sequence; the 8-bit CSI (U+009B) too
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -~]?"
)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\s\u2028\u2029]+")


def clean(text: str) -> str:
    """``text`` without escape sequences or control characters, on one line, trimmed."""
    text = _ESCAPES.sub("", text)
    text = _SPACES.sub(" ", text)  # line breaks and tabs first: they are controls too
    return _CONTROLS.sub("", text).strip()


def bounded(text: str, what: str, limit: int) -> str:
    """``clean(text)``, refused (one line) when empty or longer than ``limit``."""
    cleaned = clean(text)
    if not cleaned:
        raise UsageError(f"the {what} is empty", hint=f"write the {what} in words")
    if len(cleaned) > limit:
        raise UsageError(
            f"the {what} is {len(cleaned):,} characters long; at most {limit:,} are kept",
            hint="say it in fewer words",
        )
    return cleaned
