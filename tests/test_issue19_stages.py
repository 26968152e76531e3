"""Issue 19, point 4: a team run in stages over one options object; a rep's pages as a
mapping by format from the renderer registry; notification behind a small interface;
`run`'s lock, folder and summary and `rules check`'s cross-validation in the library."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import mailing_team, routine_file

import routine_audit as ra
from routine_audit.config.load import load_team
from routine_audit.errors import ExitCode, UsageError
from routine_audit.team import weekly
from routine_audit.team.notify import SmtpNotifier
from routine_audit.team.options import RunOptions
from routine_audit.team.runner import team_period

WEEK = "2026-W45"  # the sample team's week


class Recording:
    """A toy notifier: keeps what it is given and delivers all but ``refuse``."""

    def __init__(self, refuse: str = "") -> None:
        self.messages: list = []
        self.refuse = refuse

    def send(self, messages, *, on_sent):
        results = []
        for message in messages:
            self.messages.append(message)
            if message.to == self.refuse:
                results.append((message, "the toy refused it"))
            else:
                on_sent(message)
                results.append((message, None))
        return results


def _wire(envelope) -> tuple:
    """A delivered mail as (to, subject, text, html), as it went over SMTP."""
    from test_mail import parse

    mail = parse(envelope)
    html = mail.get_body(("html",))
    return (
        mail["To"],
        mail["Subject"],
        mail.get_body(("plain",)).get_content(),
        None if html is None else html.get_content(),
    )


def _mailing(db: Path, notifier) -> RunOptions:
    return RunOptions(week=WEEK, db=db, mail=True, preview=False, notifier=notifier)


def test_a_toy_notifier_gets_the_messages_smtp_delivers(tmp_path):
    from test_mail import start_server

    team = load_team(mailing_team(tmp_path, 9))
    controller, handler = start_server()
    try:
        smtp = SmtpNotifier.for_team(team)
        smtp = SmtpNotifier(replace(smtp.settings, port=controller.port))
        by_smtp = weekly.run(team, _mailing(tmp_path / "a.sqlite", smtp))
    finally:
        controller.stop()
    toy = Recording()
    by_toy = weekly.run(team, _mailing(tmp_path / "b.sqlite", toy))
    sent = sorted(_wire(envelope) for envelope in handler.envelopes)
    # what went over the wire is each Message as made (the text part ends with a newline)
    made = sorted(
        (m.to, m.subject, m.text if m.text.endswith("\n") else m.text + "\n", m.html)
        for m in toy.messages
    )
    assert [to for to, *_ in made] == sorted(
        ["alex@northwind.example", "dana@northwind.example", "morgan@northwind.example",
         "riley@northwind.example", "sam@northwind.example"]
    )  # fmt: skip
    assert made == sent
    assert by_smtp.mail_errors == by_toy.mail_errors == []
    # each was recorded as sent: a second run sends nothing
    again = Recording()
    weekly.run(team, _mailing(tmp_path / "b.sqlite", again))
    assert again.messages == []


def test_what_a_toy_notifier_refuses_is_a_mail_error_and_exit_1(tmp_path):
    team = load_team(mailing_team(tmp_path, 9))
    lines: list[str] = []
    toy = Recording(refuse="sam@northwind.example")
    options = RunOptions(week=WEEK, mail=True, preview=False, notifier=toy, log=lines.append)
    run = weekly.run(team, options)
    assert run.mail_errors == ["sam@northwind.example: the toy refused it"]
    assert "mail to sam@northwind.example FAILED: the toy refused it" in lines
    assert run.exit_code == ExitCode.PARTIAL
    assert run.exit_line() == "routine-audit: exit 1: mail not sent: sam@northwind.example"


def test_a_toy_notifier_needs_no_smtp_section(tmp_path):
    """Without a `mail:` section, a notifier given to the run still gets the week's
    messages, for the recipients the section's defaults name: the manager's roll-up."""
    team = load_team(mailing_team(tmp_path, 9))
    team = replace(team, spec=team.spec.model_copy(update={"mail": None}))
    toy = Recording()
    run = weekly.run(team, _mailing(tmp_path / "c.sqlite", toy))
    assert [m.to for m in toy.messages] == ["alex@northwind.example"]
    assert run.mail_errors == []
    # and without a notifier, nothing is set up to deliver it: nothing is sent
    assert (
        weekly.run(
            team, RunOptions(week=WEEK, db=tmp_path / "d.sqlite", mail=True, preview=False)
        ).mail_errors
        == []
    )


def render_toy(reports, options) -> str:
    """A toy report format: one line per rep."""
    return "".join(f"toy page of {r.rep.email}\n" for r in reports)


@pytest.fixture
def toy_format(monkeypatch):
    from routine_audit.report import RENDERERS
    from routine_audit.team.pages import REP_PAGES, PageFormat

    monkeypatch.setitem(RENDERERS, "toy", f"{__name__}:render_toy")
    monkeypatch.setitem(REP_PAGES, "toy", PageFormat(".toy.txt"))


def test_a_page_format_registered_once_is_in_every_reps_pages_and_written(tmp_path, toy_format):
    team = load_team(mailing_team(tmp_path, 9))
    options = RunOptions(week=WEEK, out=tmp_path, record=False, preview=False)
    state = weekly.RunState(team, options, team_period(team, week=WEEK))
    # the stages one by one: the rep's pages are a mapping by format
    for stage in weekly.STAGES[: weekly.STAGES.index(weekly.render_reports) + 1]:
        stage(state)
    assert {p.report.rep.email: p.formats["toy"] for p in state.pages}[
        "dana@northwind.example"
    ] == "toy page of dana@northwind.example\n"
    # "agenda": the 1:1 agenda's part, made with the pages (issue 22)
    formats = {"html", "markdown", "json", "csv", "agenda", "toy"}
    assert all(set(p.formats) == formats for p in state.pages)
    assert state.pages[0].html == state.pages[0].formats["html"]  # the old attribute
    weekly.write_files(state)
    toy_files = sorted(p.name for p in state.run.written if p.name.endswith(".toy.txt"))
    assert toy_files == [
        "dana-at-northwind.example.toy.txt",
        "morgan-at-northwind.example.toy.txt",
        "riley-at-northwind.example.toy.txt",
        "sam-at-northwind.example.toy.txt",
    ]
    assert (tmp_path / "sam-at-northwind.example.toy.txt").read_text() == (
        "toy page of sam@northwind.example\n"
    )


def test_the_scheduled_run_is_a_library_call(tmp_path):
    team_path = mailing_team(tmp_path, 9)
    team = load_team(team_path)
    run = ra.run_scheduled(team, RunOptions(week=WEEK, preview=False, whole_team=True))
    folder = team_path.parent / "out" / WEEK  # the week's folder in the output_dir
    assert run.folder == folder and (folder / "index.html").is_file()
    assert run.summary() == f"done: 4 of 4 reps audited; reports in {folder}"
    assert run.exit_line() is None
    from routine_audit.team.lock import run_lock

    with run_lock(team.output_dir), pytest.raises(UsageError, match="another routine-audit run"):
        ra.run_scheduled(team, RunOptions(week=WEEK))


def test_rules_check_cross_validates_from_the_library(tmp_path):
    routine = routine_file(
        tmp_path,
        "timezone: Europe/London\ncommitments:\n"
        "  - {id: extra, activity: nobody_assigns_this, unit: hours, per: week, target: 1}\n",
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: routine\nversion: 1\ncommitments: nope\n")
    seen: list = []
    result = ra.check_files([routine, broken], emit=seen.append)
    assert seen == result.lines
    levels = [line.level for line in result.lines]
    assert levels[0] == "ok" and "error" in levels
    assert any(
        line.level == "warning" and "nobody_assigns_this" in line.text for line in result.lines
    )
    assert result.exit_code == ExitCode.USAGE
    assert ra.check_files([routine]).exit_code == ExitCode.OK  # warnings only


def test_the_library_runs_and_checks_without_typer(tmp_path):
    team = mailing_team(tmp_path, 9)
    script = (
        "import sys, routine_audit as ra\n"
        "from pathlib import Path\n"
        "from routine_audit.config.load import load_team\n"
        f"path = Path({str(team)!r})\n"
        f"run = ra.run_scheduled(load_team(path), ra.RunOptions(week='{WEEK}', preview=False))\n"
        "assert ra.check_files([path]).exit_code == 0\n"
        "assert 'typer' not in sys.modules and 'click' not in sys.modules, 'Typer loaded'\n"
        "print(run.summary())\n"
    )
    env_run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(tmp_path)
    )
    assert env_run.returncode == 0, env_run.stderr
    assert env_run.stdout.startswith("done: 4 of 4 reps audited")


def test_a_page_format_registered_after_a_cached_run_is_not_written_empty(tmp_path, monkeypatch):
    """Found reviewing issue 19: the kept pages' key did not cover ``REP_PAGES``, so a
    format registered after a run (by code outside the package, which the code digest
    does not see) came from the cache without that page and was written empty."""
    from routine_audit.report import RENDERERS
    from routine_audit.team.pages import REP_PAGES, PageFormat

    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", str(tmp_path / "cache"))
    team = load_team(mailing_team(tmp_path, 9))
    options = RunOptions(week=WEEK, out=tmp_path / "first", record=False, preview=False)
    weekly.run(team, options)
    monkeypatch.setitem(RENDERERS, "toy", f"{__name__}:render_toy")
    monkeypatch.setitem(REP_PAGES, "toy", PageFormat(".toy.txt"))
    weekly.run(team, replace(options, out=tmp_path / "second"))
    page = tmp_path / "second" / "sam-at-northwind.example.toy.txt"
    assert page.read_text() == "toy page of sam@northwind.example\n"


def test_rules_check_online_of_no_team_file_notes_it_in_library_words(tmp_path):
    """Found reviewing issue 19: the library's check wrote the CLI's flag (``--online``);
    it names its parameter, and the command line shows its flag as before."""
    from typer.testing import CliRunner

    from routine_audit.cli import app

    routine = routine_file(
        tmp_path,
        "timezone: Europe/London\ncommitments:\n"
        "  - {id: calls, activity: prospecting, unit: hours, per: week, target: 1}\n",
    )
    result = ra.check_files([routine], online=True)
    notes = [line for line in result.lines if line.level == "note"]
    assert [str(n) for n in notes] == ["note: `online` reads calendars of team files only"]
    shown = CliRunner().invoke(app, ["rules", "check", str(routine), "--online"])
    assert shown.exit_code == 0
    assert "note: --online reads calendars of team files only" in shown.stderr
