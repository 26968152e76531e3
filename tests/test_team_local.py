"""Team runs over local .ics files: worker processes give exactly what one process gives,
and a re-run over unchanged files takes each rep's audit from the cache without reading
it, while a changed file is audited afresh."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from pandas_runs import run_twice

from routine_audit.config import package_data
from routine_audit.config.load import load_rules, load_team
from routine_audit.errors import UsageError
from routine_audit.parallel import WORKERS_ENV
from routine_audit.team.runner import audit_team, team_period

SAMPLE = package_data("sample")


@pytest.fixture
def team_file(tmp_path):
    folder = tmp_path / "team"
    shutil.copytree(SAMPLE, folder)
    (folder / "broken.ics").write_text("BEGIN:VCALENDAR\nthis is not iCalendar\n")
    with (folder / "team.yaml").open("a") as stream:
        stream.write("  - {email: lee@northwind.example, name: Lee, calendar: {ics: broken.ics}}\n")
    return folder / "team.yaml"


def _audit(team_file, monkeypatch, workers: str):
    monkeypatch.setenv(WORKERS_ENV, workers)
    team = load_team(team_file)
    period = team_period(team, week="2026-W45", today=date(2026, 11, 23))
    return audit_team(team, period, rules=load_rules(team.rules_path))


def _summary(outcomes):
    return [
        (
            o.member.email,
            o.error,
            None if o.result is None else o.result.commitments.to_dict("records"),
            None if o.result is None else [repr(f) for f in o.result.finding_objects],
            None if o.result is None else len(o.result.occurrences),
        )
        for o in outcomes
    ]


def test_worker_processes_give_what_one_process_gives(team_file, monkeypatch):
    import threading

    # other tests' servers leave threads in this process; the workers do not touch them
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    one = _audit(team_file, monkeypatch, "1")
    two = _audit(team_file, monkeypatch, "2")
    assert _summary(two) == _summary(one)
    assert [o.member.email for o in two][-1] == "lee@northwind.example"
    assert [o.ok for o in two] == [True, True, True, True, False]
    assert "broken.ics" in two[-1].error
    assert sum(len(o.result.occurrences) for o in two if o.ok) > 0


def test_a_rerun_over_unchanged_files_reads_no_calendar(team_file, monkeypatch, tmp_path):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    cold = _audit(team_file, monkeypatch, "2")
    from routine_audit.sources.ics import IcsSource

    def must_not_read(self, period, *, zone):
        raise AssertionError("a warm run read a calendar")

    monkeypatch.setattr(IcsSource, "read", must_not_read)
    # the broken rep is not cached (its failure is reported again); the others are
    warm = _audit(team_file, monkeypatch, "2")
    assert _summary(warm)[:4] == _summary(cold)[:4]
    # its text stays out (it may quote a calendar): the type and place say what ran
    assert "internal error (AssertionError at test_team_local.py:" in warm[-1].error


def test_a_changed_file_is_audited_afresh(team_file, monkeypatch, tmp_path):
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    before = _audit(team_file, monkeypatch, "2")
    dana = team_file.parent / "dana.ics"
    text = dana.read_text()
    start = text.index("BEGIN:VEVENT")
    end = text.index("END:VEVENT", start) + len("END:VEVENT\n")
    dana.write_text(text[:start] + text[end:])  # one event fewer
    after = _audit(team_file, monkeypatch, "2")
    assert _summary(after)[1:] == _summary(before)[1:]
    assert _summary(after)[0] != _summary(before)[0]


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_a_clear_error(team_file, monkeypatch, value):
    with pytest.raises(UsageError, match="ROUTINE_AUDIT_WORKERS"):
        _audit(team_file, monkeypatch, value)


def test_a_warm_team_run_writes_the_same_reports_without_rendering(
    team_file, tmp_path, monkeypatch
):
    from routine_audit.team import weekly
    from routine_audit.team.weekly import run_team

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    team = load_team(team_file)

    def reports(folder):
        run_team(team, week="2026-W45", out=folder, db=tmp_path / "h.sqlite", preview=False)
        return {p.name: p.read_text() for p in sorted(folder.iterdir())}

    cold = reports(tmp_path / "cold")

    def must_not_build(*args, **kwargs):
        raise AssertionError("a warm run built a rep's report again")

    monkeypatch.setattr(weekly, "build_report", must_not_build)
    assert reports(tmp_path / "warm") == cold
    assert "dana-at-northwind.example.html" in cold


def test_an_unreadable_calendar_folder_fails_one_rep_not_the_run(team_file, monkeypatch, tmp_path):
    """Found in review: with the cache on, an OSError while hashing one rep's folder
    escaped the cache lookup and ended the whole run."""
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    locked = team_file.parent / "locked"
    locked.mkdir()
    with team_file.open("a") as stream:
        stream.write("  - {email: kim@northwind.example, name: Kim, calendar: {ics: locked}}\n")
    real_iterdir = type(locked).iterdir

    def iterdir(path):
        if path.name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_iterdir(path)

    monkeypatch.setattr(type(locked), "iterdir", iterdir)
    outcomes = _audit(team_file, monkeypatch, "1")
    assert [o.ok for o in outcomes] == [True, True, True, True, False, False]
    assert "Permission denied" in outcomes[-1].error


def test_a_warm_team_run_does_not_load_pandas(team_file, tmp_path):
    """A re-run over unchanged files copies kept reports: the stored audits' tables stay
    encoded, and pandas (a third of a second to import) is never loaded."""
    runs = run_twice(tmp_path, "team", "audit", "--config", str(team_file), "--week", "2026-W45")
    assert "pandas loaded: True" in runs[0].stderr  # the first run audits
    assert "pandas loaded: False" in runs[1].stderr, runs[1].stderr[-2000:]
    assert runs[1].stdout == runs[0].stdout


def test_pages_made_beside_each_audit_show_the_trend_the_history_then_holds(
    team_file, monkeypatch, tmp_path
):
    """Each fresh audit's pages are made in its worker, before the history is written:
    the trend they show is the one the history holds once the run has recorded it
    (earlier weeks, and this week's re-run replacing its first run)."""
    from routine_audit.history import History
    from routine_audit.team.weekly import rep_file_stem, run_team

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")  # every audit fresh
    # a week off in the first week: nothing due (adherence NULL in the history)
    routine = team_file.parent / "morgan.yaml"
    holidays = ", ".join(f"2026-10-{day}" for day in range(19, 26))
    routine.write_text(
        routine.read_text().replace("holidays: [2026-11-02]", f"holidays: [2026-11-02, {holidays}]")
    )
    team = load_team(team_file)
    db = tmp_path / "history.sqlite"
    for week in ("2026-W43", "2026-W44", "2026-W45", "2026-W45"):
        run = run_team(team, week=week, out=tmp_path / week, db=db, preview=False)
    history = History(db)
    try:
        made = [o for o in run.outcomes if o.ok]
        assert made
        for outcome in made:
            trend = tuple(history.trend(outcome.member.email, weeks=8, until="2026-W45"))
            assert [p.week for p in trend][-1] == "2026-W45"
            assert len({p.week for p in trend}) == 3
            assert outcome.pages.trend == trend
            stem = rep_file_stem(outcome.pages.report)
            page = (tmp_path / "2026-W45" / f"{stem}.html").read_text()
            assert page == outcome.pages.html
        assert any(p.adherence is None for o in made for p in o.pages.trend)  # NaN as read
    finally:
        history.close()


def _failing_pages(monkeypatch, email: str, times: int | None) -> None:
    """Make building ``email``'s pages fail ``times`` times (None: always)."""
    from routine_audit.team import weekly

    build = weekly._build_pages
    failures = [0]

    def flaky(audited, **options):
        outcome, _trend = audited
        if outcome.member.email == email and (times is None or failures[0] < times):
            failures[0] += 1
            raise RuntimeError("a bug in a renderer")
        return build(audited, **options)

    monkeypatch.setattr(weekly, "_build_pages", flaky)


def test_pages_that_fail_beside_the_audit_are_made_again_after_recording(
    team_file, monkeypatch, tmp_path
):
    from routine_audit.team.weekly import run_team

    monkeypatch.setenv(WORKERS_ENV, "1")
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    _failing_pages(monkeypatch, "morgan@northwind.example", times=1)
    run = run_team(load_team(team_file), week="2026-W45", out=tmp_path / "out",
                   db=tmp_path / "h.sqlite", preview=False)  # fmt: skip
    assert [o.ok for o in run.outcomes] == [True, True, True, True, False]
    assert (tmp_path / "out" / "morgan-at-northwind.example.html").is_file()


def test_a_rep_whose_pages_cannot_be_made_still_has_every_audit_recorded(
    team_file, monkeypatch, tmp_path
):
    from routine_audit.history import History
    from routine_audit.team.weekly import run_team

    monkeypatch.setenv(WORKERS_ENV, "1")
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    _failing_pages(monkeypatch, "morgan@northwind.example", times=None)
    team = load_team(team_file)
    with pytest.raises(RuntimeError, match="a bug in a renderer"):
        run_team(team, week="2026-W45", out=tmp_path / "out", db=tmp_path / "h.sqlite",
                 preview=False)  # fmt: skip
    history = History(tmp_path / "h.sqlite")
    try:
        recorded = [m.email for m in team.spec.reps if history.trend(m.email, weeks=1)]
    finally:
        history.close()
    assert len(recorded) == 4 and "morgan@northwind.example" in recorded
