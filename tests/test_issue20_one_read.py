"""Issue 20, part 3: `run` reads each rep's calendar once for both weeks.

`run` audits the week (2026-W45, Mon 2 to Sun 8 November) and checks the week ahead
(2026-W46, Mon 9 to Sun 15 November). Each rep's calendar is read once, over both
weeks (``Source.read_periods``), and audited for each; what each week says is what
its own read and audit would say: the same figures and findings, each week's
coverage judged on its own (docs/audit.md, "Evidence: coverage": the stale line is
14 days before each week's first day: 2026-10-19 for W45, 2026-10-26 for W46).
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.caching import opened
from routine_audit.cli import app
from routine_audit.config.load import load_team
from routine_audit.coverage import Status
from routine_audit.parallel import WORKERS_ENV
from routine_audit.sources import ics as ics_module
from routine_audit.sources.google import GoogleSource
from routine_audit.sources.ics import IcsSource
from routine_audit.team.ahead import check_week_ahead
from routine_audit.team.runner import audit_team, team_period

WEEK, AHEAD = "2026-W45", "2026-W46"
REPS = ("dana", "morgan", "riley", "sam")


def _calendar(*events: str) -> str:
    """A calendar of VEVENT bodies (each without BEGIN/END lines)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{body}END:VCALENDAR\n"


def _event(uid: str, start: str, end: str, summary: str = "Client call", extra: str = "") -> str:
    return f"UID:{uid}\nDTSTART:{start}\nDTEND:{end}\nSUMMARY:{summary}\n{extra}"


# Morgan: a live calendar with nothing yet in the week ahead: events in W45 (Tue 3 and
# Wed 4 November) and Tue 24 November (W48). W45 is ok; W46 is empty (not stale: the
# newest event before it ends Wed 4 November, after its stale line 26 October) and names
# the next event, Tue 24 Nov.
MORGAN = _calendar(
    _event("a@t", "20261103T090000Z", "20261103T100000Z"),
    _event("b@t", "20261104T090000Z", "20261104T100000Z", "Prospecting"),
    _event("c@t", "20261124T090000Z", "20261124T100000Z"),
)
# Riley: a calendar that stopped on Tue 20 October (ends 10:00Z). W45's stale line is
# Mon 19 October: the event ends after it, so W45 is empty; W46's line is Mon 26
# October: nothing ends after it, so W46 is stale. One read, two verdicts.
RILEY = _calendar(
    _event("old@t", "20261005T090000Z", "20261005T100000Z"),
    _event("last@t", "20261020T090000Z", "20261020T100000Z"),
)


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    """The sample team: Dana's calendar as shipped, Morgan's and Riley's hand-made
    (above), Sam's unreadable (not a calendar)."""
    folder = tmp_path / "team"
    shutil.copytree(SAMPLE, folder)
    (folder / "morgan.ics").write_text(MORGAN)
    (folder / "riley.ics").write_text(RILEY)
    (folder / "sam.ics").write_text("this is not a calendar\n")
    return folder / "team.yaml"


@pytest.fixture
def counted(monkeypatch):
    """How often each file's bytes are read and each document parsed (in this process:
    one worker, so every read is seen here)."""
    monkeypatch.setenv(WORKERS_ENV, "1")
    reads: Counter[str] = Counter()
    parses: Counter[str] = Counter()
    read_bytes, read_document = ics_module._read_limited, ics_module.read_document

    def counting_read(path: Path) -> bytes:
        reads[Path(path).name] += 1
        return read_bytes(path)

    def counting_parse(document, period, zone, **options):
        parses[Path(document.name).name] += 1
        return read_document(document, period, zone, **options)

    monkeypatch.setattr(ics_module, "_read_limited", counting_read)
    monkeypatch.setattr(ics_module, "read_document", counting_parse)
    return reads, parses


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_run_reads_and_parses_each_calendar_once_for_both_weeks(
    team_file, tmp_path, monkeypatch, counted, cache
):
    """Before: the week ahead was a second team audit, which read (and, with the cache
    on, hashed) every file again and parsed it again: two of each."""
    if cache == "on":
        monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    reads, parses = counted
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["run", "--no-mail", "--config", str(team_file), "--week", WEEK,
         "--out", str(out), "--db", str(tmp_path / "h.sqlite")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # Sam's calendar cannot be read
    assert (out / "dana-at-northwind.example-week-ahead.html").is_file()
    calendars = {f"{rep}.ics" for rep in REPS}
    assert dict(reads) == dict.fromkeys(calendars, 1)
    # Sam's cannot be parsed: tried once, like the others
    assert dict(parses) == dict.fromkeys(calendars, 1)


def _figures(result) -> dict:
    """What an audit says: its figures, findings, coverage and data problems."""
    result = opened(result)
    return {
        "period": result.period,
        # as text: a missing target is NaN, which equals nothing, not even itself
        "commitments": result.commitments.to_csv(),
        "commitment_days": result.commitment_days.to_csv(),
        "daily": result.daily.to_csv(),
        "health": result.health,
        "findings": result.finding_objects,
        "coverage": result.coverage,
        "problems": result.problems,
        "occurrences": len(result.occurrences),
    }


def test_both_weeks_are_what_two_separate_audits_say(team_file, monkeypatch, counted):
    team = load_team(team_file)
    run = ra.run_team(team, week=WEEK, record=False)
    week = audit_team(team, team_period(team, week=WEEK))
    ahead = check_week_ahead(team, team_period(team, week=AHEAD))
    assert [o.member.email for o in run.outcomes] == [o.member.email for o in week]
    assert [o.member.email for o in run.preview] == [o.member.email for o in ahead]
    for mine, theirs in [
        *zip(run.outcomes, week, strict=True),
        *zip(run.preview, ahead, strict=True),
    ]:
        assert mine.error == theirs.error
        if theirs.result is not None:
            assert _figures(mine.result) == _figures(theirs.result)
    # the week ahead has its own findings (future tense): Dana's are not the week's
    dana = opened(run.preview[0].result)
    assert dana.period.label == AHEAD
    assert dana.finding_objects != opened(run.outcomes[0].result).finding_objects


def test_each_week_is_judged_on_its_own(team_file, counted):
    team = load_team(team_file)
    run = ra.run_team(team, week=WEEK, record=False)
    week = {o.member.email.split("@")[0]: o for o in run.outcomes}
    ahead = {o.member.email.split("@")[0]: o for o in run.preview}
    # Morgan: two events in W45; nothing yet in W46, the next event Tue 24 November
    assert week["morgan"].result.coverage.status is Status.OK
    assert week["morgan"].result.coverage.events_in_period == 2
    empty = ahead["morgan"].result.coverage
    assert empty.status is Status.EMPTY
    assert "next event after it starts Tue 24 Nov 2026" in empty.note
    assert "newest event before it ends Wed 04 Nov 2026" in empty.note
    # Riley: the last event ends Tue 20 October 10:00Z: after W45's stale line (Mon 19
    # October), before W46's (Mon 26 October)
    assert week["riley"].result.coverage.status is Status.EMPTY
    assert ahead["riley"].result.coverage.status is Status.STALE
    assert "newest event before it ends Tue 20 Oct 2026" in ahead["riley"].result.coverage.note
    # Sam's calendar cannot be read: both weeks fail, alone, for the same one-line reason
    assert week["sam"].result is None and ahead["sam"].result is None
    assert week["sam"].error == ahead["sam"].error
    assert "sam.ics" in week["sam"].error and "\n" not in week["sam"].error
    assert week["dana"].ok and ahead["dana"].ok


def _meeting(data, period):
    """The events meeting ``period`` (what the engine audits), and the rest of the read."""
    start, end = period.start, period.end
    return (
        [e for e in data.events if e.end > start and e.start < end],
        data.problems,
        data.sources,
        data.extent,
        data.free_busy,
    )


@pytest.mark.parametrize(
    "calendar",
    [MORGAN, RILEY, (SAMPLE / "dana.ics").read_text(), (SAMPLE / "riley.ics").read_text()],
    ids=["empty-ahead", "stale-ahead", "dana", "riley-windows-zones"],
)
def test_reading_two_weeks_at_once_gives_each_week_its_own_read(tmp_path, calendar):
    path = tmp_path / "cal.ics"
    path.write_text(calendar)
    routine = ra.load_routine(SAMPLE / "dana.yaml")
    weeks = [ra.period_for(routine, week=w) for w in (WEEK, AHEAD)]
    source = IcsSource(path)
    together = source.read_periods(weeks, zone=routine.zone)
    alone = [source.read(period, zone=routine.zone) for period in weeks]
    for period, mine, theirs in zip(weeks, together, alone, strict=True):
        assert _meeting(mine, period) == _meeting(theirs, period)


def test_a_read_with_problems_is_made_week_by_week(tmp_path, monkeypatch):
    """An event that cannot be read (a DTEND that is not a time): each week's problems
    are those of its own read (the prefilter cannot date the event: both weeks')."""
    path = tmp_path / "cal.ics"
    path.write_text(
        _calendar(
            _event("ok@t", "20261103T090000Z", "20261103T100000Z"),
            _event("bad@t", "20261111T090000Z", "not-a-time"),
        )
    )
    routine = ra.load_routine(SAMPLE / "dana.yaml")
    weeks = [ra.period_for(routine, week=w) for w in (WEEK, AHEAD)]
    source = IcsSource(path)
    together = source.read_periods(weeks, zone=routine.zone)
    alone = [source.read(period, zone=routine.zone) for period in weeks]
    assert together[0].problems == alone[0].problems
    assert together[1].problems == alone[1].problems != ()
    for period, mine, theirs in zip(weeks, together, alone, strict=True):
        assert _meeting(mine, period) == _meeting(theirs, period)


class _Listing:
    """A Calendar API events resource that lists what meets [timeMin, timeMax), as
    the API does; ``asked`` keeps each (timeMin, timeMax)."""

    def __init__(self, items: list[dict]) -> None:
        self.items, self.asked = items, []

    def list(self, **args) -> _Page:
        start, end = (datetime.fromisoformat(args[k]) for k in ("timeMin", "timeMax"))
        self.asked.append((args["timeMin"], args["timeMax"]))
        meeting = [
            item
            for item in self.items
            if datetime.fromisoformat(item["end"]["dateTime"]) > start
            and datetime.fromisoformat(item["start"]["dateTime"]) < end
        ]
        return _Page({"summary": "primary", "accessRole": "owner", "items": meeting})

    def events(self) -> _Listing:
        return self


class _Page:
    def __init__(self, page: dict) -> None:
        self.page = page

    def execute(self, http=None, num_retries=0) -> dict:
        return self.page


def _item(uid: str, start: str, end: str) -> dict:
    return {"id": uid, "iCalUID": f"{uid}@t", "summary": "Client call",
            "start": {"dateTime": start}, "end": {"dateTime": end}}  # fmt: skip


def test_a_google_calendar_is_listed_once_for_both_weeks():
    """One listing over the two weeks (Mon 2 to Sun 15 November, London: GMT), then
    each week's share; the week ahead holds nothing, so it asks, as its own read
    would, for the 14 days before it (from Mon 26 October): Tuesday 3 November's
    event is there, so the week ahead is empty, not stale."""
    listing = _Listing(
        [
            _item("tue", "2026-11-03T09:00:00+00:00", "2026-11-03T10:00:00+00:00"),
            _item("later", "2026-11-24T09:00:00+00:00", "2026-11-24T10:00:00+00:00"),
        ]
    )
    routine = ra.load_routine(SAMPLE / "dana.yaml")
    weeks = [ra.period_for(routine, week=w) for w in (WEEK, AHEAD)]
    source = GoogleSource(None, "primary", service=listing)
    together = source.read_periods(weeks, zone=routine.zone)
    assert listing.asked == [
        ("2026-11-02T00:00:00+00:00", "2026-11-16T00:00:00+00:00"),
        ("2026-10-26T00:00:00+00:00", "2026-11-09T00:00:00+00:00"),
    ]
    alone = [source.read(period, zone=routine.zone) for period in weeks]
    for period, mine, theirs in zip(weeks, together, alone, strict=True):
        assert _meeting(mine, period) == _meeting(theirs, period)
    assert [e.uid for e in together[0].events] == ["tue@t"]
    assert together[1].events == () and together[1].extent.recent is True


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_warm_run_reads_nothing_and_renders_no_week_ahead_file(tmp_path, monkeypatch, workers):
    """Unchanged calendars: no file parsed, no week-ahead page rendered; the files are
    the cold run's, byte for byte."""
    from routine_audit.caching import envelope
    from routine_audit.report import ahead_view

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(WORKERS_ENV, workers)
    team = load_team(SAMPLE / "team.yaml")
    db = tmp_path / "h.sqlite"
    ra.run_team(team, week=WEEK, out=tmp_path / "cold", db=db)
    seen: list[str] = []
    decode, render, parse = envelope.decode, ahead_view.render_ahead, ics_module.read_document
    monkeypatch.setattr(envelope, "decode", lambda data: seen.append("decode") or decode(data))
    monkeypatch.setattr(
        ahead_view, "render_ahead", lambda *a, **k: seen.append("render") or render(*a, **k)
    )
    monkeypatch.setattr(
        ics_module, "read_document", lambda *a, **k: seen.append("parse") or parse(*a, **k)
    )
    warm = ra.run_team(team, week=WEEK, out=tmp_path / "warm", db=db)
    # nothing decoded: the week ahead's proposals (issue 21) are kept too
    assert seen == []
    assert [o.result.period.label for o in warm.preview] == [AHEAD] * 4
    cold_files = sorted(p.name for p in (tmp_path / "cold").iterdir())
    assert sorted(p.name for p in (tmp_path / "warm").iterdir()) == cold_files
    assert (
        "next-week.json" in cold_files and "dana-at-northwind.example-week-ahead.html" in cold_files
    )
    for name in cold_files:
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()


def test_an_event_two_files_hold_at_different_times_is_each_weeks_own(tmp_path):
    """The same UID in two files: the first file given wins where both are read. The
    first file has it on Thu 12 November (W46), the second on Tue 3 November (W45): a
    read of W45 alone finds only the second file's, a read of W46 the first's."""
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    first.write_text(_calendar(_event("same@t", "20261112T090000Z", "20261112T100000Z")))
    second.write_text(_calendar(_event("same@t", "20261103T090000Z", "20261103T100000Z")))
    routine = ra.load_routine(SAMPLE / "dana.yaml")
    weeks = [ra.period_for(routine, week=w) for w in (WEEK, AHEAD)]
    source = IcsSource([first, second])
    together = source.read_periods(weeks, zone=routine.zone)
    alone = [source.read(period, zone=routine.zone) for period in weeks]
    for period, mine, theirs in zip(weeks, together, alone, strict=True):
        assert _meeting(mine, period) == _meeting(theirs, period)
    assert [e.source for e in _meeting(together[0], weeks[0])[0]] == [str(second)]
    assert [e.source for e in _meeting(together[1], weeks[1])[0]] == [str(first)]
