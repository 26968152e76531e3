"""The history: every audit's per-rep, per-commitment, per-week results in SQLite.

One database file holds any number of teams. Each audit of one rep for one
ISO week (``kind`` ``actual``: the audited week, or ``preview``: the week
ahead) is a row in ``audit``; its commitments and findings hang off it.
Recording the same (team, week, rep, kind) again replaces those rows in one
transaction, so re-running a week never duplicates anything.

The schema version is kept in ``PRAGMA user_version`` and the file is marked
as ours with ``PRAGMA application_id``. ``MIGRATIONS[n]`` takes a database
from version ``n`` to ``n + 1``; version 2 is added by appending a function.
Version 4 adds the week ahead's plan snapshots (``plan_snapshot``, ``planned_block``).
The trends migration (issue 22) adds each week's per-day figures (``commitment_day``) and
its plan figures (``commitment_plan``): what trends.py reads besides ``commitment_result``.
Version 8 holds the agreed actions of the 1:1 (``agreed_action``, issue 22).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ConfigError, Location, UsageError
from .period import week_label_of, week_monday
from .result import AuditResult, TrendPoint

APPLICATION_ID = 0x52415544  # "RAUD": marks a routine-audit history database
KINDS = ("actual", "preview")
# the most planned blocks one snapshot is read with (a rep's calendars give at most
# 50,000 occurrences, each planned once per commitment that reserves time)
MAX_PLANNED_BLOCKS = 250_000


def default_db_path() -> Path:
    """Where the history lives unless the team file or ``--db`` says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("routine-audit") / "history.sqlite"


# ---------------------------------------------------------------- ISO week labels


def week_label(label: str) -> str:
    """``2026-W5``, ``2026w05`` -> ``2026-W05`` (zero-padded, so labels sort by date)."""
    return week_label_of(_monday(label))


def shift_week(label: str, weeks: int) -> str:
    """The ISO week ``weeks`` weeks after (negative: before) ``label``."""
    return week_label_of(_monday(label) + timedelta(weeks=weeks))


def _monday(label: str) -> date:
    monday = week_monday(label)
    if monday is None:
        raise UsageError(f"{label!r} is not an ISO week", hint="write it like 2026-W45")
    return monday


def previous_week(label: str) -> str:
    """The ISO week before ``label``: ``2026-W01`` -> ``2025-W52``, ``2027-W01`` -> ``2026-W53``."""
    return shift_week(label, -1)


# ---------------------------------------------------------------- schema and migrations


def _create_v1(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE audit (
            id      INTEGER PRIMARY KEY,
            team    TEXT NOT NULL,
            week    TEXT NOT NULL,              -- ISO week label, 2026-W05
            rep     TEXT NOT NULL COLLATE NOCASE,
            kind    TEXT NOT NULL CHECK (kind IN ('actual', 'preview')),
            run_at  TEXT NOT NULL,              -- UTC, ISO 8601
            UNIQUE (team, week, rep, kind)
        );
        CREATE INDEX audit_by_rep ON audit (rep, kind, week);
        CREATE TABLE commitment_result (
            audit_id   INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
            commitment TEXT NOT NULL,
            activity   TEXT,
            unit       TEXT NOT NULL,
            direction  TEXT NOT NULL,
            target     REAL NOT NULL,
            scheduled  REAL NOT NULL,
            gap        REAL NOT NULL,
            adherence  REAL,                    -- NULL: nothing was due
            blocks     INTEGER NOT NULL,
            PRIMARY KEY (audit_id, commitment)
        );
        CREATE TABLE finding (
            id         INTEGER PRIMARY KEY,
            audit_id   INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
            kind       TEXT NOT NULL,
            commitment TEXT,
            day        TEXT,                    -- ISO date or NULL
            detail     TEXT NOT NULL
        );
        CREATE INDEX finding_by_audit ON finding (audit_id);
        CREATE TABLE mail_sent (
            team      TEXT NOT NULL,
            week      TEXT NOT NULL,
            recipient TEXT NOT NULL COLLATE NOCASE,
            kind      TEXT NOT NULL,
            sent_at   TEXT NOT NULL,
            PRIMARY KEY (team, week, recipient, kind)
        );
        """,
    )


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run ``;``-separated statements inside the open transaction.

    (``executescript`` would commit first, leaving a failed migration half done.)
    """
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _add_coverage_v2(db: sqlite3.Connection) -> None:
    """Each audit's coverage status (issue 15): weeks recorded before were judged, so
    ``ok``. Only ``ok`` weeks feed trends and "vs last week"."""
    db.execute(
        "ALTER TABLE audit ADD COLUMN coverage TEXT NOT NULL DEFAULT 'ok'"
        " CHECK (coverage IN ('ok', 'stale', 'empty', 'free_busy'))"
    )


def _add_rollup_v3(db: sqlite3.Connection) -> None:
    """What a roll-up shows of a rep besides their commitments (issue 16: `run --rep`
    rebuilds the whole team's roll-up from the week's rows): the display name, whether
    some input was skipped, and the newest event (for a week without data). Rows
    recorded before hold no name (the team file's is used) and read as complete."""
    db.execute("ALTER TABLE audit ADD COLUMN name TEXT")
    db.execute("ALTER TABLE audit ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE audit ADD COLUMN newest TEXT")  # ISO date or NULL


def _add_plan_v4(db: sqlite3.Connection) -> None:
    """The week ahead's planned blocks (issue 20): each snapshot of a rep's week, and per
    block its stable identity, times (epoch seconds), activity, commitment and counted
    seconds then. ``before_start``: taken before the week's first working hour (only
    such a snapshot can be the plan; survival.py)."""
    _script(
        db,
        """
        CREATE TABLE plan_snapshot (
            id           INTEGER PRIMARY KEY,
            team         TEXT NOT NULL,
            week         TEXT NOT NULL,         -- ISO week label of the planned week
            rep          TEXT NOT NULL COLLATE NOCASE,
            taken_at     TEXT NOT NULL,         -- UTC, ISO 8601
            before_start INTEGER NOT NULL       -- 1: before the week's first working hour
        );
        CREATE INDEX plan_snapshot_by_week ON plan_snapshot (team, week, rep, taken_at);
        CREATE TABLE planned_block (
            snapshot_id INTEGER NOT NULL REFERENCES plan_snapshot (id) ON DELETE CASCADE,
            identity    TEXT NOT NULL,          -- UID and instance: never shown
            start       INTEGER NOT NULL,       -- epoch seconds
            "end"       INTEGER NOT NULL,
            activity    TEXT NOT NULL,
            commitment  TEXT NOT NULL,
            seconds     INTEGER NOT NULL        -- counted inside the week when taken
        );
        CREATE INDEX planned_block_by_snapshot ON planned_block (snapshot_id);
        """,
    )


def _add_plan_taken_by_v5(db: sqlite3.Connection) -> None:
    """Per planned block, the identities of the events already taking some of its
    seconds when the snapshot was taken (they are not obstacles to the plan; '' in
    snapshots taken before this column)."""
    db.execute("ALTER TABLE planned_block ADD COLUMN taken_by TEXT NOT NULL DEFAULT ''")


def _add_block_starts_v6(db: sqlite3.Connection) -> None:
    """Each audited week's block start times per commitment (issue 21): proposals prefer
    where a commitment's blocks sat in the last four audited weeks. Weeks recorded
    before have none."""
    _script(
        db,
        """
        CREATE TABLE block_start (
            audit_id   INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
            commitment TEXT NOT NULL,
            start      INTEGER NOT NULL         -- epoch seconds
        );
        CREATE INDEX block_start_by_audit ON block_start (audit_id);
        """,
    )


def _add_trend_figures_v7(db: sqlite3.Connection) -> None:
    """What trends need besides each week's commitments (issue 22; trends.py): per
    judged day of a ``per: day`` commitment its target and scheduled amount (which
    weekdays fail), and per commitment of a week audited against its plan the planned,
    survived and added seconds (survival across weeks). Weeks recorded before have none."""
    _script(
        db,
        """
        CREATE TABLE commitment_day (
            audit_id   INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
            commitment TEXT NOT NULL,
            day        TEXT NOT NULL,           -- ISO date, in the audit's zone
            target     REAL NOT NULL,
            scheduled  REAL NOT NULL,
            PRIMARY KEY (audit_id, commitment, day)
        );
        CREATE TABLE commitment_plan (
            audit_id   INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
            commitment TEXT NOT NULL,
            planned    INTEGER NOT NULL,        -- seconds
            survived   INTEGER NOT NULL,
            added      INTEGER NOT NULL,
            PRIMARY KEY (audit_id, commitment)
        );
        """,
    )


def _add_agreed_v8(db: sqlite3.Connection) -> None:
    """What rep and manager agreed in a 1:1 (issue 22): one action per row, for the ISO
    week it is meant for, about one commitment or none; ``done_at`` once marked done.

    Version 8 (after issue 22's trends, 7); ``IF NOT EXISTS``, so renumbering it when
    branches merge cannot fail on a database that already has the table."""
    _script(
        db,
        """
        CREATE TABLE IF NOT EXISTS agreed_action (
            id         INTEGER PRIMARY KEY,
            team       TEXT NOT NULL,
            rep        TEXT NOT NULL COLLATE NOCASE,
            week       TEXT NOT NULL,           -- ISO week the action is for
            commitment TEXT,                    -- a commitment id, or NULL
            text       TEXT NOT NULL,
            agreed_at  TEXT NOT NULL,           -- UTC, ISO 8601
            done_at    TEXT                     -- UTC, ISO 8601, or NULL: still open
        );
        CREATE INDEX IF NOT EXISTS agreed_action_by_rep ON agreed_action (team, rep, week)
        """,
    )


# MIGRATIONS[n] moves a database from schema version n to n + 1 (0: an empty file).
# Each runs inside the transaction that also sets the new version.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_v1,
    _add_coverage_v2,
    _add_rollup_v3,
    _add_plan_v4,
    _add_plan_taken_by_v5,
    _add_block_starts_v6,
    _add_trend_figures_v7,
    _add_agreed_v8,  # issue 22's agenda
]
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------- the history


class History:
    """The history database at ``path`` (created with its folders when missing).

    ``create=False`` refuses a missing file instead (for read-only commands).
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path).expanduser()
        self._where = Location(self.path)
        if self.path.is_dir():
            raise ConfigError("is a folder, not a history database", where=self._where)
        if not self.path.exists():
            if not create:
                raise ConfigError(
                    "no history database here yet",
                    where=self._where,
                    hint="run `routine-audit run` or `team audit` first, or check `db`",
                    names=("db",),
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot create the history's folder: {exc.strerror}", where=self._where
                ) from None
        try:
            # autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _transaction)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(
                f"cannot open the history database: {exc}", where=self._where
            ) from None
        try:
            with self._errors("open"):
                self._check_identity()
                self._db.execute("PRAGMA foreign_keys = ON")
                # WAL lets readers in while a run writes; some file systems cannot do it
                with suppress(sqlite3.OperationalError):
                    self._db.execute("PRAGMA journal_mode = WAL")
                self._migrate()
        except BaseException:
            self._db.close()
            raise

    # -- lifecycle

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- writing

    def record(
        self,
        *,
        team: str,
        week: str,
        result: AuditResult,
        kind: str = "actual",
        run_at: datetime | None = None,
    ) -> None:
        """Store ``result`` as rep ``result.rep.email``'s ``kind`` audit of ``week`` in ``team``.

        Replaces whatever was recorded before for the same team, week, rep and kind.
        """
        kind = _kind(kind)
        week = week_label(week)
        stamp = _utc(run_at)
        commitments = _commitment_rows(result)
        # the rows, not the Finding objects: a stored audit has them at hand, undecoded
        findings = [
            (kind, commitment, day.isoformat() if day else None, detail)
            for kind, commitment, day, detail in result.finding_rows
        ]
        with self._errors("write"), self._transaction() as db:
            db.execute(
                "DELETE FROM audit WHERE team = ? AND week = ? AND rep = ? AND kind = ?",
                (team, week, result.rep.email, kind),
            )
            newest = result.coverage.last_event
            audit_id = db.execute(
                "INSERT INTO audit (team, week, rep, kind, run_at, coverage, name, incomplete,"
                " newest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    team,
                    week,
                    result.rep.email,
                    kind,
                    stamp,
                    result.coverage.status.value,
                    result.rep.name,
                    int(result.incomplete),
                    None if newest is None else newest.isoformat(),
                ),
            ).lastrowid
            db.executemany(
                "INSERT INTO commitment_result (audit_id, commitment, activity, unit, direction,"
                " target, scheduled, gap, adherence, blocks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(audit_id, *row) for row in commitments],
            )
            db.executemany(
                "INSERT INTO finding (audit_id, kind, commitment, day, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                [(audit_id, *row) for row in findings],
            )
            if kind == "actual":
                db.executemany(
                    "INSERT INTO block_start (audit_id, commitment, start) VALUES (?, ?, ?)",
                    [(audit_id, commitment, start) for commitment, start in _block_starts(result)],
                )
            _record_days(db, audit_id, result)

    def mark_mail_sent(
        self, *, team: str, week: str, recipient: str, kind: str, at: datetime | None = None
    ) -> None:
        """Note that ``recipient`` got ``kind`` mail (e.g. ``rep`` or ``rollup``) for ``week``."""
        with self._errors("write"), self._transaction() as db:
            db.execute(
                "INSERT INTO mail_sent (team, week, recipient, kind, sent_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (team, week, recipient, kind)"
                " DO UPDATE SET sent_at = excluded.sent_at",
                (team, week_label(week), recipient, kind, _utc(at)),
            )

    # -- reading

    def mail_sent(self, *, team: str, week: str, recipient: str, kind: str) -> bool:
        with self._errors("read"):
            row = self._db.execute(
                "SELECT 1 FROM mail_sent"
                " WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
                (team, week_label(week), recipient, kind),
            ).fetchone()
        return row is not None

    def weeks(self, rep: str, *, kind: str = "actual", team: str | None = None) -> list[str]:
        """The ISO weeks recorded for ``rep``, oldest first."""
        sql = "SELECT DISTINCT week FROM audit WHERE rep = ? AND kind = ?"
        params: list[Any] = [rep, _kind(kind)]
        if team is not None:
            sql += " AND team = ?"
            params.append(team)
        with self._errors("read"):
            return [row[0] for row in self._db.execute(sql + " ORDER BY week", params)]

    def reps(self, *, kind: str = "actual") -> list[str]:
        """The reps with any recorded audit, in address order."""
        sql = "SELECT DISTINCT rep FROM audit WHERE kind = ? ORDER BY rep"
        with self._errors("read"):
            return [row[0] for row in self._db.execute(sql, (_kind(kind),))]

    def coverage(self, rep: str, *, kind: str = "actual") -> dict[str, str]:
        """ISO week -> the coverage status of ``rep``'s latest recorded audit of it."""
        sql = (
            "SELECT week, coverage FROM audit WHERE rep = ? AND kind = ? ORDER BY week, run_at, id"
        )
        with self._errors("read"):
            return dict(self._db.execute(sql, (rep, _kind(kind))).fetchall())

    def judged(self, rep: str, week: str, *, kind: str = "actual") -> bool:
        """False when ``rep``'s latest audit of ``week`` is recorded with coverage other
        than ``ok`` (its commitments were not judged); True when ok or not recorded."""
        return self.coverage(rep, kind=kind).get(week_label(week), "ok") == "ok"

    def trend(
        self,
        rep: str,
        *,
        weeks: int | None = 8,
        until: str | None = None,
        kind: str = "actual",
        team: str | None = None,
    ) -> list[TrendPoint]:
        """One point per recorded (week, commitment), oldest first.

        Covers the ``weeks`` ISO weeks ending with ``until`` (default: the rep's
        latest recorded week); weeks without a record have no points.
        ``weeks=None`` covers everything up to ``until``. When the rep was
        recorded in several teams for a week, the latest run counts.
        """
        if weeks is not None and weeks < 1:
            raise UsageError(f"`weeks` must be at least 1, not {weeks}", names=("weeks",))
        kind = _kind(kind)
        if until is None:
            recorded = self.weeks(rep, kind=kind, team=team)
            if not recorded:
                return []
            until = recorded[-1]
        until = week_label(until)
        first = shift_week(until, -(weeks - 1)) if weeks is not None else "0000-W00"
        rows = self._latest(rep, kind=kind, team=team, first=first, last=until)
        return [
            TrendPoint(row["week"], *self._checked(row["id"], tuple(row)[2:], _point_figures))
            for row in rows
        ]

    def habits(self, rep: str, week: str, *, weeks: int = 4) -> dict[str, tuple[datetime, ...]]:
        """Commitment id -> the start instants (UTC) of its blocks in ``rep``'s last
        ``weeks`` audited weeks before ``week`` (actual audits with calendar data, in any
        team): where proposals prefer to put its blocks."""
        query = (
            "SELECT DISTINCT week FROM audit WHERE rep = ? AND kind = 'actual'"
            " AND coverage = 'ok' AND week < ? ORDER BY week DESC LIMIT ?"
        )
        starts = (
            "SELECT b.commitment, b.start FROM block_start b JOIN audit a ON a.id = b.audit_id"
            " WHERE a.rep = ? AND a.kind = 'actual' AND a.week = ? ORDER BY b.start"
        )
        found: dict[str, list[datetime]] = {}
        with self._errors("read"):
            for (label,) in self._db.execute(query, (rep, week_label(week), weeks)).fetchall():
                for commitment, start in self._db.execute(starts, (rep, label)).fetchall():
                    found.setdefault(commitment, []).append(datetime.fromtimestamp(start, UTC))
        return {commitment: tuple(sorted(times)) for commitment, times in found.items()}

    def previous_adherence(
        self, rep: str, week: str, *, team: str | None = None
    ) -> dict[str, float | None]:
        """Commitment id -> adherence in the ISO week before ``week`` (empty if not recorded)."""
        before = previous_week(week)
        rows = self._latest(rep, kind="actual", team=team, first=before, last=before)
        return {row["commitment"]: row["adherence"] for row in rows}

    def week_audits(self, *, team: str, week: str) -> dict[str, RecordedAudit]:
        """Rep email -> what is recorded of their actual audit of ``week`` in ``team``."""
        audits = (
            "SELECT id, rep, name, incomplete, coverage, newest FROM audit"
            " WHERE team = ? AND week = ? AND kind = 'actual' ORDER BY id"
        )
        rows = (
            "SELECT commitment, activity, unit, direction, target, scheduled, gap, adherence,"
            " blocks FROM commitment_result WHERE audit_id = ? ORDER BY rowid"
        )
        found: dict[str, RecordedAudit] = {}
        with self._errors("read"):
            for audit_id, rep, name, incomplete, coverage, newest in self._db.execute(
                audits, (team, week_label(week))
            ).fetchall():
                found[rep.lower()] = RecordedAudit(
                    rep=rep,
                    name=name,
                    incomplete=bool(incomplete),
                    coverage=coverage,
                    newest=date.fromisoformat(newest) if newest else None,
                    commitments=tuple(self._db.execute(rows, (audit_id,)).fetchall()),
                )
        return found

    # -- trends (trends.py reads these)

    def record_plan_figures(
        self, *, team: str, week: str, rep: str, rows: list[tuple[str, int, int, int]]
    ) -> None:
        """Store the plan figures of ``rep``'s recorded actual audit of ``week``: (commitment,
        planned, survived, added seconds) rows, replacing any. Call after ``record``
        (recording the week again drops them); without such an audit, nothing is stored."""
        with self._errors("write"), self._transaction() as db:
            found = db.execute(
                "SELECT id FROM audit WHERE team = ? AND week = ? AND rep = ? AND kind = 'actual'",
                (team, week_label(week), rep),
            ).fetchone()
            if found is None:
                return
            db.execute("DELETE FROM commitment_plan WHERE audit_id = ?", (found[0],))
            db.executemany(
                "INSERT INTO commitment_plan (audit_id, commitment, planned, survived, added)"
                " VALUES (?, ?, ?, ?, ?)",
                [(found[0], *row) for row in rows],
            )

    def recorded_weeks(
        self, *, first: str | None, last: str, rep: str | None = None, team: str | None = None
    ) -> list[RecordedWeek]:
        """What trends read: each rep's latest actual audit of each ISO week in
        ``first..last`` (``first`` None: from the oldest) of ``team`` (or of any team), by
        rep then week, whatever its coverage; only ``rep``'s when given."""
        where = "kind = 'actual' AND week BETWEEN :first AND :last"
        if rep is not None:
            where += " AND rep = :rep"
        if team is not None:
            where += " AND team = :team"
        audits = f"""
            SELECT id, rep, name, week, coverage FROM (
                SELECT id, rep, name, week, coverage, ROW_NUMBER() OVER (
                    PARTITION BY rep COLLATE NOCASE, week ORDER BY run_at DESC, id DESC) AS rank
                FROM audit WHERE {where}
            ) WHERE rank = 1 ORDER BY rep COLLATE NOCASE, week
        """
        params = {
            "first": "0000-W00" if first is None else week_label(first),
            "last": week_label(last),
            "rep": rep,
            "team": team,
        }
        with self._errors("read"):
            chosen = self._db.execute(audits, params).fetchall()
            return [
                RecordedWeek(
                    rep=rep_,
                    name=name,
                    week=week,
                    coverage=coverage,
                    commitments=tuple(
                        self._checked(audit_id, row, _commitment_figures)
                        for row in self._db.execute(
                            "SELECT commitment, unit, direction, target, scheduled, gap,"
                            " adherence FROM commitment_result WHERE audit_id = ?"
                            " ORDER BY rowid",
                            (audit_id,),
                        ).fetchall()
                    ),
                    days=tuple(
                        self._checked(audit_id, row, _day_figures)
                        for row in self._db.execute(
                            "SELECT commitment, day, target, scheduled FROM commitment_day"
                            " WHERE audit_id = ? ORDER BY commitment, day",
                            (audit_id,),
                        ).fetchall()
                    ),
                    plan=tuple(
                        self._checked(audit_id, row, _plan_figures)
                        for row in self._db.execute(
                            "SELECT commitment, planned, survived, added FROM commitment_plan"
                            " WHERE audit_id = ? ORDER BY rowid",
                            (audit_id,),
                        ).fetchall()
                    ),
                )
                for audit_id, rep_, name, week, coverage in chosen
            ]

    def _checked(
        self, audit_id: int, row: Sequence[Any], check: Callable[[Sequence[Any]], tuple[Any, ...]]
    ) -> tuple[Any, ...]:
        """``check(row)``: a row as recording writes it; one a hand left otherwise (a
        figure that is not one, an unknown unit) is a one-line error naming the row."""
        try:
            return check(row)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ConfigError(
                f"audit #{audit_id}, commitment {str(row[0])[:60]!r}: {exc}",
                where=self._where,
                hint="record the week again (`run` or `team audit`), or restore the history",
            ) from None

    # -- plan snapshots (survival.py builds and reads them)

    def add_plan_snapshot(
        self,
        *,
        team: str,
        week: str,
        rep: str,
        taken_at: datetime,
        before_start: bool,
        blocks: list[tuple[str, int, int, str, str, int, str]],
    ) -> None:
        """Store one snapshot of ``rep``'s ``week``: ``blocks`` as (identity, start, end,
        activity, commitment, seconds, taken_by) rows (``AuditResult.planned_rows``).
        Snapshots are only ever added."""
        with self._errors("write"), self._transaction() as db:
            snapshot_id = db.execute(
                "INSERT INTO plan_snapshot (team, week, rep, taken_at, before_start)"
                " VALUES (?, ?, ?, ?, ?)",
                (team, week_label(week), rep, _utc(taken_at), int(before_start)),
            ).lastrowid
            db.executemany(
                'INSERT INTO planned_block (snapshot_id, identity, start, "end", activity,'
                " commitment, seconds, taken_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(snapshot_id, *row) for row in blocks],
            )

    def plan_snapshots(
        self, *, team: str, week: str, rep: str
    ) -> list[tuple[datetime, bool, list[tuple[str, int, int, str, str, int, str]]]]:
        """Every snapshot of ``rep``'s ``week`` in ``team``, oldest first: (taken_at,
        before_start, block rows as ``add_plan_snapshot`` takes them). Rows that cannot
        be right (a table edited by hand) are left out, as ``first_plan`` does."""
        snapshots = (
            "SELECT id, taken_at, before_start FROM plan_snapshot"
            " WHERE team = ? AND week = ? AND rep = ? ORDER BY taken_at, id"
        )
        found = []
        with self._errors("read"):
            for snapshot_id, taken_at, before_start in self._db.execute(
                snapshots, (team, week_label(week), rep)
            ).fetchall():
                moment = _snapshot_time(taken_at)
                if moment is not None:
                    found.append((moment, before_start == 1, self._planned_rows(snapshot_id)))
        return found

    def first_plan(
        self, *, team: str, week: str, rep: str
    ) -> tuple[datetime, list[tuple[str, int, int, str, str, int, str]]] | None:
        """The plan of ``rep``'s ``week`` in ``team``: the first snapshot taken before the
        week's first working hour, as (taken_at, block rows), or None. Only that snapshot
        is read; a snapshot whose time cannot be read, and block rows that cannot be
        right (a table edited by hand), are ignored; at most ``MAX_PLANNED_BLOCKS`` rows
        are read."""
        snapshots = (
            "SELECT id, taken_at FROM plan_snapshot WHERE team = ? AND week = ? AND rep = ?"
            " AND before_start = 1 ORDER BY taken_at, id"
        )
        with self._errors("read"):
            for snapshot_id, taken_at in self._db.execute(snapshots, (team, week_label(week), rep)):
                moment = _snapshot_time(taken_at)
                if moment is not None:
                    return moment, self._planned_rows(snapshot_id)
        return None

    def _planned_rows(self, snapshot_id: int) -> list[tuple[str, int, int, str, str, int, str]]:
        blocks = (
            'SELECT identity, start, "end", activity, commitment, seconds, taken_by'
            " FROM planned_block WHERE snapshot_id = ? ORDER BY rowid LIMIT ?"
        )
        rows = self._db.execute(blocks, (snapshot_id, MAX_PLANNED_BLOCKS))
        return [row for row in rows if _planned_row_ok(row)]

    # -- agreed actions (agreed.py builds and reads them)

    def add_agreed(
        self,
        *,
        team: str,
        rep: str,
        week: str,
        commitment: str | None,
        text: str,
        at: datetime | None = None,
    ) -> int:
        """Store one agreed action; its id."""
        with self._errors("write"), self._transaction() as db:
            return int(
                db.execute(
                    "INSERT INTO agreed_action (team, rep, week, commitment, text, agreed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (team, rep, week_label(week), commitment, text, _utc(at)),
                ).lastrowid
            )

    def agreed_rows(self, *, team: str | None = None, rep: str | None = None) -> list[tuple]:
        """(id, team, rep, week, commitment, text, agreed_at, done_at) rows, by week, id."""
        sql = (
            "SELECT id, team, rep, week, commitment, text, agreed_at, done_at"
            " FROM agreed_action WHERE (:team IS NULL OR team = :team)"
            " AND (:rep IS NULL OR rep = :rep) ORDER BY week, id"
        )
        with self._errors("read"):
            return self._db.execute(sql, {"team": team, "rep": rep}).fetchall()

    def mark_agreed_done(self, action_id: int, *, at: datetime | None = None) -> bool:
        """Mark action ``action_id`` done (again: keeps the first time); False: no such id."""
        with self._errors("write"), self._transaction() as db:
            cursor = db.execute(
                "UPDATE agreed_action SET done_at = COALESCE(done_at, ?) WHERE id = ?",
                (_utc(at), action_id),
            )
            return cursor.rowcount > 0

    # -- internals

    def _latest(
        self, rep: str, *, kind: str, team: str | None, first: str, last: str
    ) -> list[sqlite3.Row]:
        """Commitment rows of the latest audit per week in ``first..last``."""
        team_filter = "AND team = :team" if team is not None else ""
        sql = f"""
            WITH chosen AS (
                SELECT id, week, coverage, ROW_NUMBER() OVER (
                    PARTITION BY week ORDER BY run_at DESC, id DESC) AS rank
                FROM audit
                WHERE rep = :rep AND kind = :kind AND week BETWEEN :first AND :last {team_filter}
            )
            SELECT chosen.id, chosen.week, c.commitment, c.target, c.scheduled, c.adherence
            FROM chosen JOIN commitment_result AS c ON c.audit_id = chosen.id
            WHERE chosen.rank = 1 AND chosen.coverage = 'ok'
            ORDER BY chosen.week, c.rowid
        """
        params = {"rep": rep, "kind": kind, "team": team, "first": first, "last": last}
        with self._errors("read"):
            cursor = self._db.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: commit on success, roll back on any exception.

        Inside ``batch()`` the batch's transaction is used.
        """
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many writes as one transaction (one commit for a whole team run)."""
        with self._errors("write"), self._transaction():
            yield

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """SQLite errors become one-line ConfigErrors naming the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "not a database" in message or "malformed" in message:
                raise ConfigError(
                    "is not a routine-audit history database",
                    where=self._where,
                    hint="point `db` (or the team file's db) at another file",
                    names=("db",),
                ) from None
            raise ConfigError(
                f"cannot {doing} the history database: {message}", where=self._where
            ) from None

    def _check_identity(self) -> None:
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self.schema_version
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        fresh = app_id == 0 and version == 0 and tables == 0
        if not fresh and app_id != APPLICATION_ID:
            raise ConfigError(
                "is a SQLite database, but not a routine-audit history",
                where=self._where,
                hint="point `db` (or the team file's db) at another file",
                names=("db",),
            )
        if version > len(MIGRATIONS):
            raise ConfigError(
                f"was written by a newer routine-audit (history schema {version}; "
                f"this version reads up to {len(MIGRATIONS)})",
                where=self._where,
                hint="upgrade routine-audit, or use another `db`",
                names=("db",),
            )

    def _migrate(self) -> None:
        if self.schema_version == len(MIGRATIONS):
            return
        with self._transaction() as db:
            version = self.schema_version  # again, now that we hold the write lock
            for step in range(version, len(MIGRATIONS)):
                MIGRATIONS[step](db)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True)
class RecordedAudit:
    """One rep's audit of a week as the history holds it (see ``History.week_audits``).

    ``commitments``: (commitment, activity, unit, direction, target, scheduled, gap,
    adherence, blocks) rows, as recorded."""

    rep: str
    name: str | None
    incomplete: bool
    coverage: str
    newest: date | None
    commitments: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class RecordedWeek:
    """One rep's latest actual audit of a week, as trends read it (``recorded_weeks``).

    ``commitments``: (commitment, unit, direction, target, scheduled, gap, adherence);
    ``days``: (commitment, date, target, scheduled) per judged day of its ``per: day``
    commitments; ``plan``: (commitment, planned, survived, added seconds) when the week
    was audited against its plan."""

    rep: str
    name: str | None
    week: str
    coverage: str
    commitments: tuple[tuple[Any, ...], ...]
    days: tuple[tuple[Any, ...], ...]
    plan: tuple[tuple[Any, ...], ...]


def _figure(value: Any, what: str, *, least: float = 0, most: float = 1e12) -> float:
    """A recorded figure: a number, finite, from ``least`` to ``most``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{what} {value!r} is not a number")
    number = float(value)
    if not least <= number <= most:  # NaN fails too
        raise ValueError(f"{what} {value!r} is out of range")
    return number


def _commitment_figures(row: Sequence[Any]) -> tuple[Any, ...]:
    from .unit_kinds import UNITS

    commitment, unit, direction, target, scheduled, gap, adherence = row
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(UNITS)}")
    if direction not in ("min", "max"):
        raise ValueError(f"direction {direction!r} is not min or max")
    return (
        commitment,
        unit,
        direction,
        _figure(target, "target"),
        _figure(scheduled, "scheduled"),
        _figure(gap, "gap", least=-1e12),  # below 0: more than the target
        None if adherence is None else _figure(adherence, "adherence", most=1.0),
    )


def _point_figures(row: Sequence[Any]) -> tuple[Any, ...]:
    commitment, target, scheduled, adherence = row
    return (
        commitment,
        _figure(target, "target"),
        _figure(scheduled, "scheduled"),
        None if adherence is None else _figure(adherence, "adherence", most=1.0),
    )


def _day_figures(row: Sequence[Any]) -> tuple[Any, ...]:
    commitment, day, target, scheduled = row
    return (
        commitment,
        date.fromisoformat(str(day)),
        _figure(target, "day target"),
        _figure(scheduled, "day scheduled"),
    )


def _plan_figures(row: Sequence[Any]) -> tuple[Any, ...]:
    commitment, *seconds = row
    checked = []
    for what, value in zip(("planned", "survived", "added"), seconds, strict=True):
        if isinstance(value, (str, bytes)) or value is None or not 0 <= value <= 10**9:
            raise ValueError(f"{what} {value!r} is not a number of seconds")
        checked.append(value)
    return (commitment, *checked)


def _record_days(db: sqlite3.Connection, audit_id: int, result: AuditResult) -> None:
    """The judged days (a daily target) of the result's ``per: day`` commitments (the
    rows, at hand in a kept audit: recording decodes nothing)."""
    db.executemany(
        "INSERT INTO commitment_day (audit_id, commitment, day, target, scheduled)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (audit_id, commitment, day.isoformat(), target, scheduled)
            for commitment, day, target, scheduled in result.day_rows
        ],
    )


def _commitment_rows(result: AuditResult) -> list[tuple[Any, ...]]:
    """The result's commitment rows as stored: (commitment, activity, unit, direction,
    target, scheduled, gap, adherence, blocks)."""
    return [
        (
            str(row["id"]),
            row.get("activity"),
            str(row["unit"]),
            str(row["direction"]),
            row["target"] or 0.0,
            row["scheduled"] or 0.0,
            row["gap"] or 0.0,
            row["adherence"],
            int(row["blocks"] or 0),
        )
        for row in result.commitment_records
    ]


def recorded_trend(result: AuditResult, week: str) -> list[TrendPoint]:
    """The points ``trend`` reads back for ``week`` once ``result`` is recorded as its
    latest audit: a week's page can show its trend before the history is written."""
    if not result.coverage.commitments_judged:
        return []  # a week the calendar cannot show has no place in a trend
    label = week_label(week)
    return [
        TrendPoint(label, row[0], _as_read(row[4]), _as_read(row[5]), _as_read(row[7]))
        for row in _commitment_rows(result)
    ]


def _as_read(value: float | None) -> float | None:
    """A REAL column's value as SQLite gives it back (a count of blocks, say, as a float);
    the records hold None, not NaN, where nothing was due."""
    return None if value is None else float(value)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind


def _snapshot_time(value: object) -> datetime | None:
    """A snapshot's ``taken_at`` (stored in UTC); None when it cannot be read."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _planned_row_ok(row: tuple[Any, ...]) -> bool:
    """A planned block's row as ``add_plan_snapshot`` stores it: texts, times in epoch
    seconds between 1970 and 9999, and counted seconds no more than its length."""
    identity, start, end, activity, commitment, seconds, taken_by = row
    return (
        all(isinstance(text, str) for text in (identity, activity, commitment, taken_by))
        and all(type(n) is int for n in (start, end, seconds))
        and 0 <= start <= end < _YEAR_10000
        and 0 <= seconds <= end - start
    )


_YEAR_10000 = 253_402_300_800  # epoch seconds of 10000-01-01: datetimes end before it


def _utc(moment: datetime | None) -> str:
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _block_starts(result: AuditResult) -> list[tuple[str, int]]:
    """(commitment, start) of each block of an ``hours`` or ``blocks`` commitment: each
    counted occurrence of its activity that keeps time (what a plan snapshot stores)."""
    return [(row.commitment, row.start) for row in result.planned_rows if row.seconds > 0]
