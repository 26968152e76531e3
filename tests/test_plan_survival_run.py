"""Issue 20, part 2, in a team run: the sample team run for two consecutive weeks with a
history. The first run (Mon 09 Nov 07:00, auditing 2026-W45) snapshots the week ahead,
2026-W46, before its first working hour (09:00); between the runs Dana's calendar
changes; the second run (Mon 16 Nov 07:00) audits 2026-W46 against that plan.

Dana's prospecting in 2026-W46 (a daily 09:00-11:00 series; Europe/London is UTC in
November), worked out by hand:

| day | planned (Mon 07:00) | what happened | outcome | survived |
|---|--:|---|---|--:|
| Mon 09 | 7200 | as planned | held | 7200 |
| Tue 10 | 3600 (Acme 10:00-11:00 already on top) | as planned | held | 3600 |
| Wed 11 | 7200 | instance removed (EXDATE) | deleted | 0 |
| Thu 12 | 7200 | a client call 09:30-10:00 booked on top | displaced | 5400 |
| Fri 13 | 7200 | as planned | held | 7200 |

planned 32400 s (9 h), survived 23400 s (6.5 h), survival 23400/32400 = 0.722; a new
block Fri 14:00-15:00 adds 3600 s (1 h); planned ahead 23400/(23400+3600) = 0.867.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import routine_audit as ra
from routine_audit.config import package_data
from routine_audit.config.load import load_team

SERIES = "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"  # Dana's prospecting series
CHANGES = "\r\n".join(
    [
        "BEGIN:VEVENT",
        "UID:pricing-call-12-nov@example.com",
        "DTSTAMP:20261111T120000Z",
        "CREATED:20261111T120000Z",
        "DTSTART:20261112T093000Z",
        "DTEND:20261112T100000Z",
        "SUMMARY:Pricing call",
        "ORGANIZER:mailto:dana@northwind.example",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@acme.example",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:extra-prospecting-13-nov@example.com",
        "DTSTAMP:20261111T120000Z",
        "CREATED:20261111T120000Z",
        "DTSTART:20261113T140000Z",
        "DTEND:20261113T150000Z",
        "SUMMARY:Prospecting – call block",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
)


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample team run for 2026-W45 then 2026-W46; the folder holding out/ and the
    history."""
    folder = tmp_path_factory.mktemp("plan") / "team"
    shutil.copytree(package_data("sample"), folder)
    db = folder / "history.sqlite"

    def run(week: str, now: datetime) -> None:
        team = load_team(folder / "team.yaml")
        ra.run_team(team, week=week, out=folder / "out" / week, db=db, now=now)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROUTINE_AUDIT_CACHE", "off")
        run("2026-W45", datetime(2026, 11, 9, 7, 0, tzinfo=UTC))
        calendar = folder / "dana.ics"
        text = calendar.read_bytes().decode()
        assert text.count(SERIES) == 1
        text = text.replace(SERIES, f"{SERIES}\r\nEXDATE;TZID=Europe/London:20261111T090000")
        calendar.write_bytes(text.replace("END:VCALENDAR", CHANGES).encode())
        run("2026-W46", datetime(2026, 11, 16, 7, 0, tzinfo=UTC))
    return folder


def dana_plan(folder: Path, week: str) -> dict:
    document = json.loads((folder / "out" / week / "team.json").read_text())
    return document["reps"]["dana@northwind.example"]["plan"]


def test_the_second_week_shows_plan_vs_survived_in_json(two_weeks):
    plan = dana_plan(two_weeks, "2026-W46")
    assert plan["source"] == "snapshot"
    assert plan["snapshot_at"] == "2026-11-09T07:00:00+00:00"
    prospecting = next(c for c in plan["commitments"] if c["id"] == "prospecting")
    assert prospecting == {
        "id": "prospecting",
        "planned": 9.0,  # 32400 s
        "survived": 6.5,  # 23400 s
        "added": 1.0,  # 3600 s
        "survival": 0.722,  # 23400 / 32400
        "planned_ahead": 0.867,  # 23400 / 27000
    }
    blocks = [
        (b["start"][:16], b["outcome"], b["planned"], b["survived"])
        for b in plan["blocks"]
        if b["commitment"] == "prospecting"
    ]
    assert blocks == [
        ("2026-11-09T09:00", "held", 2.0, 2.0),
        ("2026-11-10T09:00", "held", 1.0, 1.0),
        ("2026-11-11T09:00", "deleted", 2.0, 0.0),
        ("2026-11-12T09:00", "displaced", 2.0, 1.5),
        ("2026-11-13T09:00", "held", 2.0, 2.0),
    ]
    displaced = next(b for b in plan["blocks"] if b["outcome"] == "displaced")
    # the manager's view: the obstacle's activity and time, no title (share_titles: false)
    assert displaced["obstacles"] == [
        {
            "activity": "client-meeting",
            "end": "2026-11-12T10:00:00+00:00",
            "minutes": 30,
            "start": "2026-11-12T09:30:00+00:00",
            "title": None,
        }
    ]


def test_the_second_week_rep_page_shows_the_plan(two_weeks):
    page = (two_weeks / "out" / "2026-W46" / "dana-at-northwind.example.md").read_text()
    section = page.split("## Plan vs what survived", 1)[1].split("\n## ", 1)[0]
    assert "Plan recorded Mon 09 Nov 07:00, before the week's work began." in section
    assert "| prospecting | 9 h | 6 h 30 min | 1 h | 72% | 87% |" in section
    assert (
        "Thu 12 Nov 09:00–11:00 prospecting: displaced, kept 1 h 30 min of 2 h; taken by "
        "a client meeting Thu 12 Nov 09:30–10:00 (30 min)"
    ) in section
    assert "Wed 11 Nov 09:00–11:00 prospecting: deleted, kept 0 min of 2 h" in section
    assert "Pricing call" not in page  # titles are not shared with the manager
    html = (two_weeks / "out" / "2026-W46" / "dana-at-northwind.example.html").read_text()
    assert 'class="plan"' in html and "plan-bar" in html and "displaced" in html


def test_the_first_week_has_no_plan_and_says_so(two_weeks):
    plan = dana_plan(two_weeks, "2026-W45")
    assert plan["snapshot_at"] is None and plan["blocks"] == []
    assert plan["source"] == "created"  # the sample's events all say when they were made
    page = (two_weeks / "out" / "2026-W45" / "dana-at-northwind.example.md").read_text()
    assert "No plan was recorded before the week's work began" in page


def test_the_rollup_ranks_reps_by_survival(two_weeks):
    rollup = (two_weeks / "out" / "2026-W46" / "rollup.md").read_text()
    rows = [line for line in rollup.split("## Plan survival", 1)[1].splitlines() if "](" in line]
    # Dana, summed over her commitments in hours or blocks: prospecting 32400 planned,
    # 23400 survived; follow-up Mon-Thu 13:30-14:15, 4 x 2700 = 10800, all held; the gym
    # Tue and Thu 07:00-08:00, 2 x 3600 = 7200, all held: 41400 of 50400 = 82%, lowest
    assert rows[0] == (
        "| [Dana Exampleton](dana-at-northwind.example.md) | 82% | 14 h | 11 h 30 min | 1 h | 2 |"
    )
    assert [row.split("|")[2].strip() for row in rows[1:]] == ["100%", "100%"]
    html = (two_weeks / "out" / "2026-W46" / "index.html").read_text()
    assert "Plan survival" in html
