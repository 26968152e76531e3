"""The content-keyed cache: a warm read gives what a cold read gives, and any change to
what the result depends on (the file's bytes, the period, the zone, the package version)
misses instead of serving stale data."""

from __future__ import annotations

import stat
from datetime import date
from zoneinfo import ZoneInfo

import pytest

import routine_audit as ra
import routine_audit.caching as caching
import routine_audit.caching.store as store
from routine_audit.config import package_data
from routine_audit.period import Period
from routine_audit.sources.ics import IcsSource

LONDON = ZoneInfo("Europe/London")
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8), LONDON)


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(folder))
    return folder


@pytest.fixture
def calendar(tmp_path):
    path = tmp_path / "dana.ics"
    path.write_bytes((package_data("sample") / "dana.ics").read_bytes())
    return path


def _entries(folder):
    return sorted(folder.rglob("*.pickle"))


def _read(path, period=WEEK, zone=LONDON):
    """Through the library, which reads each file through the cache."""
    return ra.load_events(path, period, zone=zone)


def test_a_warm_read_equals_the_cold_one_and_reads_no_calendar(cache_folder, calendar, monkeypatch):
    cold = _read(calendar)
    assert len(_entries(cache_folder)) == 1
    import routine_audit.sources.ics as ics

    def must_not_parse(*args, **kwargs):
        raise AssertionError("a warm read parsed the file")

    monkeypatch.setattr(ics, "read_document", must_not_parse)
    assert _read(calendar) == cold


def test_every_input_change_misses(cache_folder, calendar, monkeypatch):
    _read(calendar)
    _read(calendar, period=Period(date(2026, 11, 9), date(2026, 11, 15), LONDON))
    _read(calendar, zone=ZoneInfo("America/New_York"))
    _read(calendar, period=Period(WEEK.first, WEEK.last, ZoneInfo("Asia/Tokyo")))
    assert len(_entries(cache_folder)) == 4
    text = calendar.read_text().replace("Weekly sales team meeting", "Weekly sales huddle")
    calendar.write_text(text, newline="")
    changed = _read(calendar)
    assert len(_entries(cache_folder)) == 5
    assert any(e.summary == "Weekly sales huddle" for e in changed.events)
    monkeypatch.setattr(store, "__version__", "999.0")
    _read(calendar)
    assert len(_entries(cache_folder)) == 6


def test_a_broken_entry_is_a_miss(cache_folder, calendar):
    cold = _read(calendar)
    (entry,) = _entries(cache_folder)
    entry.write_bytes(b"not a pickle")
    assert _read(calendar) == cold


def test_the_cache_is_owner_only_and_can_be_turned_off(cache_folder, calendar, monkeypatch):
    _read(calendar)
    mode = stat.S_IMODE(cache_folder.stat().st_mode)
    assert mode & 0o077 == 0
    for entry in _entries(cache_folder):
        assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    other = calendar.with_name("other.ics")
    other.write_bytes(calendar.read_bytes())
    _read(other)
    assert len(_entries(cache_folder)) == 1


def test_an_unwritable_cache_only_costs_time(tmp_path, calendar, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(blocker))
    assert _read(calendar).events


def test_a_repeated_audit_skips_the_engine_until_an_input_changes(
    cache_folder, calendar, monkeypatch
):
    from routine_audit.config import load_routine, load_rules

    routine = load_routine(package_data("sample") / "dana.yaml")
    rules = load_rules()
    data = _read(calendar)
    first = caching.audit(data, routine, rules, WEEK)
    import routine_audit.engine.audit as engine  # caching imports it when it must audit

    calls = []
    real = engine.audit
    monkeypatch.setattr(engine, "audit", lambda *a: calls.append(a) or real(*a))
    again = caching.audit(data, routine, rules, WEEK)
    assert not calls
    assert again.commitments.equals(first.commitments)
    assert again.finding_objects == first.finding_objects
    changed = routine.model_copy(update={"share_titles": not routine.share_titles})
    caching.audit(data, changed, rules, WEEK)
    fewer = rules.model_copy(update={"rules": rules.rules[1:]})
    caching.audit(data, routine, fewer, WEEK)
    caching.audit(data, routine, rules, Period(WEEK.first, WEEK.last, ZoneInfo("Asia/Tokyo")))
    assert len(calls) == 3


def test_a_read_from_the_cache_finds_the_audit_of_the_fresh_read(
    cache_folder, calendar, monkeypatch
):
    """The second run of a cron job reads its calendars from the cache: its audits must be
    found under the keys the first run stored them with."""
    from routine_audit.config import load_routine, load_rules

    routine = load_routine(package_data("sample") / "dana.yaml")
    rules = load_rules()
    fresh = _read(calendar)
    caching.audit(fresh, routine, rules, WEEK)
    cached = _read(calendar)
    assert cached == fresh and cached is not fresh
    import routine_audit.engine.audit as engine  # caching imports it when it must audit

    calls = []
    monkeypatch.setattr(engine, "audit", lambda *a: calls.append(a))
    caching.audit(cached, routine, rules, WEEK)
    assert not calls


def test_a_stored_audit_opens_its_big_tables_only_when_used():
    import pickle

    from routine_audit.config import load_routine, load_rules
    from routine_audit.engine.audit import audit

    routine = load_routine(package_data("sample") / "dana.yaml")
    result = audit(_read(package_data("sample") / "dana.ics"), routine, load_rules(), WEEK)
    stored = pickle.loads(pickle.dumps(caching.kept_audit(result)))
    # the result stays encoded; what reports and history need is at hand without pandas
    assert not stored.opened
    assert stored.commitment_records == result.commitment_records
    assert stored.finding_count == len(result.finding_objects)
    assert stored.finding_rows == result.finding_rows
    assert not stored.opened
    assert stored.finding_objects == result.finding_objects
    assert stored.opened
    for name in ("occurrences", "daily", "commitment_days", "commitments"):
        assert getattr(stored, name).equals(getattr(result, name)), name
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(caching.kept_audit(result)))))
    assert again.daily.equals(result.daily)  # stored twice
    with pytest.raises(AttributeError):
        stored.no_such_table  # noqa: B018


def test_a_source_never_serves_what_it_read_before_its_files_changed(cache_folder, calendar):
    """Found in review: a source kept the bytes it hashed, and a read after a cache hit
    returned them although the file had changed since."""
    import routine_audit as ra
    from routine_audit.config import load_routine, load_rules

    routine = load_routine(package_data("sample") / "dana.yaml")
    source = IcsSource(calendar)
    first = ra.audit_calendar(source, routine, load_rules(), WEEK)
    again = ra.audit_calendar(source, routine, load_rules(), WEEK)  # a hit: nothing read
    assert len(again.occurrences) == len(first.occurrences) > 0
    calendar.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert source.read(WEEK, zone=LONDON).events == ()
    assert len(ra.audit_calendar(source, routine, load_rules(), WEEK).occurrences) == 0
