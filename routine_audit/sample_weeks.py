"""The demo's weeks before the sample week, and the sample history built from them.

The sample team's calendars (``data/sample``) hold one week in detail, 2026-W45. The
demo shows a cadence, so the seven weeks before it are made from it at demo time,
deterministically: each rep's calendar moved back whole by one to seven weeks (every
time on its own wall clock, so a 09:00 block stays at 09:00 across a daylight-saving
change), then changed as the rep's story says (``STORIES``):

- Dana improves: in the weeks before, client meetings booked on Monday morning
  (after the plan was made) took one more prospecting hour per week the further back:
  7 hours in W38, 6 in W39 … 1 in W44, none in W45.
- Sam slips: the client meetings that take his gym mornings in W45 were not there
  before. W38-W42 hold neither (both gym blocks), W43-W44 the Wednesday call only
  (Monday's block), W45 both (no block).

``build_sample_history`` records those weeks in a history of its own (never the user's):
each week's plan, taken on its Monday at 07:00 from the calendar as it stood then (the
events created before that moment), the weeks W38-W44 as audited, and one agreed
action, for Sam's gym in W45, recorded on Friday of W44. Eight weeks in all: as many as
a rep page's trend and the team page's heatmap show. The demo then runs W45 itself with
that history. The figures are worked by hand in tests/golden/sample_week.json
("weeks").
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .config.team import Team

SAMPLE_WEEK = "2026-W45"
WEEKS_BEFORE = 7  # 2026-W38 … 2026-W44
PLAN_AT = (0, 7)  # each week's plan: its Monday at 07:00 in the team's zone
AGREED = (
    "sam@northwind.example",
    "gym",
    "Keep the 07:00 spin class: move or decline anything booked on top of it",
    datetime(2026, 10, 30, 15, 0, tzinfo=ZoneInfo("Europe/London")),  # Fri of W44
)

# the properties that hold times (values are moved); RRULE's UNTIL is moved too
_TIMED = {"DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "CREATED",
          "LAST-MODIFIED", "DTSTAMP"}  # fmt: skip
_DATE = re.compile(r"\d{8}")
_LOCAL = re.compile(r"\d{8}T\d{6}")
_UTC = re.compile(r"\d{8}T\d{6}Z")


@dataclass(frozen=True)
class Change:
    """How one rep's week differs from the sample week moved back: VEVENTs left out (by
    UID) and VEVENTs added (their lines)."""

    drop: tuple[str, ...] = ()
    add: tuple[str, ...] = ()


def _dana(weeks_back: int, monday: date) -> Change:
    """Client meetings on prospecting mornings, one hour each, one per week back, booked
    on Monday at 08:00 (after the plan): Mon, Tue, Thu, Fri 09:00-10:00, Wed 10:00-11:00
    (Wed's prospecting block is 10:00-12:00 that week), then Mon and Tue 10:00-11:00."""
    slots = ((0, 9), (1, 9), (3, 9), (4, 9), (2, 10), (0, 10), (1, 10))[:weeks_back]
    created = _utc(datetime.combine(monday, datetime.min.time().replace(hour=8)), "Europe/London")
    buyers = ("Contoso", "Fabrikam", "Tailspin", "Northwind Traders", "Litware", "Proseware",
              "Adatum")  # fmt: skip
    return Change(
        add=tuple(
            _meeting(
                f"demo-dana-{monday.isoformat()}-{day}-{hour}@northwind.example",
                f"{buyers[i]} – pricing call",
                datetime.combine(monday + timedelta(days=day), datetime.min.time()).replace(
                    hour=hour
                ),
                "Europe/London",
                created,
                "dana@northwind.example",
            )
            for i, (day, hour) in enumerate(slots)
        )
    )


SAM_BREAKFAST = "A1078E5B-7F27-420D-8537-9F7E27129FEA"  # Initech, Mon 07:00-08:30
SAM_EARLY_CALL = "A586D281-EF6B-4BDF-A565-5D16D1F3AEFB"  # Globex, Wed 07:30-08:30


def _sam(weeks_back: int, monday: date) -> Change:
    if weeks_back >= 3:
        return Change(drop=(SAM_BREAKFAST, SAM_EARLY_CALL))
    return Change(drop=(SAM_BREAKFAST,))


# rep -> (weeks back, that week's Monday) -> how the week differs
STORIES: dict[str, Callable[[int, date], Change]] = {
    "dana@northwind.example": _dana,
    "sam@northwind.example": _sam,
}


def sample_weeks() -> list[str]:
    """The demo's weeks, oldest first: seven before the sample week, then it."""
    from .history import shift_week

    return [shift_week(SAMPLE_WEEK, -back) for back in range(WEEKS_BEFORE, -1, -1)]


# ---------------------------------------------------------------- calendars


def week_calendar(text: str, weeks_back: int, zone: str, change: Change) -> str:
    """The sample calendar ``text`` moved back ``weeks_back`` weeks (times in UTC are
    moved on ``zone``'s clock), with ``change`` applied."""
    lines, in_zone, event, kept = _unfold(text), False, [], []
    days = 7 * weeks_back
    for line in lines:
        if line == "BEGIN:VTIMEZONE":
            in_zone = True
        elif line == "END:VTIMEZONE":
            in_zone = False
        moved = line if in_zone else _moved_line(line, days, zone)
        if moved == "BEGIN:VEVENT" or event:
            event.append(moved)
            if moved == "END:VEVENT":
                if not any(f"UID:{uid}" == part for part in event for uid in change.drop):
                    kept += event
                event = []
            continue
        if moved == "END:VCALENDAR":
            kept += [line for added in change.add for line in added.split("\r\n")]
        kept.append(moved)
    return "".join(f"{_fold(line)}\r\n" for line in kept)


def planned_calendar(text: str, taken_at: datetime) -> str:
    """``text`` as it stood at ``taken_at``: the VEVENTs created before then (an event
    whose creation time is not known is kept)."""
    lines, event, kept = _unfold(text), [], []
    for line in lines:
        if line == "BEGIN:VEVENT" or event:
            event.append(line)
            if line == "END:VEVENT":
                if _created(event) is None or _created(event) < taken_at:  # type: ignore[operator]
                    kept += event
                event = []
            continue
        kept.append(line)
    return "".join(f"{_fold(line)}\r\n" for line in kept)


def _created(event: list[str]) -> datetime | None:
    for line in event:
        if line.startswith("CREATED:") and _UTC.fullmatch(line[8:]):
            return datetime.strptime(line[8:], "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
    return None


def _moved_line(line: str, days: int, zone: str) -> str:
    head, colon, value = line.partition(":")
    name = head.partition(";")[0].upper()
    if name in _TIMED:
        return head + colon + ",".join(_moved(v, days, zone) for v in value.split(","))
    if name == "RRULE":
        return (
            head
            + colon
            + re.sub(r"UNTIL=([0-9TZ]+)", lambda m: "UNTIL=" + _moved(m[1], days, zone), value)
        )
    return line


def _moved(value: str, days: int, zone: str) -> str:
    """A date or time ``days`` days earlier on its own clock (UTC times on ``zone``'s)."""
    if _DATE.fullmatch(value):
        return (datetime.strptime(value, "%Y%m%d") - timedelta(days=days)).strftime("%Y%m%d")
    if _LOCAL.fullmatch(value):
        moved = datetime.strptime(value, "%Y%m%dT%H%M%S") - timedelta(days=days)
        return moved.strftime("%Y%m%dT%H%M%S")
    if _UTC.fullmatch(value):
        instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
        wall = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) - timedelta(days=days)
        return _utc(wall, zone).strftime("%Y%m%dT%H%M%SZ")
    return value


def _utc(wall: datetime, zone: str) -> datetime:
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def _meeting(uid: str, title: str, start: datetime, zone: str, created: datetime, rep: str) -> str:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    end = start + timedelta(hours=1)
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            f"CREATED:{stamp}",
            f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
            f"SUMMARY:{title}",
            f"ORGANIZER:mailto:{rep}",
            f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{rep}",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@customer.example",
            "END:VEVENT",
        ]
    )


def _unfold(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).replace("\r\n", "\n").strip("\n").split("\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, as RFC 5545 writes them."""
    data, parts = line.encode(), []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a character
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


# ---------------------------------------------------------------- the history


def write_week(team: Team, folder: Path, weeks_back: int, *, plan_at: datetime | None) -> Path:
    """The sample team's files for the week ``weeks_back`` weeks before the sample week,
    in ``folder`` (as planned at ``plan_at``, or as it went); its team file."""
    from .history import shift_week
    from .period import week_monday

    source = team.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.yaml"):
        shutil.copyfile(path, folder / path.name)
    monday = week_monday(shift_week(SAMPLE_WEEK, -weeks_back))
    assert monday is not None
    for member in team.spec.reps:
        (location,) = team.calendar_locations(member)
        text = Path(location).read_text(encoding="utf-8")
        zone = team.member_routine(member).timezone
        story = STORIES.get(member.email)
        change = story(weeks_back, monday) if story and weeks_back else Change()
        text = week_calendar(text, weeks_back, zone, change)
        if plan_at is not None:
            text = planned_calendar(text, plan_at)
        (folder / Path(location).name).write_text(text, encoding="utf-8", newline="")
    return folder / team.path.name


def run_at(team: Team) -> datetime:
    """When the demo's run of the sample week happens: the Monday after it, at 07:00 in
    the team's zone (as cron's `run` would), so the week ahead is still to come (its
    plan is taken, and slots are proposed in it)."""
    from .history import shift_week
    from .period import week_monday

    monday = week_monday(shift_week(SAMPLE_WEEK, 1))
    assert monday is not None
    return datetime.combine(monday, datetime.min.time()).replace(
        hour=PLAN_AT[1], tzinfo=ZoneInfo(team.spec.timezone)
    )


def build_sample_history(team: Team, db: Path, work: Path) -> None:
    """Record the sample team's weeks before the sample week in the history ``db``, each
    week's plan (the sample week's too) and the agreed action (see the module's text)."""
    from .agreed import agree
    from .config.load import load_team
    from .history import History
    from .period import week_monday
    from .survival import take_team_snapshots
    from .team.ahead import check_week_ahead
    from .team.runner import team_period
    from .team.weekly import run_team

    zone = ZoneInfo(team.spec.timezone)
    for back, week in zip(range(WEEKS_BEFORE, -1, -1), sample_weeks(), strict=True):
        monday = week_monday(week)
        assert monday is not None
        plan_at = datetime.combine(monday, datetime.min.time()).replace(
            hour=PLAN_AT[1], tzinfo=zone
        )
        planned = load_team(write_week(team, work / f"{week}-plan", back, plan_at=plan_at))
        ahead = check_week_ahead(planned, team_period(planned, week=week))
        with History(db) as history:
            take_team_snapshots(history, planned, ahead, taken_at=plan_at)
        if back:
            actual = load_team(write_week(team, work / week, back, plan_at=None))
            run_team(actual, week=week, db=db, record=True, preview=False)
    rep, commitment, text, at = AGREED
    with History(db) as history:
        agree(history, team, rep, text, week=SAMPLE_WEEK, commitment=commitment, at=at)
