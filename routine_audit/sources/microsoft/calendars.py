"""The calendars of a mailbox (``routine-audit calendars --source microsoft``): names,
ids and whether they can be read, never anything they hold."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .client import GraphClient

FIELDS = "id,name,canEdit,isDefaultCalendar"
MAX_PAGES = 50  # far above any mailbox's calendars: a server paging without end stops here


def list_calendars(client: GraphClient, mailbox: str) -> list[dict[str, Any]]:
    """Each calendar of ``mailbox`` the sign-in sees, as ``calendars`` prints them:
    ``id``, ``summary`` (its name), ``accessRole`` (``writer`` or ``reader``: every
    calendar listed can be read) and ``primary`` (the main calendar)."""
    url: Any = client.url(
        f"/v1.0/users/{quote(mailbox, safe='@')}/calendars", {"$select": FIELDS, "$top": "100"}
    )
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = client.get(str(url), what=f"calendar list of {mailbox}", mailbox=mailbox)
        value = page.get("value")
        for item in value if isinstance(value, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.append(
                    {
                        "id": item["id"],
                        "summary": str(item.get("name") or ""),
                        "accessRole": "writer" if item.get("canEdit") is True else "reader",
                        "primary": item.get("isDefaultCalendar") is True,
                    }
                )
        url = page.get("@odata.nextLink")
        if not isinstance(url, str):
            break
    return found
