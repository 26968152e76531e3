"""The contract every calendar source keeps (issue 18), as one shared test class.

A source's own tests subclass ``SourceContract``: they name the source
(``name``, as registered) and say how to hold a week of events in it
(``settings``, from the neutral ``Spec`` records below), one event it cannot
read (``partial_settings``), and a calendar it cannot read at all
(``unreadable_settings``). The source is opened through the registry, as a
team file or ``--source`` opens it.

The week is 2026-W45 (Mon 2 to Sun 8 November) of rep@company.example, whose
routine (tests/fixtures/google/rep_company.yaml) is in America/New_York
(UTC-5 that week). The paired-fixture test audits the same week through the
source and through the .ics source: the audits must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import routine_audit as ra
from routine_audit.errors import SourceError
from routine_audit.model import Response, Status
from routine_audit.sources import source_class
from routine_audit.sources.base import SourceContext, SourceSettings

FIXTURES = Path(__file__).parent / "fixtures"
ROUTINE = FIXTURES / "google" / "rep_company.yaml"
REP = "rep@company.example"
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Spec:
    """One occurrence, said once for every source: times local in ``tz`` ("YYYY-MM-DD
    HH:MM"; a date alone: all day, end exclusive); ``tz`` None: floating (the reader's)."""

    uid: str
    title: str
    start: str
    end: str
    tz: str | None = "America/New_York"
    status: str = "confirmed"
    response: str | None = None  # the rep's answer as an attendee
    free: bool = False
    private: bool = False
    created: str | None = None  # "YYYY-MM-DD HH:MM" UTC
    original: str | None = None  # an instance of a series: its original start (local, tz)

    @property
    def all_day(self) -> bool:
        return " " not in self.start

    def moment(self, text: str, zone: ZoneInfo = NY) -> datetime:
        """A time of this spec as an aware instant (floating: in ``zone``)."""
        if " " not in text:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), zone)
        naive = datetime.fromisoformat(text)
        return naive.replace(tzinfo=ZoneInfo(self.tz) if self.tz else zone)


WEEK = (
    # created known; Mon 09:00-11:00 New York
    Spec("prospect@t", "Prospecting block", "2026-11-02 09:00", "2026-11-02 11:00",
         created="2026-10-01 12:00"),
    # zones: 15:00 in Berlin (UTC+1) is 09:00 in New York (UTC-5)
    Spec("berlin@t", "Client call", "2026-11-03 15:00", "2026-11-03 16:00",
         tz="Europe/Berlin", response="accepted"),
    # floating: 10:00 wherever the rep is, here New York
    Spec("floating@t", "Focus time", "2026-11-04 10:00", "2026-11-04 11:00", tz=None),
    Spec("dayoff@t", "Day off", "2026-11-05", "2026-11-06"),
    # all day, three days: Fri to Sun, beyond the period's end (Mon 9 is exclusive)
    Spec("conference@t", "Conference", "2026-11-06", "2026-11-10"),
    # timed across midnight into the period: Sun 22:00 to Mon 02:00
    Spec("overnight@t", "Red-eye", "2026-11-01 22:00", "2026-11-02 02:00"),
    Spec("declined@t", "Pipeline review", "2026-11-03 13:00", "2026-11-03 14:00",
         response="declined"),
    Spec("cancelled@t", "Team sync", "2026-11-04 13:00", "2026-11-04 14:00", status="cancelled"),
    Spec("free@t", "Optional webinar", "2026-11-04 15:00", "2026-11-04 16:00", free=True),
    Spec("private@t", "Dentist", "2026-11-06 12:00", "2026-11-06 13:00", private=True),
    # a series' two instances, the second moved from 08:00 to 08:30
    Spec("standup@t", "Standup", "2026-11-02 08:00", "2026-11-02 08:15",
         original="2026-11-02 08:00"),
    Spec("standup@t", "Standup", "2026-11-03 08:30", "2026-11-03 08:45",
         original="2026-11-03 08:00"),
    # two weeks before: never part of this period
    Spec("old@t", "Old meeting", "2026-10-20 10:00", "2026-10-20 11:00"),
)  # fmt: skip
IN_PERIOD = {s.uid for s in WEEK} - {"old@t"}


class SourceContract:
    """Every registered source passes these tests; see the module's docstring."""

    name: str = ""  # the source's registered name

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        """The settings of a calendar holding ``specs`` (files go in ``folder``)."""
        raise NotImplementedError

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        """``specs`` plus one event the source cannot read."""
        raise NotImplementedError

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        """A calendar the source cannot read at all."""
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------

    def open(self, folder: Path, values: dict[str, Any]):
        kind = source_class(self.name)
        return kind.open(kind.Settings.model_validate(values), SourceContext(folder=folder))

    def read(self, tmp_path: Path, specs: tuple[Spec, ...] = WEEK):
        routine = ra.load_routine(ROUTINE)
        period = ra.period_for(routine, week="2026-W45")
        source = self.open(tmp_path, self.settings(tmp_path, specs))
        return source, period, source.read(period, zone=routine.zone)

    def by_uid(self, data, uid: str):
        found = [e for e in data.events if e.uid == uid]
        assert found, f"{uid} was not read"
        return found[0]

    # --- the contract ----------------------------------------------------------------

    def test_registered_and_declared(self):
        kind = source_class(self.name)
        assert kind.name == self.name
        assert isinstance(kind.networked, bool)
        assert issubclass(kind.Settings, SourceSettings)

    def test_period_clipping(self, tmp_path):
        _, period, data = self.read(tmp_path)
        overlapping = {e.uid for e in data.events if e.end > period.start and e.start < period.end}
        assert overlapping == IN_PERIOD
        # the one two weeks before is not read (a source may look a little beyond)
        assert "old@t" not in {e.uid for e in data.events}
        # events crossing the period's edges keep their own times: the engine clips them
        overnight = self.by_uid(data, "overnight@t")
        assert overnight.start == datetime(2026, 11, 1, 22, 0, tzinfo=NY)
        assert overnight.end == datetime(2026, 11, 2, 2, 0, tzinfo=NY)

    def test_zones_and_floating_times(self, tmp_path):
        _, _, data = self.read(tmp_path)
        berlin = self.by_uid(data, "berlin@t")
        # 15:00 Berlin (UTC+1) = 14:00 UTC = 09:00 New York (UTC-5)
        assert berlin.start == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
        assert berlin.start.astimezone(NY).hour == 9
        floating = self.by_uid(data, "floating@t")
        assert floating.start == datetime(2026, 11, 4, 10, 0, tzinfo=NY)  # the reader's zone
        for event in data.events:
            assert event.start.tzinfo is not None and event.end.tzinfo is not None

    def test_all_day_and_multi_day(self, tmp_path):
        _, _, data = self.read(tmp_path)
        day = self.by_uid(data, "dayoff@t")
        assert day.all_day
        assert (day.start, day.end) == (
            datetime(2026, 11, 5, tzinfo=NY),
            datetime(2026, 11, 6, tzinfo=NY),
        )
        conference = self.by_uid(data, "conference@t")
        assert conference.all_day
        # four days, Fri 6 to Mon 9 inclusive: 10 November is the exclusive end
        assert conference.end - conference.start == datetime(2026, 11, 10) - datetime(2026, 11, 6)
        assert not self.by_uid(data, "overnight@t").all_day

    def test_declined_cancelled_free_private(self, tmp_path):
        _, _, data = self.read(tmp_path)
        declined = self.by_uid(data, "declined@t")
        mine = [a for a in declined.attendees if a.email == REP]
        assert [a.response for a in mine] == [Response.DECLINED]
        cancelled = [e for e in data.events if e.uid == "cancelled@t"]
        assert all(e.status is Status.CANCELLED for e in cancelled)  # or not read at all
        assert self.by_uid(data, "free@t").transparent
        assert self.by_uid(data, "private@t").is_private
        assert not self.by_uid(data, "berlin@t").is_private

    def test_partial_problems_vs_source_error(self, tmp_path):
        routine = ra.load_routine(ROUTINE)
        period = ra.period_for(routine, week="2026-W45")
        source = self.open(tmp_path, self.partial_settings(tmp_path, WEEK))
        data = source.read(period, zone=routine.zone)
        assert data.problems, "the unreadable event is a problem of the data"
        assert {e.uid for e in data.events} >= IN_PERIOD - {"cancelled@t"}
        broken = self.open(tmp_path, self.unreadable_settings(tmp_path))
        with pytest.raises(SourceError):
            broken.read(period, zone=routine.zone)

    def test_stable_identities_across_two_reads(self, tmp_path):
        source, period, first = self.read(tmp_path)
        second = source.read(period, zone=NY)
        keys = [e.key for e in first.events]
        assert len(set(keys)) == len(keys), "an identity names one occurrence"
        assert sorted(keys) == sorted(e.key for e in second.events)
        standups = sorted((e for e in first.events if e.uid == "standup@t"), key=lambda e: e.start)
        assert [e.recurrence_id for e in standups] == [
            datetime(2026, 11, 2, 8, 0, tzinfo=NY),
            datetime(2026, 11, 3, 8, 0, tzinfo=NY),
        ]

    def test_created_and_free_busy_where_told(self, tmp_path):
        kind = source_class(self.name)
        _, _, data = self.read(tmp_path)
        if kind.tells_created:
            assert self.by_uid(data, "prospect@t").created == datetime(2026, 10, 1, 12, tzinfo=UTC)
        if kind.tells_free_busy:
            assert data.free_busy is not None

    def test_paired_fixture_audits_alike(self, tmp_path):
        """The same week through this source and through .ics files audits alike."""
        routine = ra.load_routine(ROUTINE)
        rules = ra.load_rules()
        period = ra.period_for(routine, week="2026-W45")
        own = self.open(tmp_path, self.settings(tmp_path, WEEK))
        reference_folder = tmp_path / "reference"
        reference_folder.mkdir()
        reference = IcsWriter.open_ics(reference_folder, WEEK)
        mine = ra.audit_calendar(own, routine, rules, period)
        theirs = ra.audit_calendar(reference, routine, rules, period)
        assert mine.commitments.equals(theirs.commitments)
        assert mine.commitment_days.equals(theirs.commitment_days)
        assert mine.findings.drop(columns=["evidence"], errors="ignore").equals(
            theirs.findings.drop(columns=["evidence"], errors="ignore")
        )
        assert len(mine.occurrences) == len(theirs.occurrences)


class IcsWriter:
    """``Spec`` records as an .ics file (the reference of the paired test)."""

    @staticmethod
    def text(specs: tuple[Spec, ...], *, broken: bool = False) -> str:
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//routine-audit tests//EN"]
        series: dict[str, list[Spec]] = {}
        for spec in specs:
            if spec.original:
                series.setdefault(spec.uid, []).append(spec)
            else:
                lines += IcsWriter.event(spec)
        for uid, instances in series.items():
            first = instances[0]
            dates = ",".join(_ics_time(s.original or "", s.tz)[1] for s in instances[1:])
            master = Spec(uid, first.title, first.original or "", _shift(first), first.tz)
            lines += IcsWriter.event(master, extra=[f"RDATE;TZID={first.tz}:{dates}"])
            for spec in instances:
                if spec.start != spec.original:
                    lines += IcsWriter.event(spec)
        if broken:
            lines += ["BEGIN:VEVENT", "UID:broken@t", "DTSTAMP:20261001T000000Z",
                      "SUMMARY:Broken", "DTSTART:2026-11-03 nonsense", "END:VEVENT"]  # fmt: skip
        lines.append("END:VCALENDAR")
        return "\r\n".join(lines) + "\r\n"

    @staticmethod
    def event(spec: Spec, extra: list[str] | None = None) -> list[str]:
        lines = ["BEGIN:VEVENT", f"UID:{spec.uid}", "DTSTAMP:20261001T000000Z"]
        lines.append(f"SUMMARY:{spec.title}")
        for name, value in (("DTSTART", spec.start), ("DTEND", spec.end)):
            params, text = _ics_time(value, spec.tz)
            lines.append(f"{name}{params}:{text}")
        if spec.original and spec.start != spec.original:
            params, text = _ics_time(spec.original, spec.tz)
            lines.append(f"RECURRENCE-ID{params}:{text}")
        if spec.status != "confirmed":
            lines.append(f"STATUS:{spec.status.upper()}")
        if spec.response:
            lines.append("ORGANIZER:mailto:boss@company.example")
            lines.append(f"ATTENDEE;PARTSTAT={spec.response.upper()}:mailto:{REP}")
            lines.append("ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@company.example")
        if spec.free:
            lines.append("TRANSP:TRANSPARENT")
        if spec.private:
            lines.append("CLASS:PRIVATE")
        if spec.created:
            lines.append(f"CREATED:{_ics_time(spec.created, None)[1]}Z")
        lines += extra or []
        lines.append("END:VEVENT")
        return lines

    @staticmethod
    def write(folder: Path, specs: tuple[Spec, ...], *, broken: bool = False) -> Path:
        path = folder / "week.ics"
        path.write_text(IcsWriter.text(specs, broken=broken), encoding="utf-8")
        return path

    @staticmethod
    def open_ics(folder: Path, specs: tuple[Spec, ...]):
        kind = source_class("ics")
        IcsWriter.write(folder, specs)
        settings = kind.Settings.model_validate({"location": "week.ics"})
        return kind.open(settings, SourceContext(folder=folder))


def _ics_time(value: str, tz: str | None) -> tuple[str, str]:
    compact = value.replace("-", "").replace(":", "").replace(" ", "T")
    if "T" not in compact:
        return ";VALUE=DATE", compact
    return (f";TZID={tz}" if tz else ""), compact + "00"


def _shift(spec: Spec) -> str:
    """The end a series' master has: its first instance's length after the original start."""
    length = spec.moment(spec.end) - spec.moment(spec.start)
    return (spec.moment(spec.original or spec.start) + length).strftime("%Y-%m-%d %H:%M")


def comparable_findings(result: ra.AuditResult) -> list[tuple]:
    """An audit's findings, sorted, as what two sources reading the same week must agree
    on: kind, commitment, day, detail, and the evidence's and obstacles' times,
    activities and seconds."""
    return sorted(
        (
            f.kind,
            f.commitment or "",
            str(f.day),
            f.detail,
            tuple((e.start, e.end, e.activity, e.seconds) for e in f.evidence),
            tuple((e.start, e.end, e.activity, e.seconds) for e in f.obstacles),
        )
        for f in result.finding_objects
    )
