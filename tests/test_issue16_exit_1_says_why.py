"""Issue 16: exit code 1 always says why, on stderr and in the log: which reps failed,
which had input skipped or no calendar data, which mails were not sent. The terminal
roll-up marks incomplete reps as the HTML does; the README's `run` table lists every
cause."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_mail import free_port
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.team.weekly import REASONS

WEEK = "2026-W45"
README = Path(__file__).resolve().parents[1] / "README.md"
BAD_EVENT = (
    "BEGIN:VEVENT\r\nUID:bad@test\r\nDTSTAMP:20261001T000000Z\r\n"
    "DTSTART:20261131T140000Z\r\nDTEND:20261102T150000Z\r\nSUMMARY:Broken date\r\nEND:VEVENT\r\n"
)
OLD_CALENDAR = (  # one event, years before the week: stale, no calendar data
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:old@test\r\n"
    "DTSTAMP:20200101T000000Z\r\nDTSTART:20200106T090000Z\r\nDTEND:20200106T100000Z\r\n"
    "SUMMARY:Old\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """The sample team with one rep of each kind of trouble, and a mail server that is
    not there: Dana fails (no calendar file), Morgan has an unreadable event, Riley's
    calendar is stale; Sam is fine."""
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    (folder / "dana.ics").unlink()
    morgan = folder / "morgan.ics"
    text = morgan.read_bytes()
    end = text.rindex(b"END:VCALENDAR")
    morgan.write_bytes(text[:end] + BAD_EVENT.encode() + text[end:])
    (folder / "riley.ics").write_text(OLD_CALENDAR, newline="")
    path = folder / "team.yaml"
    path.write_text(
        path.read_text()
        + "output_dir: out\ndb: history.sqlite\n"
        + f"mail: {{host: 127.0.0.1, port: {free_port()}, security: none, "
        + "from: ra@northwind.example}\n"
    )
    return path


WHY = (
    "routine-audit: exit 1: failed: dana@northwind.example; "
    "input skipped: morgan@northwind.example; no calendar data: riley@northwind.example; "
    "mail not sent: alex@northwind.example"
)


def test_run_says_why_it_exits_1_on_stderr_and_in_the_log(team, tmp_path):
    log = tmp_path / "run.log"
    result = CliRunner().invoke(
        app, ["run", "--config", str(team), "--week", WEEK, "--log", str(log)]
    )
    assert result.exit_code == 1, result.output
    assert WHY in result.stderr.splitlines()
    assert log.read_text().splitlines()[-2:-1] == [WHY]  # before the closing "done:" line


def test_team_audit_says_why_and_marks_incomplete_reps_like_the_html(team, tmp_path):
    out = tmp_path / "review"
    result = CliRunner().invoke(
        app, ["team", "audit", "--config", str(team), "--week", WEEK, "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    why = "routine-audit: exit 1: failed: dana@northwind.example; input skipped: "
    assert why in result.stderr  # no mail in `team audit`
    assert "(incomplete data)" in (out / "index.html").read_text()
    morgan = next(line for line in result.stdout.splitlines() if "Morgan Fixture" in line)
    assert "(incomplete data)" in morgan
    sam = next(line for line in result.stdout.splitlines() if "Sam Demoson" in line)
    assert "(incomplete data)" not in sam


def test_the_readme_run_table_lists_every_cause_of_exit_1():
    text = README.read_text()
    row = re.search(r"^\| 1 \| (.*)\|$", text.split("| `run` exit code |")[1], re.MULTILINE)
    assert row is not None
    for cause in REASONS:
        assert f"`{cause}`" in row.group(1), cause
