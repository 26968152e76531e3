"""Issue 15, section 1, "An empty or stale week is not judged": no findings, no coaching
questions, no place in the roll-up's "Biggest gaps" (listed apart), recorded in the
history with its status and left out of trends and "vs last week", said in the rep's
mail, exit 1 with "no calendar data" from `audit` and `run`; `rules check --online`
warns about calendars with no events in the last four weeks.

Week 2026-W45 is Mon 2026-11-02 .. Sun 2026-11-08 (Europe/London); its stale line is
2026-10-19 00:00. Quinn's calendar ends on Fri 2026-10-16, so Quinn's W45 is stale;
Quinn's W44 (Oct 26 .. Nov 1) holds a meeting on Tue 2026-10-27 when ``live``.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit import history as history_module
from routine_audit.cli import app
from routine_audit.history import History

SAMPLE = Path(ra.__file__).parent / "data" / "sample"
WEEK = "2026-W45"
QUINN = "quinn@northwind.example"
runner = CliRunner()


def quinn_calendar(path: Path, *, live: bool = False, back: bool = False) -> Path:
    events = [
        ("a", "20261005T090000Z", "20261005T100000Z"),
        ("b", "20261016T140000Z", "20261016T150000Z"),  # the newest: Fri 2026-10-16
    ]
    if live:
        events.append(("c", "20261027T100000Z", "20261027T110000Z"))
    if back:  # back in W46: Tue 2026-11-10
        events.append(("d", "20261110T100000Z", "20261110T110000Z"))
    body = "".join(
        f"BEGIN:VEVENT\nUID:{uid}@q\nDTSTART:{start}\nDTEND:{end}\nSUMMARY:Client call\n"
        "END:VEVENT\n"
        for uid, start, end in events
    )
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{body}END:VCALENDAR\n")
    return path


def make_team(folder: Path, *, mail_port: int | None = None) -> Path:
    """Dana (the sample's full week) and Quinn (a calendar that stopped on 2026-10-16)."""
    folder.mkdir()
    for name in ("team-default.yaml", "dana.yaml", "dana.ics"):
        shutil.copy(SAMPLE / name, folder / name)
    quinn_calendar(folder / "quinn.ics")
    (folder / "quinn.yaml").write_text(
        "kind: routine\nversion: 1\nextends: team-default.yaml\n"
        f"rep: {{email: {QUINN}, name: Quinn}}\n"
    )
    mail = ""
    if mail_port:
        mail = (
            f"mail: {{host: 127.0.0.1, port: {mail_port}, security: none, "
            "from: ra@northwind.example, to_reps: true}\n"
        )
    (folder / "team.yaml").write_text(
        "kind: team\nversion: 1\nname: Quiet Team\ntimezone: Europe/London\n"
        "routine: team-default.yaml\noutput_dir: out\ndb: history.sqlite\n"
        "manager: {name: Alex, email: alex@northwind.example}\n" + mail + "reps:\n"
        "  - {email: dana@northwind.example, name: Dana, calendar: {ics: dana.ics},"
        " routine: dana.yaml}\n"
        f"  - {{email: {QUINN}, name: Quinn, calendar: {{ics: quinn.ics}}, routine: quinn.yaml}}\n"
    )
    return folder / "team.yaml"


def quinn_audit(folder: Path, week: str, *, live: bool = False):
    routine = ra.load_routine(folder / "quinn.yaml")
    calendar = quinn_calendar(folder / f"quinn-{week}.ics", live=live)
    return ra.audit_calendar(calendar, routine, ra.load_rules(), ra.period_for(routine, week=week))


# --- one rep: `audit` --------------------------------------------------------------------


def test_events_of_a_stale_week_say_so_and_exit_1_as_audit_does(tmp_path):
    folder = tmp_path / "team"
    make_team(folder)
    args = ["events", "--ics", str(folder / "quinn.ics"), "--routine", str(folder / "quinn.yaml")]
    result = runner.invoke(app, [*args, "--week", WEEK])
    assert result.exit_code == 1  # before: 0, as if an empty list were a week's events
    assert "no calendar data" in result.stderr and "newest event Fri 16 Oct 2026" in result.stderr


def test_audit_of_a_stale_week_has_no_findings_no_questions_and_exits_1(tmp_path):
    folder = tmp_path / "team"
    make_team(folder)
    args = ["audit", "--ics", str(folder / "quinn.ics"), "--routine", str(folder / "quinn.yaml")]
    result = runner.invoke(app, [*args, "--week", WEEK, "--format", "markdown"])
    # today: exit 0, Quinn "short" on everything and asked what took the time
    assert result.exit_code == 1
    assert "no calendar data" in result.stderr and QUINN in result.stderr
    assert "newest event Fri 16 Oct 2026" in result.stderr
    assert "What took the time" not in result.stdout
    assert "**short**" not in result.stdout
    as_json = runner.invoke(app, [*args, "--week", WEEK, "--format", "json"])
    rep = json.loads(as_json.stdout)["reps"][QUINN]
    assert rep["findings"] == []
    assert rep["coverage"]["status"] == "stale"
    assert {c["status"] for c in rep["commitments"]} == {"not_judged"}


# --- the team: roll-up, run, history, mail ---------------------------------------------


def test_the_roll_up_lists_a_rep_without_data_apart_never_as_the_biggest_gap(tmp_path):
    team = make_team(tmp_path / "team")
    result = runner.invoke(
        app, ["team", "audit", "--config", str(team), "--week", WEEK, "--format", "markdown"]
    )
    assert result.exit_code == 1  # audited, but one rep's week holds no calendar data
    gaps, _, apart = result.stdout.partition("## Not judged this week")
    ranking = gaps.partition("## Biggest gaps")[2]
    assert "Quinn" not in ranking  # today: Quinn tops the ranking at 0%
    assert "- **Quinn**: no calendar data this week; newest event Fri 16 Oct 2026 (stale)" in apart
    html = runner.invoke(
        app, ["team", "audit", "--config", str(team), "--week", WEEK, "--out", str(tmp_path / "o")]
    )
    assert html.exit_code == 1
    page = (tmp_path / "o" / "index.html").read_text()
    assert "Not judged this week" in page and "newest event Fri 16 Oct 2026" in page


def test_run_logs_no_calendar_data_records_the_status_and_exits_1(tmp_path):
    team = make_team(tmp_path / "team")
    log = tmp_path / "run.log"
    result = runner.invoke(
        app, ["run", "--config", str(team), "--week", WEEK, "--log", str(log), "--no-mail"]
    )
    assert result.exit_code == 1
    lines = log.read_text().splitlines()
    quinn = [line for line in lines if QUINN in line and WEEK in line]
    assert len(quinn) == 1 and "no calendar data" in quinn[0], lines
    assert any("dana@northwind.example ok:" in line for line in lines)
    with History(tmp_path / "team" / "history.sqlite") as history:
        assert history.coverage(QUINN) == {WEEK: "stale"}
        assert history.coverage(QUINN, kind="preview") == {"2026-W46": "stale"}
        assert history.coverage("dana@northwind.example")[WEEK] == "ok"
        assert history.trend(QUINN, until=WEEK) == []  # not a week of 0%
    with sqlite3.connect(tmp_path / "team" / "history.sqlite") as db:
        found = db.execute(
            "SELECT count(*) FROM finding JOIN audit ON audit.id = audit_id WHERE rep = ?",
            (QUINN,),
        ).fetchone()[0]
    assert found == 0


def test_a_week_without_data_is_left_out_of_trends_and_vs_last_week(tmp_path):
    folder = tmp_path / "team"
    make_team(folder)
    judged = quinn_audit(folder, "2026-W44", live=True)  # one meeting on Tue 27 Oct
    quiet = quinn_audit(folder, "2026-W45", live=True)  # newest ends 27 Oct: empty
    assert (judged.coverage.status, quiet.coverage.status) == ("ok", "empty")
    with History(tmp_path / "h.sqlite") as history:
        history.record(team="Quiet", week="2026-W44", result=judged)
        history.record(team="Quiet", week="2026-W45", result=quiet)
        assert history.coverage(QUINN) == {"2026-W44": "ok", "2026-W45": "empty"}
        assert {p.week for p in history.trend(QUINN, until="2026-W46")} == {"2026-W44"}
        assert history.previous_adherence(QUINN, "2026-W46") == {}  # W45: nothing to compare
        assert history.previous_adherence(QUINN, "2026-W45")  # W44 was judged
    assert history_module.recorded_trend(quiet, "2026-W45") == []  # pages agree with the db


def test_history_migration_adds_the_coverage_status_old_weeks_are_ok(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    history_module._create_v1(db)  # a database as version 1 wrote it
    db.execute(f"PRAGMA application_id = {history_module.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO audit (team, week, rep, kind, run_at)"
        " VALUES ('T', '2026-W40', 'old@x', 'actual', '2026-10-05T07:00:00+00:00')"
    )
    db.close()
    with History(path) as history:
        assert history.schema_version == history_module.SCHEMA_VERSION  # 2 and on
        assert history.coverage("old@x") == {"2026-W40": "ok"}


def test_the_reps_mail_says_the_week_had_no_calendar_data(tmp_path):
    from test_mail import start_server

    controller, handler = start_server()
    try:
        team = make_team(tmp_path / "team", mail_port=controller.port)
        result = runner.invoke(app, ["run", "--config", str(team), "--week", WEEK])
    finally:
        controller.stop()
    assert result.exit_code == 1
    mails = {e.rcpt_tos[0]: e.content for e in handler.envelopes}
    quinn = email.message_from_bytes(mails[QUINN], policy=email.policy.default)
    assert "no calendar data" in quinn["Subject"]
    text = quinn.get_body(("plain",)).get_content()
    assert text.startswith("No calendar data this week")
    assert "nothing was judged" in text
    dana = email.message_from_bytes(mails["dana@northwind.example"], policy=email.policy.default)
    assert dana["Subject"] == f"Your routine audit {WEEK}"


# --- rules check --online -----------------------------------------------------------------


def test_rules_check_online_warns_about_a_calendar_without_events_in_four_weeks(tmp_path):
    team = make_team(tmp_path / "team")
    result = runner.invoke(app, ["rules", "check", "--online", str(team)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert f"warning: {team}: {QUINN}: no events in the last four weeks" in result.stderr
    assert "dana@northwind.example: calendar read" in result.stdout  # endless series


@pytest.mark.parametrize("status", ["empty", "stale"])
def test_library_results_say_no_data(tmp_path, status):
    folder = tmp_path / "team"
    make_team(folder)
    result = quinn_audit(folder, WEEK, live=status == "empty")
    assert result.coverage.status == status
    assert result.no_data and result.finding_objects == []


def test_vs_last_week_says_no_data_after_a_week_without_calendar_data(tmp_path):
    team = make_team(tmp_path / "team")
    quinn_calendar(tmp_path / "team" / "quinn.ics", back=True)  # W45 empty, W46 not
    audit = ["team", "audit", "--config", str(team), "--format", "markdown"]
    assert runner.invoke(app, [*audit, "--week", WEEK]).exit_code == 1  # W45: Quinn empty
    after = runner.invoke(app, [*audit, "--week", "2026-W46"])
    ranking = after.stdout.partition("## Biggest gaps")[2]
    quinn = [line for line in ranking.splitlines() if line.startswith("| Quinn |")]
    assert quinn and all(line.endswith("| no data last week |") for line in quinn), ranking


# Review of issue 15: a rep whose week holds no calendar data is "left out of the
# roll-up's Biggest gaps and its adherence matrix and listed apart" (docs/audit.md). The
# matrix still had a row for them, with empty cells (and, on the team page, a tooltip
# "0 min of 2 h"), in the terminal, the Markdown roll-up and index.html.
#
# Quinn's calendar stops on Fri 2026-10-16, so Quinn's 2026-W45 is stale; Dana's is ok.
# (Was tests/test_review15_matrix_leaves_out_not_judged.py.)


def test_the_adherence_matrix_leaves_out_a_rep_without_calendar_data(tmp_path):
    team = make_team(tmp_path / "team")
    args = ["team", "audit", "--config", str(team), "--week", WEEK]
    markdown = runner.invoke(app, [*args, "--format", "markdown"]).stdout
    matrix = markdown.partition("## Adherence")[2].partition("## Biggest gaps")[0]
    assert "Dana" in matrix and "Quinn" not in matrix
    assert "**Quinn**: no calendar data this week" in markdown  # listed apart
    terminal = runner.invoke(app, args).stdout
    table = terminal.partition("Biggest gaps")[0]
    assert "Dana" in table and "Quinn" not in table
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "o")]).exit_code == 1
    page = (tmp_path / "o" / "index.html").read_text()
    rows = re.findall(r'<tr class="rep-row" data-rep="([^"]+)">', page)
    assert rows == ["dana@northwind.example"]
    assert "newest event Fri 16 Oct 2026" in page
