"""Issue 17, section 2: one story per commitment and day.

The gym case, week 2026-W45, Europe/London: the gym (personal, protected, one block of
at least 60 min on Mondays, window 07:00–08:30) is booked Mon 02 Nov 07:00–08:00, and a
client meeting 07:00–08:30 takes all of it (a meeting beats a routine block, so the gym
counts 0 s of its 3600 s). The audit makes four findings about that one gap:
- protected_overlap: the block, overlapped for 1 h (3600 s) by the meeting;
- protected_overlap: no gym block left that day, and the meeting fills its window
  (5400 s, 07:00–08:30);
- missing_block: no block of at least 60 min starts that day;
- under_target: 0 of 1 block this week (1 committed day x 1 block).
Every human-readable report tells them once, as one line naming the meeting.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from conftest import routine_file, sample_audit
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data
from routine_audit.report.coaching import QUESTIONS
from routine_audit.report.stories import KINDS, kind_of
from routine_audit.wording import day_text

runner = CliRunner()
WEEK = "2026-W45"
MONDAY = day_text(date(2026, 11, 2))  # the reports' date style (section 1 owns it)
ROUTINE = (
    "timezone: Europe/London\n"
    'working_hours: {weekdays: "09:00-17:00"}\n'
    "commitments:\n"
    "  - {id: gym, activity: personal, unit: blocks, per: day, target: 1, min_block: 60,\n"
    "     protected: true, window: {days: [mon], start: '07:00', end: '08:30'}}\n"
)
CLIENT = (
    "ORGANIZER:mailto:buyer@acme.example\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@northwind.example\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@acme.example\n"
)
EVENT = """BEGIN:VEVENT
UID:{uid}@test
DTSTAMP:20261001T000000Z
DTSTART;TZID=Europe/London:{start}
DTEND;TZID=Europe/London:{end}
SUMMARY:{title}
{extra}END:VEVENT
"""
STORY = f"{MONDAY} gym 07:00–08:00: fully displaced by {{who}} 07:00–08:30; 0 of 1 block"
# the findings' own words, each once a line of its own: never a line now
RETOLD = (
    "other events fill its window",
    "overlapped for 1 h by 1 other event",
    "0 blocks scheduled of 1 block committed",
    "no personal block of at least 60 min starts this day",
)


def calendar(tmp_path, *, private: bool = False):
    meeting_extra = CLIENT + ("CLASS:PRIVATE\n" if private else "")
    events = [
        EVENT.format(uid="gym", start="20261102T070000", end="20261102T080000", title="Gym",
                     extra=""),
        EVENT.format(uid="acme", start="20261102T070000", end="20261102T083000",
                     title="Acme breakfast", extra=meeting_extra),
    ]  # fmt: skip
    path = tmp_path / "week.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n" + "".join(events) + "END:VCALENDAR\n"
    )
    return path


def audit(tmp_path, fmt: str, *extra: str, share_titles=False, private=False) -> str:
    body = ROUTINE + (f"share_titles: {str(share_titles).lower()}\n")
    args = ["audit", "--ics", str(calendar(tmp_path, private=private))]
    args += ["--routine", str(routine_file(tmp_path, body)), "--week", WEEK, "--format", fmt]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def plain(text: str) -> str:
    """Markdown's bold and HTML's tags gone, whitespace made single: the words as read."""
    text = re.sub(r"<[^>]+>", "", text.replace("**", ""))
    return " ".join(text.split())


def test_the_gym_gap_is_one_line_in_the_terminal(tmp_path):
    text = audit(tmp_path, "table")
    assert text.count(f"{MONDAY} gym") == 1
    # the line, as the terminal wraps it
    assert STORY.format(who='"Acme breakfast"') + " committed this week" in plain(text)
    for words in RETOLD:
        assert words not in text, words
    # its evidence under it: the gym block and the meeting, each once
    assert text.count("obstacle") == 1 and text.count("evidence ") == 1
    assert "Gaps (1, from 4 findings)" in text


def test_the_gym_gap_is_one_line_in_markdown(tmp_path):
    text = audit(tmp_path, "markdown")
    lines = [line for line in text.splitlines() if f"{MONDAY} gym" in line]
    assert len(lines) == 1, lines
    assert STORY.format(who='"Acme breakfast"') in plain(lines[0])
    for words in RETOLD:
        assert words not in text, words
    # the evidence table: the block and the meeting, once each
    rows = [line for line in text.splitlines() if line.startswith("| Personal priority")]
    assert [row.split(" | ")[1] for row in rows] == ["evidence", "obstacle"]


def test_the_gym_gap_is_one_line_in_html(tmp_path):
    text = audit(tmp_path, "html")
    items = re.findall(r"<li title=[^>]*>(.*?)</li>", text, flags=re.S)  # the gaps
    gym = [plain(item) for item in items if f"{MONDAY} gym" in item]
    assert len(gym) == 1, gym
    # jinja escapes the quotes around the title
    assert STORY.format(who="&#34;Acme breakfast&#34;") in gym[0]
    for words in RETOLD:
        assert words not in text, words


def test_json_stories_point_at_their_findings_and_match_the_schema(tmp_path):
    document = json.loads(audit(tmp_path, "json"))
    rep = document["reps"]["rep@northwind.example"]
    findings, stories = rep["findings"], rep["stories"]
    assert len(findings) == 4  # kept as they are
    [story] = stories
    assert (story["commitment"], story["date"]) == ("gym", "2026-11-02")
    assert story["findings"] == [0, 1, 2, 3]
    kinds = sorted(findings[i]["kind"] for i in story["findings"])
    assert kinds == ["missing_block", "protected_overlap", "protected_overlap", "under_target"]
    assert story["text"].startswith(STORY.format(who='"Acme breakfast"'))
    schema = json.loads(package_data("report.schema.json").read_text())
    errors = list(Draft202012Validator(schema).iter_errors(document))
    assert not errors, errors[0].message
    assert document["schema_version"] == 3  # stories were compatible; 3 is issue 20


def test_a_manager_story_names_no_private_title(tmp_path):
    # titles shared, but the meeting is private: named by its activity and time
    text = audit(tmp_path, "markdown", "--audience", "manager", share_titles=True, private=True)
    assert "Acme" not in text
    assert STORY.format(who="a client meeting") in plain(text)
    document = json.loads(
        audit(tmp_path, "json", "--audience", "manager", share_titles=True, private=True)
    )
    [story] = document["reps"]["rep@northwind.example"]["stories"]
    assert story["text"].startswith(STORY.format(who="a client meeting"))


def test_a_manager_story_names_a_shared_title(tmp_path):
    text = audit(tmp_path, "table", "--audience", "manager", share_titles=True)
    assert STORY.format(who='"Acme breakfast"') in plain(text)


def test_titles_hidden_from_a_manager_by_default(tmp_path):
    text = audit(tmp_path, "table", "--audience", "manager")
    assert "Acme" not in text
    assert STORY.format(who="a client meeting") in plain(text)


# -- the capped questions ---------------------------------------------------------------

SAMPLE = package_data("sample")


def sample(name: str, fmt: str) -> str:
    args = ["audit", "--ics", str(SAMPLE / f"{name}.ics"), "--routine"]
    args += [str(SAMPLE / f"{name}.yaml"), "--week", WEEK, "--format", fmt]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_capped_questions_say_how_many_gaps_are_left_to_the_full_report():
    # Riley's gaps with questions, most pressing first, one question set per subject:
    # the late meeting (limit_broken), follow-up (under target, 13%), prospecting (under
    # target, 30%), reactive booking: 4; the terminal asks about 3, so 1 is left
    text = sample("riley", "table")
    assert "1 more gap has questions in the full report" in text
    assert "Many meetings were booked at short notice" not in text
    # and the full report asks it
    assert "Many meetings were booked at short notice" in sample("riley", "markdown")


def test_no_line_when_every_gap_is_asked_about():
    # Dana: one gap (follow-up on Fri 06 Nov) with questions
    assert "questions in the full report" not in sample("dana", "table")


# -- the table of kinds ---------------------------------------------------------------


def test_every_finding_kind_has_one_reading_and_an_unknown_kind_fails_loudly():
    schema = json.loads(package_data("report.schema.json").read_text())
    kinds = schema["$defs"]["finding"]["properties"]["kind"]["enum"]
    assert set(KINDS) == set(kinds) == set(QUESTIONS)
    assert sorted(k.rank for k in KINDS.values()) == list(range(len(KINDS)))
    with pytest.raises(ValueError, match="no story reading for finding kind 'made_up'"):
        kind_of("made_up")


# Review of issue 17, what a person reads (was test_review17_reading.py)


def test_the_findings_heading_counts_gaps_and_says_when_findings_were_gathered(demo_reports):
    text, _ = demo_reports
    assert "Gaps (1, from 2 findings)" in text  # Dana: Friday's follow-up
    assert "Gaps (3)\n" in text  # Morgan: one finding per gap
    assert "told as" not in text and "Findings (" not in text


def test_days_with_nothing_booked_are_told_in_the_weeks_story(demo_reports):
    text, out = demo_reports
    # Riley: 14 findings; the four empty follow-up days and two empty prospecting days
    # were six lines of their own under a week's line that listed them already
    assert "Gaps (7, from 14 findings)" in text
    flat = " ".join(text.split())
    assert (
        "follow-up this week: 30 min scheduled of 3 h 45 min committed; short on Mon 02 Nov, "
        "Tue 03 Nov, Wed 04 Nov, Thu 05 Nov, Fri 06 Nov; nothing booked on Mon 02 Nov, "
        "Wed 04 Nov, Thu 05 Nov, Fri 06 Nov"
    ) in flat
    assert "nothing booked on Thu 05 Nov, Fri 06 Nov; 2 blocks shorter than 60 min" in flat
    riley = text.split("Riley Sampleford <")[1].split("Sam Demoson <")[0]
    assert "no follow-up time on the calendar" not in riley
    markdown = (out / "riley-at-northwind.example.md").read_text()
    assert "no follow-up time on the calendar" not in markdown
    # JSON still keeps every finding, each in one story
    report = json.loads(sample_audit("riley", "--format", "json", "--audience", "manager"))
    (report,) = report["reps"].values()
    told = sorted(i for story in report["stories"] for i in story["findings"])
    assert told == list(range(len(report["findings"]))) and len(report["stories"]) == 7


def test_a_single_empty_day_still_carries_the_weeks_figure(demo_reports):
    text, _ = demo_reports
    flat = " ".join(text.split())
    assert (
        "Fri 06 Nov follow-up: no follow-up time on the calendar; "
        "3 h of 3 h 45 min committed this week"
    ) in flat
