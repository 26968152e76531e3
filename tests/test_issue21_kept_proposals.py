"""Issue 21, speed: a warm `run` keeps each rep's proposals.

The proposals for a rep's week ahead are kept behind the caching seam
(``routine_audit/caching/proposals.py``), keyed on the week-ahead reading's own key
(calendar, routine, rules, period), the habits the history holds for that rep and week,
and ``now`` as far as the proposer reads it. A re-run over unchanged files then decodes
no week-ahead audit and proposes nothing again (nor loads pandas to do it), and writes
the same files, the proposals' .ics included; a changed habit or calendar misses, for
that rep alone.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SAMPLE, routine_file
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas_runs import run_twice
from test_week_ahead import CALENDAR, ROUTINE, WEEK

import routine_audit as ra
from routine_audit import proposals as proposals_module
from routine_audit.caching import envelope
from routine_audit.caching.proposals import now_seen
from routine_audit.config.load import load_team
from routine_audit.parallel import WORKERS_ENV
from routine_audit.period import Period
from routine_audit.report import ahead_view

AUDITED = "2026-W45"  # the run's week; the week ahead is 2026-W46 (Mon 9 to Sun 15 Nov)
BEFORE = datetime(2026, 11, 6, 15, tzinfo=UTC)  # the Friday before the week ahead
DANA = "dana@northwind.example"


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    shutil.copytree(SAMPLE, folder)
    return folder / "team.yaml"


@pytest.fixture
def seen(monkeypatch) -> list[str]:
    """What a run decodes, renders of the week ahead and proposes (by rep), in order."""
    calls: list[str] = []
    decode, render, propose = envelope.decode, ahead_view.render_ahead, proposals_module.propose

    def proposing(ahead, *args, **kwargs):
        calls.append(f"propose {ahead.result.rep.email}")
        return propose(ahead, *args, **kwargs)

    monkeypatch.setattr(envelope, "decode", lambda data: calls.append("decode") or decode(data))
    monkeypatch.setattr(
        ahead_view, "render_ahead", lambda *a, **k: calls.append("render") or render(*a, **k)
    )
    monkeypatch.setattr(proposals_module, "propose", proposing)
    return calls


def _run(team_file: Path, out: Path, db: Path, now: datetime = BEFORE, week: str = AUDITED):
    return ra.run_team(load_team(team_file), week=week, out=out, db=db, now=now)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_warm_run_proposes_nothing_again_and_writes_the_same_files(
    team_file, tmp_path, monkeypatch, seen, workers
):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(WORKERS_ENV, workers)
    db = tmp_path / "h.sqlite"
    _run(team_file, tmp_path / "cold", db)
    assert any(call.startswith("propose") for call in seen)  # the cold run proposed
    cold = _files(tmp_path / "cold")
    assert [name for name in cold if name.endswith("-proposals.ics")]  # slots were proposed
    seen.clear()
    _run(team_file, tmp_path / "warm", db)
    assert seen == []  # no audit decoded, no week-ahead file rendered, nothing proposed
    assert _files(tmp_path / "warm") == cold


def test_a_later_now_before_the_week_reads_the_kept_proposals(team_file, tmp_path, monkeypatch):
    """Every ``now`` before the week ahead's first day gives the same slots: the kept
    ones serve, and the files are those a run without the cache writes at that ``now``
    (the .ics stamped with it)."""
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    db = tmp_path / "h.sqlite"
    _run(team_file, tmp_path / "cold", db)
    shutil.copy(db, tmp_path / "fresh.sqlite")
    later = datetime(2026, 11, 8, 21, 17, 5, tzinfo=UTC)  # Sun 8 Nov, still before Monday
    calls: Counter[str] = Counter()
    propose = proposals_module.propose
    monkeypatch.setattr(
        proposals_module, "propose", lambda *a, **k: calls.update(["propose"]) or propose(*a, **k)
    )
    _run(team_file, tmp_path / "warm", db, now=later)
    assert calls == Counter()
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    _run(team_file, tmp_path / "fresh", tmp_path / "fresh.sqlite", now=later)
    assert calls["propose"] > 0
    warm, fresh = _files(tmp_path / "warm"), _files(tmp_path / "fresh")
    assert warm == fresh
    stamps = [name for name in warm if name.endswith("-proposals.ics")]
    assert stamps and all(b"DTSTAMP:20261108T211705Z" in warm[name] for name in stamps)


def test_a_changed_habit_or_calendar_misses_for_that_rep_alone(
    team_file, tmp_path, monkeypatch, seen
):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(WORKERS_ENV, "1")
    db = tmp_path / "h.sqlite"
    _run(team_file, tmp_path / "w44", db, week="2026-W44")  # a week of habits before
    _run(team_file, tmp_path / "cold", db)
    seen.clear()
    # Dana's blocks of 2026-W44 started a quarter of an hour later: her habits changed
    with sqlite3.connect(db) as connection:
        changed = connection.execute(
            "UPDATE block_start SET start = start + 900 WHERE audit_id IN (SELECT id FROM"
            " audit WHERE rep = ? AND week = '2026-W44' AND kind = 'actual')",
            (DANA,),
        ).rowcount
    assert changed > 0
    _run(team_file, tmp_path / "habit", db)
    assert [call for call in seen if call.startswith("propose")] == [f"propose {DANA}"]
    # an event added to Dana's week ahead: her calendar changed
    seen.clear()
    calendar = team_file.parent / "dana.ics"
    text = calendar.read_bytes().decode()
    added = ("\r\n" if "\r\n" in text else "\n").join(
        [
            "BEGIN:VEVENT",
            "UID:added-call@kept-proposals",
            "DTSTART:20261111T090000Z",
            "DTEND:20261111T100000Z",
            "SUMMARY:Client call",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )
    calendar.write_bytes(text.replace("END:VCALENDAR", added, 1).encode())
    _run(team_file, tmp_path / "calendar", db)
    assert [call for call in seen if call.startswith("propose")] == [f"propose {DANA}"]


def test_a_warm_run_does_not_load_pandas_to_propose(team_file, tmp_path):
    runs = run_twice(tmp_path, "run", "--no-mail", "--config", str(team_file), "--week", AUDITED)
    assert "pandas loaded: True" in runs[0].stderr
    assert "pandas loaded: False" in runs[1].stderr, runs[1].stderr[-2000:]


# -- what the proposer reads of now ------------------------------------------------


@pytest.fixture(scope="module")
def week_a(tmp_path_factory):
    """tests/test_week_ahead.py's week ahead (2026-W46, Europe/London), with slots to
    propose on Tue, Wed and Thu and the gym's on Tue/Thu mornings."""
    folder = tmp_path_factory.mktemp("week-a")
    calendar = folder / "cal.ics"
    calendar.write_text(CALENDAR, newline="")
    routine = ra.load_routine(routine_file(folder, ROUTINE))
    rules = ra.load_rules()
    return ra.plan_week(calendar, routine, rules, week=WEEK), routine, rules


MONDAY = datetime(2026, 11, 9, tzinfo=ZoneInfo("Europe/London"))


@settings(max_examples=150, deadline=None)
@given(offset=st.integers(min_value=-2 * 86400, max_value=9 * 86400))
def test_every_now_gives_the_proposals_of_the_now_it_is_kept_under(week_a, offset):
    """Seconds from two days before the week to two days after: ``now`` and the value
    ``now_seen`` reads it as propose the same; so do all ``now`` read alike."""
    ahead, routine, rules = week_a
    now = MONDAY + timedelta(seconds=offset, microseconds=offset % 7 * 1000)
    seen = now_seen(now, ahead.period, routine.zone)
    stands_for = {
        "before": None,
        "after": MONDAY + timedelta(days=30),
        "at": datetime.fromtimestamp(seen[1], UTC),
    }[seen[0]]
    if stands_for is not None:
        assert now_seen(stands_for, ahead.period, routine.zone) == seen
    assert ra.propose(ahead, routine, rules, now=now) == ra.propose(
        ahead, routine, rules, now=stands_for
    )


def test_now_is_read_to_the_quarter_hour_inside_the_week():
    zone = ZoneInfo("Europe/London")
    period = Period(MONDAY.date(), MONDAY.date() + timedelta(days=6), zone)

    def read(*args: int) -> tuple[str, int]:
        return now_seen(datetime(*args, tzinfo=zone), period, zone)

    def at(*args: int) -> tuple[str, int]:
        return ("at", int(datetime(*args, tzinfo=zone).timestamp()))

    assert read(2026, 11, 2, 9) == read(2026, 11, 9, 0) == ("before", 0)
    assert read(2026, 11, 9, 7, 0, 1) == read(2026, 11, 9, 7, 15) == at(2026, 11, 9, 7, 15)
    assert read(2026, 11, 9, 7, 15, 1) == at(2026, 11, 9, 7, 30)
    assert read(2026, 11, 9, 23, 50) == at(2026, 11, 9, 23, 59, 59)  # Monday still open
    assert read(2026, 11, 16, 0) == read(2027, 1, 1) == ("after", 0)
