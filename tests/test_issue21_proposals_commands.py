"""Issue 21 through the commands: `plan --propose [--proposals FILE]` (every format lists
the proposals with their times, the HTML calendar draws them dashed, JSON has
`ahead.proposals`), and `run` writing `<rep>-proposals.ics` beside the week-ahead page
and attaching it to each rep's mail (text/calendar).

The `plan` week is week B of tests/test_issue21_proposals.py (2027-W10, ahead of the
clock, so nothing is before "now"); its six slots are worked out there by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from conftest import mailing_team, routine_file
from jsonschema import Draft202012Validator
from test_issue21_proposals import CALENDAR_B, ROUTINE_B, TEAM_SYNC, WEEK_B, calendar_b_with
from typer.testing import CliRunner

import routine_audit as ra
from routine_audit.cli import app
from routine_audit.config.load import load_team
from routine_audit.report.json_schema import report_schema
from routine_audit.team.options import RunOptions

FILE = "rep-at-northwind.example-proposals.ics"
# (commitment, start, end), in the routine's zone (GMT in March: +00:00)
SLOTS = [
    ("early-follow-up", "2027-03-09T08:30:00+00:00", "2027-03-09T09:00:00+00:00"),
    ("research", "2027-03-09T16:00:00+00:00", "2027-03-09T17:00:00+00:00"),
    ("gym", "2027-03-11T07:00:00+00:00", "2027-03-11T08:00:00+00:00"),
    ("research", "2027-03-11T16:00:00+00:00", "2027-03-11T17:30:00+00:00"),
    ("crm", "2027-03-12T14:00:00+00:00", "2027-03-12T14:30:00+00:00"),
    ("research", "2027-03-12T16:00:00+00:00", "2027-03-12T17:00:00+00:00"),
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    calendar = tmp_path / "b.ics"
    calendar.write_text(CALENDAR_B, newline="")
    return calendar, routine_file(tmp_path, ROUTINE_B)


def _plan(files, *args: str):
    calendar, routine = files
    return CliRunner().invoke(
        app, ["plan", "--ics", str(calendar), "--routine", str(routine), "--week", WEEK_B, *args]
    )


def test_plan_propose_writes_the_file_and_the_report_lists_the_slots(files, tmp_path: Path):
    target = tmp_path / "mine.ics"
    result = _plan(files, "--propose", "--proposals", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target} (6 proposed blocks)" in result.stderr
    assert "Proposed slots (a file to import)" in result.stdout
    assert "Tue 09 Mar 16:00–17:00 research: 3 h of prospecting still to book this week" in (
        result.stdout
    )
    assert "Thu 11 Mar 07:00–08:00 gym: 1 personal time block still to book this week" in (
        result.stdout
    )
    events = icalendar.Calendar.from_ical(target.read_text()).walk("VEVENT")
    assert [(str(e["CATEGORIES"].cats[0]), e["DTSTART"].dt.isoformat()) for e in events] == [
        (c, s) for c, s, _ in SLOTS
    ]
    assert {str(e["SUMMARY"]) for e in events} == {"Prospecting", "Follow-up", "Gym", "Crm"}


def test_proposals_alone_imply_propose_and_default_beside_output(files, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    result = _plan(files, "--propose", "--format", "markdown", "--output", str(out / "w.md"))
    assert result.exit_code == 0, result.output
    assert (out / FILE).exists()  # <rep>-proposals.ics beside --output
    notes = (out / "w.md").read_text()
    assert "## Proposed slots (a file to import)" in notes
    assert "- Fri 12 Mar 14:00–14:30 crm: no admin block yet on Fri 12 Mar" in notes
    # --proposals alone asks for them too
    again = _plan(files, "--proposals", str(tmp_path / "x.ics"), "--format", "json")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "x.ics").exists()


def test_json_has_ahead_proposals_and_validates(files, tmp_path: Path):
    result = _plan(files, "--propose", "--proposals", str(tmp_path / "p.ics"), "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    Draft202012Validator(report_schema()).validate(document)
    assert document["schema_version"] == 3  # an added key: the version stays
    (rep,) = document["reps"].values()
    proposals = rep["ahead"]["proposals"]
    assert [(p["commitment"], p["start"], p["end"]) for p in proposals] == SLOTS
    assert proposals[1]["reason"] == "3 h of prospecting still to book this week"


def test_an_entry_that_cannot_be_proposed_has_null_times(tmp_path: Path):
    # week B with a Tuesday meeting 08:30-09:00: early-follow-up cannot fit
    calendar = calendar_b_with(tmp_path / "b.ics", *TEAM_SYNC)
    result = _plan(
        (calendar, routine_file(tmp_path, ROUTINE_B)),
        "--proposals",
        str(tmp_path / "p.ics"),
        "-f",
        "json",
    )
    document = json.loads(result.stdout)
    Draft202012Validator(report_schema()).validate(document)
    (rep,) = document["reps"].values()
    assert {
        "commitment": "early-follow-up",
        "start": None,
        "end": None,
        "reason": "no free 30 min inside the window on Tue 09 Mar",
    } in rep["ahead"]["proposals"]
    table = _plan((calendar, routine_file(tmp_path, ROUTINE_B)), "--propose", "--proposals",
                  str(tmp_path / "q.ics"))  # fmt: skip
    assert (
        "early-follow-up: 30 min not proposed: no free 30 min inside the window on Tue 09 Mar"
        in table.stdout
    )


def test_csv_has_the_proposed_blocks_per_commitment(files, tmp_path: Path):
    import csv
    import io

    result = _plan(files, "--propose", "--proposals", str(tmp_path / "p.ics"), "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["commitment"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["research"]["proposed"] == " ".join(
        f"{start}/{end}" for c, start, end in SLOTS if c == "research"
    )
    assert rows["gym"]["proposed"] == "2027-03-11T07:00:00+00:00/2027-03-11T08:00:00+00:00"
    assert all(r["not_proposed"] == "" for r in rows.values())
    plain = _plan(files, "-f", "csv")
    assert all(r["proposed"] == "" for r in csv.DictReader(io.StringIO(plain.stdout)))


def test_html_draws_the_proposals_as_dashed_blocks(files, tmp_path: Path):
    result = _plan(files, "--propose", "--proposals", str(tmp_path / "p.ics"), "-f", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.count('class="block faint proposed"') == 6
    assert 'stroke-dasharray="3 2"' in page
    assert "proposed: research" in page
    assert "<h2>Proposed slots (a file to import)</h2>" in page


def test_without_propose_nothing_changes(files, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _plan(files, "-f", "json")
    assert result.exit_code == 0, result.output
    (rep,) = json.loads(result.stdout)["reps"].values()
    assert "proposals" not in rep["ahead"]
    assert not list(tmp_path.glob("*-proposals.ics"))
    assert "Proposed slots" not in _plan(files).stdout


# -- run ---------------------------------------------------------------------------------

pytest.importorskip("aiosmtpd.controller")


@pytest.fixture
def smtp():
    from test_mail import start_server

    controller, handler = start_server()
    yield controller.port, handler.envelopes
    controller.stop()


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_run_writes_each_reps_proposals_and_attaches_them(tmp_path: Path, smtp):
    from test_mail import parse

    port, envelopes = smtp
    team = load_team(mailing_team(tmp_path, port))
    # the cron run of Mon 09 Nov 2026 07:00: audits 2026-W45, checks 2026-W46 ahead
    ra.run_scheduled(
        team, RunOptions(week="2026-W45", mail=True, now=datetime(2026, 11, 9, 7, tzinfo=UTC))
    )
    folder = team.path.parent / "out" / "2026-W45"
    dana = folder / "dana-at-northwind.example-proposals.ics"
    assert dana.exists() and (folder / "dana-at-northwind.example-week-ahead.html").exists()
    # Dana's week ahead (worked out in tests/test_plan_survival_run.py's notes): Tuesday's
    # prospecting 09:00-11:00 loses 10:00-11:00 to Acme, 1 h short: 11:00-12:00; Friday
    # has no follow-up (45 min): her follow-up sat at 13:30 Mon-Thu in 2026-W45, which
    # this run recorded before proposing, so 13:30-14:15 (the earliest would be 13:00)
    events = icalendar.Calendar.from_ical(dana.read_text()).walk("VEVENT")
    assert [(str(e["SUMMARY"]), e["DTSTART"].dt, e["DTEND"].dt) for e in events] == [
        ("Prospecting", _utc(2026, 11, 10, 11), _utc(2026, 11, 10, 12)),
        ("Follow-up", _utc(2026, 11, 13, 13, 30), _utc(2026, 11, 13, 14, 15)),
    ]
    page = (folder / "dana-at-northwind.example-week-ahead.html").read_text()
    assert page.count('class="block faint proposed"') == 2
    assert (
        "Tue 10 Nov 11:00–12:00 prospecting: 1 h of prospecting still to book on Tue 10 Nov" in page
    )
    mails = {envelope.rcpt_tos[0]: parse(envelope) for envelope in envelopes}
    attached = [
        (a.get_filename(), a.get_content_type(), a.get_content())
        for a in mails["dana@northwind.example"].iter_attachments()
    ]
    assert attached == [(dana.name, "text/calendar", dana.read_bytes().decode())]
    text = mails["dana@northwind.example"].get_body(("plain",)).get_content()
    assert "Proposed slots (the attached file imports them):" in text
    assert not list(mails["alex@northwind.example"].iter_attachments())  # the manager: none


def test_the_attachment_says_its_charset_and_method():
    # a title from a rule's keyword need not be ASCII: without a charset the mail reader
    # takes the attachment for US-ASCII and mangles it; method=PUBLISH says it is a
    # calendar to import, not an invitation to answer
    from routine_audit.mail import MailSettings, Message, build
    from routine_audit.proposals import Proposals, ProposedBlock
    from routine_audit.team.proposals import proposal_attachment

    block = ProposedBlock(
        commitment="prospecting",
        activity="prospecting",
        start=_utc(2027, 3, 9, 9),
        end=_utc(2027, 3, 9, 10),
        title="Prospección",
        reason="1 h of prospecting still to book on Tue 09 Mar",
        slot="2027-03-09#1",
    )
    made = {"rep@northwind.example": Proposals("rep@northwind.example", WEEK_B, (block,), ())}
    attached = proposal_attachment(made, "rep@northwind.example", _utc(2027, 3, 5))
    mail = build(
        MailSettings(host="localhost", sender="audit@northwind.example"),
        Message(to="rep@northwind.example", subject="s", text="t", attachments=attached),
    )
    (part,) = mail.iter_attachments()
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("charset") == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename() == FILE
    assert "SUMMARY:Prospección\r\n" in part.get_content()


def test_the_proposals_never_overwrite_an_input_or_the_report(files, tmp_path: Path):
    calendar, routine = files
    before = calendar.read_bytes()
    # the calendar itself, the report's own file, and a file in a folder --ics reads
    # (the next check would count the proposed blocks as booked): one-line errors
    cases = [
        (["--ics", str(calendar), "--proposals", str(calendar)], "is a calendar --ics reads"),
        (
            ["--ics", str(calendar), "--output", str(tmp_path / "w.ics"), "--proposals",
             str(tmp_path / "w.ics")],
            "is the report's --output too",
        ),
        (["--ics", str(tmp_path), "--proposals", str(tmp_path / "p.ics")], "--ics reads"),
        (["--ics", str(tmp_path), "--propose", "--output", str(tmp_path / "w.md")], "--ics reads"),
    ]  # fmt: skip
    for args, words in cases:
        result = CliRunner().invoke(
            app, ["plan", "--routine", str(routine), "--week", WEEK_B, *args]
        )
        assert result.exit_code == 2, (args, result.output)
        (line,) = result.stderr.strip().splitlines()[:1]
        assert line.startswith("routine-audit: error: ") and words in line, line
        assert "Traceback" not in result.output
    assert calendar.read_bytes() == before
    assert not (tmp_path / "p.ics").exists() and not (tmp_path / FILE).exists()
