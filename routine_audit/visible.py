"""Text from calendars and servers, made safe to show.

Calendar text (titles, TZIDs, calendar names) and server text (HTTP reasons, API
messages) may hold control characters: an ESC starts a terminal escape sequence, a
bare CR rewrites a log line. None reaches a terminal, log, Markdown, CSV or HTML
page raw. Two policies, applied where text is rendered:

- ``visible``: for the calendar's owner, every control character is shown as its
  escape (``\\x1b``) and trailing spaces as ``␠``, so they see what is in their
  calendar and can fix it.
- ``for_manager``: for a manager or a log, text with a control character is not
  shown at all; only what it was (``title``) is named, and the report row names
  the date and time.

The common case, plain text, costs one C-level ``str.isprintable`` call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 and C1 controls, DEL, and the format characters that reorder or split lines
# (bidi overrides and isolates, line and paragraph separators). Other characters
# Python calls unprintable (a no-break space, the joiner inside an emoji) stay.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TRAILING_SPACES = re.compile(" +$")
SPACE_MARK = "\u2420"  # ␠ SYMBOL FOR SPACE


def is_plain(text: str) -> bool:
    """True when ``text`` needs nothing made visible (the fast common case)."""
    return text.isprintable() and not text.endswith(" ")


def all_plain(texts: Iterable[str]) -> bool:
    """``is_plain`` for every text, with two joins instead of a Python loop."""
    texts = list(texts)
    try:
        if not "".join(texts).isprintable():
            return False
    except TypeError:  # a value that is not text (a missing title in a given table)
        return False
    # no text holds NUL now, so " \0" marks exactly the texts that end in a space
    return " \x00" not in "\x00".join(texts) + "\x00"


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (a trailing space is not one)."""
    return not text.isprintable() and _HIDDEN.search(text) is not None


def visible(text: str) -> str:
    """``text`` for its owner: control characters as escapes, trailing spaces as ␠."""
    if is_plain(text):
        return text
    if not text.isprintable():
        text = _HIDDEN.sub(_escape, text)
    return _TRAILING_SPACES.sub(lambda m: SPACE_MARK * len(m.group(0)), text)


def for_manager(text: str, what: str) -> str:
    """``text`` for a manager or a log: as it is when it holds no control character;
    else only what it was, e.g. ``(title withheld: control characters)``."""
    if is_plain(text):
        return text
    if has_control(text):
        return f"({what} withheld: control characters)"
    return visible(text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
