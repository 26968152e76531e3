"""The SQLite history: round trips, idempotent re-runs, week arithmetic, schema versions."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from routine_audit import history as history_module
from routine_audit.config import load_routine, load_rules, package_data
from routine_audit.engine.audit import audit
from routine_audit.errors import ConfigError, UsageError
from routine_audit.history import (
    SCHEMA_VERSION,
    History,
    default_db_path,
    previous_week,
    shift_week,
    week_label,
)
from routine_audit.model import CalendarData, Event
from routine_audit.period import Period, iso_week
from routine_audit.report.view import TrendPoint
from routine_audit.result import AuditResult, Finding, HealthFigures, RepInfo

LONDON = ZoneInfo("Europe/London")
COLUMNS = [
    "id", "activity", "unit", "per", "direction", "protected", "target", "scheduled", "gap",
    "adherence", "blocks", "short_blocks", "outside_window_hours", "committed_days", "description",
]  # fmt: skip


def fake_result(
    email: str = "ana@example.com",
    week: str = "2026-W45",
    *,
    prospecting: float = 6.0,
    findings: int = 1,
) -> AuditResult:
    """A small AuditResult: two commitments (one with no adherence) and some findings."""
    year, number = (int(p) for p in week.split("-W"))
    period = iso_week(year, number, LONDON)
    commitments = pd.DataFrame(
        [
            ["prospecting", "prospecting", "hours", "week", "min", False, 10.0, prospecting,
             max(10.0 - prospecting, 0.0), min(prospecting / 10.0, 1.0), 3, 1, 0.0, 5, ""],
            ["no-late", "meeting", "hours", "day", "max", False, 0.0, 0.0, 0.0, float("nan"),
             0, 0, 0.0, 5, ""],
        ],
        columns=COLUMNS,
    )  # fmt: skip
    finding_objects = [
        Finding("missing_block", "prospecting", period.first, f"no prospecting time ({i})")
        for i in range(findings)
    ] + [Finding("under_target", None, None, "short overall")]
    return AuditResult(
        rep=RepInfo(email=email, name="Ana", timezone="Europe/London", share_titles=False),
        period=period,
        occurrences=pd.DataFrame(),
        daily=pd.DataFrame(),
        commitments=commitments,
        commitment_days=pd.DataFrame(),
        finding_objects=finding_objects,
        health=HealthFigures(0, 0, 0, 0.0, 0, 0, None, 0),
    )


@contextmanager
def raw(db_path):
    """A plain connection, closed afterwards, in autocommit mode."""
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


def count(db_path, table: str) -> int:
    with raw(db_path) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "nested" / "folder" / "history.sqlite"


# ---------------------------------------------------------------- week labels


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2026-W45", "2026-W44"),
        ("2026-W01", "2025-W52"),  # 2025 has 52 ISO weeks
        ("2027-W01", "2026-W53"),  # 2026 has 53
        ("2026-W1", "2025-W52"),  # unpadded input is accepted
    ],
)
def test_previous_week(label, expected):
    assert previous_week(label) == expected


def test_week_labels_are_normalised_and_validated():
    assert week_label("2026w5") == "2026-W05"
    assert shift_week("2026-W52", 2) == "2027-W01"  # through W53
    with pytest.raises(UsageError, match="not an ISO week"):
        week_label("2025-W53")
    with pytest.raises(UsageError):
        week_label("last")


def test_default_db_path_is_in_the_user_data_dir():
    path = default_db_path()
    assert path.name == "history.sqlite"
    assert "routine-audit" in str(path)


# ---------------------------------------------------------------- recording and reading


def test_record_and_trend_round_trip(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result())
        points = history.trend("ana@example.com")
    assert points == [
        TrendPoint("2026-W45", "prospecting", 10.0, 6.0, 0.6),
        TrendPoint("2026-W45", "no-late", 0.0, 0.0, None),
    ]
    assert count(db_path, "commitment_result") == 2
    assert count(db_path, "finding") == 2
    with raw(db_path) as db:
        row = db.execute(
            "SELECT unit, direction, gap, blocks, activity FROM commitment_result"
            " WHERE commitment = 'prospecting'"
        ).fetchone()
        finding = db.execute(
            "SELECT kind, commitment, day, detail FROM finding ORDER BY id"
        ).fetchone()
    assert row == ("hours", "min", 4.0, 3, "prospecting")
    assert finding == ("missing_block", "prospecting", "2026-11-02", "no prospecting time (0)")


def test_record_a_real_audit(db_path):
    routine = load_routine(package_data("starter_routine.yaml"))
    events = (
        Event(
            uid="p1",
            start=datetime(2026, 11, 2, 9, tzinfo=LONDON),
            end=datetime(2026, 11, 2, 11, tzinfo=LONDON),
            summary="Prospecting block",
        ),
    )
    period = Period(date(2026, 11, 2), date(2026, 11, 8), LONDON)
    result = audit(CalendarData(events), routine, load_rules(), period)
    with History(db_path) as history:
        history.record(team="sales", week=period.label, result=result)
        points = history.trend(result.rep.email, until="2026-W45")
    assert {p.commitment for p in points} == set(result.commitments["id"])
    assert all(p.week == "2026-W45" for p in points)
    assert count(db_path, "finding") == len(result.finding_objects)


def test_re_recording_a_week_replaces_its_rows(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result(findings=3))
        history.record(team="sales", week="2026-W45", result=fake_result(prospecting=8, findings=1))
        # another rep's rows for the same week stay untouched
        history.record(team="sales", week="2026-W45", result=fake_result("bo@example.com"))
        history.record(team="sales", week="2026-W45", result=fake_result(prospecting=9))
        points = history.trend("ana@example.com")
    assert count(db_path, "audit") == 2
    assert count(db_path, "commitment_result") == 4
    assert count(db_path, "finding") == 4  # 2 per rep: the latest run's
    assert [p.scheduled for p in points if p.commitment == "prospecting"] == [9.0]


def test_rep_emails_match_case_insensitively(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result("Ana@Example.com"))
        history.record(team="sales", week="2026-W45", result=fake_result("ana@example.com"))
        assert history.weeks("ANA@example.COM") == ["2026-W45"]
    assert count(db_path, "audit") == 1


def test_a_failed_record_leaves_the_previous_rows(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result(prospecting=5))
        broken = fake_result(prospecting=7)
        broken.finding_objects.append(Finding("x", None, None, None))  # detail NOT NULL
        with pytest.raises(ConfigError, match="cannot write"):
            history.record(team="sales", week="2026-W45", result=broken)
        points = history.trend("ana@example.com")
    assert [p.scheduled for p in points if p.commitment == "prospecting"] == [5.0]
    assert count(db_path, "finding") == 2


def test_a_batch_is_one_transaction_all_or_nothing(db_path):
    with History(db_path) as history:
        with history.batch():
            history.record(team="sales", week="2026-W45", result=fake_result("ana@example.com"))
            history.record(team="sales", week="2026-W45", result=fake_result("bo@example.com"))
        assert count(db_path, "audit") == 2
        broken = fake_result("cy@example.com")
        broken.finding_objects.append(Finding("x", None, None, None))  # detail NOT NULL
        with pytest.raises(ConfigError, match="cannot write"), history.batch():
            history.record(team="sales", week="2026-W46", result=fake_result("ana@example.com"))
            history.record(team="sales", week="2026-W46", result=broken)
        assert history.weeks("ana@example.com") == ["2026-W45"]  # the batch rolled back whole
        history.record(team="sales", week="2026-W46", result=fake_result("ana@example.com"))
    assert count(db_path, "audit") == 3


def test_preview_is_stored_apart_from_actual(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result(prospecting=4))
        history.record(
            team="sales", week="2026-W45", result=fake_result(prospecting=10), kind="preview"
        )
        actual = history.trend("ana@example.com")
        preview = history.trend("ana@example.com", kind="preview")
        with pytest.raises(ValueError, match="kind"):
            history.record(team="sales", week="2026-W45", result=fake_result(), kind="plan")
    assert [p.scheduled for p in actual if p.commitment == "prospecting"] == [4.0]
    assert [p.scheduled for p in preview if p.commitment == "prospecting"] == [10.0]
    assert count(db_path, "audit") == 2


def test_trend_keeps_the_last_weeks_oldest_first_across_new_year(db_path):
    weeks = ["2026-W50", "2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02", "2027-W03"]
    with History(db_path) as history:
        for i, week in enumerate(reversed(weeks)):  # recorded out of order
            history.record(team="sales", week=week, result=fake_result(week=week, prospecting=i))
        assert history.weeks("ana@example.com") == weeks

        def prospecting_weeks(**kwargs):
            points = history.trend("ana@example.com", **kwargs)
            return [p.week for p in points if p.commitment == "prospecting"]

        assert prospecting_weeks(weeks=4) == ["2026-W53", "2027-W01", "2027-W02", "2027-W03"]
        assert prospecting_weeks(weeks=3, until="2027-W01") == ["2026-W52", "2026-W53", "2027-W01"]
        assert prospecting_weeks(weeks=None) == weeks
        assert prospecting_weeks(weeks=2, until="2026-W40") == []
        assert history.trend("nobody@example.com") == []
        with pytest.raises(UsageError):
            history.trend("ana@example.com", weeks=0)


def test_trend_counts_the_weeks_on_the_calendar_not_the_records(db_path):
    with History(db_path) as history:
        for week in ("2026-W40", "2026-W44", "2026-W45"):
            history.record(team="sales", week=week, result=fake_result(week=week))
        points = history.trend("ana@example.com", weeks=4)
    assert sorted({p.week for p in points}) == ["2026-W44", "2026-W45"]


def test_previous_adherence(db_path):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W53", result=fake_result(week="2026-W53"))
        history.record(
            team="sales", week="2027-W01", result=fake_result(week="2027-W01", prospecting=9)
        )
        assert history.previous_adherence("ana@example.com", "2027-W01") == {
            "prospecting": 0.6,
            "no-late": None,
        }
        assert history.previous_adherence("ana@example.com", "2027-W02")["prospecting"] == 0.9
        assert history.previous_adherence("ana@example.com", "2026-W50") == {}


def test_a_rep_in_two_teams_counts_once_per_week(db_path):
    early = datetime(2026, 11, 9, 6, tzinfo=UTC)
    late = datetime(2026, 11, 9, 7, tzinfo=UTC)
    with History(db_path) as history:
        history.record(team="emea", week="2026-W45", result=fake_result(prospecting=9), run_at=late)
        history.record(
            team="dach", week="2026-W45", result=fake_result(prospecting=2), run_at=early
        )
        points = history.trend("ana@example.com")
        in_team = history.trend("ana@example.com", team="dach")
    assert [p.scheduled for p in points if p.commitment == "prospecting"] == [9.0]
    assert [p.scheduled for p in in_team if p.commitment == "prospecting"] == [2.0]


def test_mail_bookkeeping(db_path):
    with History(db_path) as history:
        key = {"team": "sales", "week": "2026-W45", "recipient": "ana@example.com", "kind": "rep"}
        assert not history.mail_sent(**key)
        history.mark_mail_sent(**key)
        history.mark_mail_sent(**key, at=datetime(2026, 11, 9, tzinfo=UTC))  # twice is fine
        assert history.mail_sent(**key)
        assert history.mail_sent(**{**key, "recipient": "ANA@example.com"})
        assert not history.mail_sent(**{**key, "kind": "rollup"})
        assert not history.mail_sent(**{**key, "week": "2026-W46"})
    with History(db_path) as history:  # survives reopening
        assert history.mail_sent(**key)
    assert count(db_path, "mail_sent") == 1


# ---------------------------------------------------------------- schema versions


def test_schema_version_is_stored(db_path):
    with History(db_path) as history:
        assert history.schema_version == SCHEMA_VERSION == len(history_module.MIGRATIONS)
    with raw(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA application_id").fetchone()[0] == history_module.APPLICATION_ID
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 0  # per connection
    with History(db_path) as history:  # reopening does not migrate again
        assert history.schema_version == SCHEMA_VERSION


def test_an_appended_migration_upgrades_an_older_database(db_path, monkeypatch):
    with History(db_path) as history:
        history.record(team="sales", week="2026-W45", result=fake_result())

    ran = []

    def add_note_column(db):
        ran.append(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute("ALTER TABLE audit ADD COLUMN note TEXT")
        db.execute("UPDATE audit SET note = 'migrated'")

    monkeypatch.setattr(history_module, "MIGRATIONS", [*history_module.MIGRATIONS, add_note_column])
    with History(db_path) as history:
        assert history.schema_version == SCHEMA_VERSION + 1
        assert len(history.trend("ana@example.com")) == 2  # the data survived
    with History(db_path):
        pass
    assert ran == [SCHEMA_VERSION]  # ran once, from the old version
    with raw(db_path) as db:
        assert db.execute("SELECT note FROM audit").fetchall() == [("migrated",)]


def test_a_failing_migration_leaves_the_database_as_it_was(db_path, monkeypatch):
    History(db_path).close()

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("simulated failure")

    monkeypatch.setattr(history_module, "MIGRATIONS", [*history_module.MIGRATIONS, broken])
    with pytest.raises(ConfigError, match="simulated failure"):
        History(db_path)
    monkeypatch.undo()
    with raw(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables


def test_a_new_database_is_built_by_the_migrations_from_version_0(tmp_path, monkeypatch):
    steps = []
    migrations = [
        lambda db: (steps.append(0), db.execute("CREATE TABLE v1 (x)")),
        lambda db: (steps.append(1), db.execute("CREATE TABLE v2 (x)")),
    ]
    monkeypatch.setattr(history_module, "MIGRATIONS", migrations)
    with History(tmp_path / "h.sqlite") as history:
        assert history.schema_version == 2
    assert steps == [0, 1]


def test_a_database_from_a_newer_version_is_refused(db_path):
    History(db_path).close()
    with raw(db_path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigError, match="newer routine-audit") as caught:
        History(db_path)
    assert str(db_path) in str(caught.value)
    assert "upgrade" in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("kind: team\nname: sales\n" * 50, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        History(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert "not a routine-audit history" in message
    assert path.read_text(encoding="utf-8").startswith("kind: team")  # left alone


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.sqlite"
    with raw(path) as db:
        db.execute("CREATE TABLE things (x)")
    with pytest.raises(ConfigError, match="not a routine-audit history"):
        History(path)
    with raw(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_missing_database_with_create_false(tmp_path):
    with pytest.raises(ConfigError, match="no history database"):
        History(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        History(tmp_path)
