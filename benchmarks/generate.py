"""A deterministic synthetic sales team: one year-long .ics export per rep, a team file.

Each rep's calendar looks like a busy Google export: routine blocks as weekly
series re-created every quarter (the old series closed with UNTIL, some with
COUNT), moved and cancelled instances (RECURRENCE-ID overrides), EXDATEs,
one-off client and internal meetings (some declined, tentative, cancelled or
free), all-day and multi-day out-of-office, DURATION instead of DTEND, times
in UTC, in the rep's zone and in other zones (travel), and private events.

usage: python benchmarks/generate.py OUT_DIR [--reps 200] [--weeks 52] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Singapore",
    "Australia/Sydney",
)
DOMAIN = "northwind.example"
CLIENTS = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell", "soylent")
MEETINGS = (
    "Discovery call – {client}",
    "Demo for {client}",
    "QBR with {client}",
    "Pricing review: {client}",
    "Negotiation – {client} renewal",
    "Kickoff with {client}",
    "Onboarding session ({client})",
    "Intro call {client}",
)
INTERNAL = ("Pipeline review", "Deal desk", "Enablement: new pricing", "All-hands", "Forecast call")
FOLLOW_UPS = ("Follow-up: {client} next steps", "Check-in with {client}")
PERSONAL = ("Dentist", "School run", "Doctor", "Haircut")
FILLER = (
    "Agenda: status, open questions, next steps. Notes from last time are in the CRM; "
    "bring the numbers for this quarter and the list of open opportunities. "
)
# the routine series: title, days, start, minutes, class
SERIES = (
    ("Prospecting – call block", "MO,TU,WE,TH,FR", time(9, 0), 120, "PUBLIC"),
    ("Follow-up: open opportunities", "MO,TU,WE,TH,FR", time(13, 30), 45, "PUBLIC"),
    ("Weekly sales team meeting", "MO", time(11, 30), 30, "PUBLIC"),
    ("CRM admin", "FR", time(14, 0), 120, "PUBLIC"),
    ("Gym", "TU,TH", time(7, 0), 60, "PRIVATE"),
)
QUARTER_WEEKS = 13


@dataclass(frozen=True)
class Rep:
    email: str
    name: str
    zone: str


def audit_week(first_monday: date, weeks: int) -> date:
    """The Monday of the week the benchmark audits: three weeks before the calendar ends."""
    return first_monday + timedelta(weeks=max(0, weeks - 3))


def generate_team(
    folder: Path,
    *,
    reps: int = 200,
    weeks: int = 52,
    seed: int = 7,
    first_monday: date = date(2025, 11, 24),
) -> Path:
    """Write ``reps`` calendars of ``weeks`` weeks, a routine and a team file; the team file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calendars").mkdir(exist_ok=True)
    members = []
    for index in range(reps):
        rep = Rep(f"rep{index:03d}@{DOMAIN}", f"Rep {index:03d}", ZONES[index % len(ZONES)])
        rng = random.Random(f"{seed}:{index}")
        text = calendar_text(rep, rng, first_monday, weeks)
        (folder / "calendars" / f"rep{index:03d}.ics").write_text(text, newline="")
        members.append(rep)
    for zone in {r.zone for r in members}:
        (folder / routine_name(zone)).write_text(ROUTINE.replace("{zone}", zone))
    lines = [
        "kind: team",
        "version: 1",
        "name: Synthetic Team",
        "timezone: Europe/London",
        "days_in: rep",
        "output_dir: reports",
        "db: history.sqlite",
        "reps:",
    ]
    lines += [
        f"  - {{email: {r.email}, name: {r.name}, "
        f"calendar: {{type: ics, location: calendars/{r.email[:6]}.ics}},"
        f" routine: {routine_name(r.zone)}}}"
        for r in members
    ]
    team = folder / "team.yaml"
    team.write_text("\n".join(lines) + "\n")
    return team


def calendar_text(rep: Rep, rng: random.Random, first_monday: date, weeks: int) -> str:
    """One rep's year as an iCalendar export (CRLF lines, folded at 75 octets)."""
    zone = ZoneInfo(rep.zone)
    last_day = first_monday + timedelta(weeks=weeks) - timedelta(days=1)
    out: list[str] = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{rep.email}",
        f"X-WR-TIMEZONE:{rep.zone}",
    ]
    out += vtimezone(rep.zone, first_monday.year, last_day.year)
    events: list[list[str]] = []
    for quarter_start in range(0, weeks, QUARTER_WEEKS):
        events += _series(rep, rng, first_monday, quarter_start, min(weeks, quarter_start + 13))
    day = first_monday
    while day <= last_day:
        if day.weekday() < 5:
            events += _meetings(rep, rng, zone, day)
        if rng.random() < 0.03:
            events.append(_out_of_office(rep, rng, day))
        day += timedelta(days=1)
    rng.shuffle(events)  # exports are not in time order
    for lines in events:
        out += lines
    out.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in out)


def _series(rep: Rep, rng: random.Random, monday0: date, q0: int, q1: int) -> list[list[str]]:
    """The routine series for weeks ``q0``–``q1``, with overrides and EXDATEs."""
    events = []
    first = monday0 + timedelta(weeks=q0)
    last = monday0 + timedelta(weeks=q1) - timedelta(days=1)
    for number, (title, days, start, minutes, privacy) in enumerate(SERIES):
        uid = f"{rep.email[:6]}-s{number}-q{q0}@google.com"
        weekdays = [("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(d) for d in days.split(",")]
        day0 = first + timedelta(days=weekdays[0])
        begin = datetime.combine(day0, start)
        instances = [
            datetime.combine(first + timedelta(weeks=w, days=d), start)
            for w in range((last - first).days // 7 + 1)
            for d in weekdays
            if first + timedelta(weeks=w, days=d) <= last
        ]
        until = datetime.combine(last, time(23, 59, 59), ZoneInfo(rep.zone)).astimezone(UTC)
        # the team meeting's series ends by a count, as Outlook writes it
        limit = f"COUNT={len(instances)}" if number == 2 else f"UNTIL={until:%Y%m%dT%H%M%SZ}"
        exdates = [i for i in instances[1:] if rng.random() < 0.04]
        master = [
            "BEGIN:VEVENT",
            f"DTSTART;TZID={rep.zone}:{begin:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={rep.zone}:{begin + timedelta(minutes=minutes):%Y%m%dT%H%M%S}",
            f"RRULE:FREQ=WEEKLY;BYDAY={days};{limit}",
        ]
        master += [f"EXDATE;TZID={rep.zone}:{x:%Y%m%dT%H%M%S}" for x in exdates]
        master += _common(uid, title, rng, privacy=privacy, created=begin - timedelta(days=3))
        master += ["END:VEVENT"]
        events.append(master)
        for instance in instances[1:]:
            if instance in exdates or rng.random() >= 0.08:
                continue
            moved = instance + timedelta(minutes=rng.choice((-90, -60, 30, 60, 120, 1440)))
            override = [
                "BEGIN:VEVENT",
                f"DTSTART;TZID={rep.zone}:{moved:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={rep.zone}:{moved + timedelta(minutes=minutes):%Y%m%dT%H%M%S}",
                f"RECURRENCE-ID;TZID={rep.zone}:{instance:%Y%m%dT%H%M%S}",
            ]
            status = "CANCELLED" if rng.random() < 0.2 else "CONFIRMED"
            override += _common(
                uid, title, rng, privacy=privacy, created=begin, status=status, sequence=1
            )
            events.append([*override, "END:VEVENT"])
    return events


def _meetings(rep: Rep, rng: random.Random, zone: ZoneInfo, day: date) -> list[list[str]]:
    """A weekday's one-off meetings: client, internal, follow-up and personal."""
    events = []
    for number in range(rng.randint(2, 4)):
        client = rng.choice(CLIENTS)
        kind = rng.random()
        if kind < 0.55:
            title, guests = rng.choice(MEETINGS), [f"buyer@{client}.example"]
        elif kind < 0.75:
            title, guests = rng.choice(INTERNAL), [f"manager@{DOMAIN}", f"peer@{DOMAIN}"]
        elif kind < 0.9:
            title, guests = rng.choice(FOLLOW_UPS), [f"champion@{client}.example"]
        else:
            title, guests = rng.choice(PERSONAL), []
        title = title.format(client=client.capitalize())
        start = datetime.combine(day, time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))), zone)
        length = timedelta(minutes=rng.choice((30, 30, 45, 60, 60, 90)))
        uid = f"{rep.email[:6]}-{day:%Y%m%d}-{number}@google.com"
        lines = ["BEGIN:VEVENT", *_times(rng, rep, start, length)]
        response = rng.choices(("ACCEPTED", "DECLINED", "TENTATIVE"), (0.85, 0.1, 0.05))[0]
        if guests:
            lines.append(f"ORGANIZER;CN={guests[0]}:mailto:{guests[0]}")
            lines.append(
                f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={response};"
                f"CN={rep.name};X-NUM-GUESTS=0:mailto:{rep.email}"
            )
            lines += [
                f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                f"CN={g};X-NUM-GUESTS=0:mailto:{g}"
                for g in guests
            ]
        status = "CANCELLED" if rng.random() < 0.03 else "CONFIRMED"
        private = "PRIVATE" if not guests and rng.random() < 0.5 else "PUBLIC"
        created = start.replace(tzinfo=None) - timedelta(hours=rng.choice((2, 20, 72, 300)))
        lines += _common(uid, title, rng, privacy=private, created=created, status=status)
        if rng.random() < 0.03:
            lines = [line for line in lines if line != "TRANSP:OPAQUE"] + ["TRANSP:TRANSPARENT"]
        events.append([*lines, "END:VEVENT"])
    return events


def _times(rng: random.Random, rep: Rep, start: datetime, length: timedelta) -> list[str]:
    """DTSTART and DTEND (or DURATION) in UTC, the rep's zone, or another zone."""
    how = rng.random()
    if how < 0.3:
        first = f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        end = f"DTEND:{(start + length).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    elif how < 0.4:  # booked while travelling: another zone's wall clock
        other = ZoneInfo(rng.choice(ZONES))
        local = start.astimezone(other)
        first = f"DTSTART;TZID={other.key}:{local:%Y%m%dT%H%M%S}"
        end = f"DTEND;TZID={other.key}:{(local + length):%Y%m%dT%H%M%S}"
    else:
        first = f"DTSTART;TZID={rep.zone}:{start:%Y%m%dT%H%M%S}"
        end = f"DTEND;TZID={rep.zone}:{(start + length):%Y%m%dT%H%M%S}"
    if rng.random() < 0.1:
        end = f"DURATION:PT{int(length.total_seconds() // 60)}M"
    return [first, end]


def _out_of_office(rep: Rep, rng: random.Random, day: date) -> list[str]:
    days = rng.choice((1, 1, 2, 3, 5))
    uid = f"{rep.email[:6]}-ooo-{day:%Y%m%d}@google.com"
    if rng.random() < 0.2:  # a conference: one timed event over several days
        start = datetime.combine(day, time(8, 0))
        lines = [
            f"DTSTART;TZID={rep.zone}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={rep.zone}:{start + timedelta(days=days, hours=10):%Y%m%dT%H%M%S}",
        ]
        title = "Sales conference"
    else:
        lines = [
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=days):%Y%m%d}",
        ]
        title = rng.choice(("Out of office", "Vacation", "Public holiday"))
    created = datetime.combine(day, time(9)) - timedelta(days=30)
    return ["BEGIN:VEVENT", *lines, *_common(uid, title, rng, created=created), "END:VEVENT"]


def _common(
    uid: str,
    title: str,
    rng: random.Random,
    *,
    privacy: str = "PUBLIC",
    created: datetime,
    status: str = "CONFIRMED",
    sequence: int = 0,
) -> list[str]:
    stamp = f"{created:%Y%m%dT%H%M%S}Z"
    lines = [
        "DTSTAMP:20261120T064512Z",
        f"UID:{uid}",
        f"CREATED:{stamp}",
        "DESCRIPTION:" + _escape(FILLER * rng.randint(1, 3)),
        f"LAST-MODIFIED:{stamp}",
        "LOCATION:" + rng.choice(("", "Zoom", "Office\\, 3rd floor", "Client site")),
        f"SEQUENCE:{sequence}",
        f"STATUS:{status}",
        f"SUMMARY:{_escape(title)}",
        "TRANSP:OPAQUE",
    ]
    if privacy != "PUBLIC":
        lines.append(f"CLASS:{privacy}")
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def fold(line: str) -> str:
    """RFC 5545 folding at 75 octets (never inside a UTF-8 sequence)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


@cache
def vtimezone(key: str, first_year: int, last_year: int) -> list[str]:
    import icalendar

    component = icalendar.Timezone.from_tzinfo(
        ZoneInfo(key), first_date=date(first_year - 1, 1, 1), last_date=date(last_year + 1, 12, 31)
    )
    return component.to_ical().decode().replace("\r\n ", "").splitlines()


def routine_name(zone: str) -> str:
    return "routine-" + zone.replace("/", "-").lower() + ".yaml"


ROUTINE = """\
kind: routine
version: 1
timezone: {zone}
internal_domains: [northwind.example]
working_hours:
  weekdays: "09:00-17:30"
commitments:
  - id: prospecting
    activity: prospecting
    description: Two hours of prospecting every weekday morning
    unit: hours
    per: day
    target: 2
    min_block: 60
    window: {days: weekdays, start: "09:00", end: "12:00"}
  - id: follow-up
    activity: follow-up
    description: 45 minutes a day on open opportunities, after lunch
    unit: hours
    per: day
    target: 0.75
    window: {days: weekdays, start: "13:00", end: "16:00"}
  - id: client-meetings
    activity: client-meeting
    description: At least six client meetings a week
    unit: meetings
    per: week
    target: 6
  - id: admin
    activity: admin
    description: CRM hygiene, no more than 3 hours a week
    unit: hours
    per: week
    target: 3
    direction: max
  - id: gym
    activity: personal
    description: The gym twice a week
    unit: blocks
    per: week
    target: 2
limits:
  - id: no-late-meetings
    kind: no_meetings_after
    time: "18:00"
    days: weekdays
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    team = generate_team(args.out, reps=args.reps, weeks=args.weeks, seed=args.seed)
    print(team)


if __name__ == "__main__":
    main()
