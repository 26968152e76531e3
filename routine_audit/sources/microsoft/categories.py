"""Category colours from a mailbox's master list (Outlook's categories), for ``match.colors``.

``GET /v1.0/users/{id}/outlook/masterCategories`` (needs MailboxSettings.Read) names each
category's colour as a preset constant; an event takes its first coloured category's
colour (Graph events have no colour of their own). The reader asks for the list at most
once per source, and only when an event read has categories. A list that cannot be
read (403 without MailboxSettings.Read, or any other failure) means no colours: the
calendar itself was readable, and colours are an extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import SourceError
from .client import GraphClient

# Graph's categoryColor -> (the colour's name in rules, its hex in Outlook desktop)
PRESETS: dict[str, tuple[str, str]] = {
    "preset0": ("red", "#F07D88"),
    "preset1": ("orange", "#FF9509"),
    "preset2": ("brown", "#FECB6F"),
    "preset3": ("yellow", "#FFF100"),
    "preset4": ("green", "#5FBE7D"),
    "preset5": ("teal", "#33BAB1"),
    "preset6": ("olive", "#A3B367"),
    "preset7": ("blue", "#55ABE5"),
    "preset8": ("purple", "#A895E2"),
    "preset9": ("cranberry", "#E48BB5"),
    "preset10": ("steel", "#B9C0CB"),
    "preset11": ("darksteel", "#4C596E"),
    "preset12": ("gray", "#ABABAB"),
    "preset13": ("darkgray", "#666666"),
    "preset14": ("black", "#474747"),
    "preset15": ("darkred", "#910A19"),
    "preset16": ("darkorange", "#CE4B28"),
    "preset17": ("darkbrown", "#996E36"),
    "preset18": ("darkyellow", "#B0A923"),
    "preset19": ("darkgreen", "#026802"),
    "preset20": ("darkteal", "#1C6367"),
    "preset21": ("darkolive", "#5C6A22"),
    "preset22": ("darkblue", "#254069"),
    "preset23": ("darkpurple", "#562685"),
    "preset24": ("darkcranberry", "#80275D"),
}


def category_colors(client: GraphClient, user_path: str, mailbox: str = "") -> dict[str, str]:
    """Lower-cased category name -> colour name for the mailbox at ``user_path``
    (``/v1.0/users/{id}``); empty when the list is unreadable."""
    try:
        page = client.get(
            client.url(f"{user_path}/outlook/masterCategories"),
            what=f"category list of {user_path.rsplit('/', 1)[-1]}",
            mailbox=mailbox,
        )
    except SourceError:
        page = {}
    value = page.get("value")
    return colors_of(value if isinstance(value, list) else ())  # a hostile 5


def colors_of(categories: Iterable[Any]) -> dict[str, str]:
    """The master list's entries (``{displayName, color}``) as name -> colour name."""
    found: dict[str, str] = {}
    for entry in categories:
        if not isinstance(entry, Mapping):
            continue
        preset = PRESETS.get(str(entry.get("color", "")).lower())
        name = str(entry.get("displayName") or "").strip().lower()
        if preset and name:
            found[name] = preset[0]
    return found


def first_color(categories: Iterable[str], colors: Mapping[str, str]) -> str:
    """The colour of the first of ``categories`` that has one ('' for none)."""
    for name in categories:
        color = colors.get(name.strip().lower())
        if color:
            return color
    return ""
