"""Recorded Microsoft Graph answers (tests/fixtures/microsoft/), served through the fake.

``serve_recorded(fake, mailbox)`` gives tests/graph_fake.py's fake Graph the recorded
calendarView pages, series masters and category list: the fake still checks every
request as Graph would (token, UTC times, ``$select``, ``$top``), then answers with the
recorded page itself (its ``@odata.context`` and ``@odata.nextLink``, the link's host
made the fake's, as it would be the configured Graph host). The page asked for is the
one whose ``$skip`` it is (Graph's calendarView links page with ``$skip``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from graph_fake import TOKEN

FIXTURES = Path(__file__).parent / "fixtures" / "microsoft"
GRAPH_HOST = "https://graph.microsoft.com"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_pages() -> list[dict[str, Any]]:
    return [load(p.name) for p in sorted(FIXTURES.glob("calendarView_page*.json"))]


def serve_recorded(fake, mailbox: str, *, categories: bool = True) -> None:
    """Serve the recorded week for ``mailbox``; ``categories=False``: the category list
    is denied (403, as without MailboxSettings.Read)."""
    pages = recorded_pages()
    fake.serve(mailbox, [item for page in pages for item in page["value"]])
    fake.masters.update({m["id"]: m["iCalUId"] for m in load("series_masters.json")})
    skips = [0, *(_skip(page["@odata.nextLink"]) for page in pages[:-1])]
    answer = fake.answer

    def recorded(path: str, args: dict[str, str], headers: dict[str, str]):
        if path.endswith("/outlook/masterCategories"):
            if headers.get("authorization") != f"Bearer {TOKEN}":
                return 401, {}, _error("InvalidAuthenticationToken")
            if not categories:
                return 403, {}, _error("ErrorAccessDenied")
            return 200, {}, load("master_categories.json")
        status, extra, body = answer(path, args, headers)
        if status != 200 or not path.endswith("/calendarView"):
            return status, extra, body
        page = dict(pages[skips.index(int(args.get("$skip", "0")))])
        if "@odata.nextLink" in page:
            page["@odata.nextLink"] = page["@odata.nextLink"].replace(GRAPH_HOST, fake.url, 1)
        return status, extra, page

    fake.answer = recorded


def _error(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": "recorded"}}


def _skip(link: str) -> int:
    query = dict(p.split("=", 1) for p in urlsplit(link).query.split("&"))
    return int(query.get("%24skip") or query.get("$skip") or 0)
