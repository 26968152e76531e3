"""Issue 17, section 3: `rules check` says what it checked, lists every problem of a
file in our words, and warns about the starter's placeholder address (so does `audit`)."""

from __future__ import annotations

import shutil

import yaml
from conftest import FIXTURES
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

runner = CliRunner()
SAMPLE = package_data("sample")
STARTER_ADDRESS = "you@example.com"  # the starter routine's placeholder
PYDANTIC_WORDING = ("Input should", "should have at least", "Value error", "valid tuple")


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_a_team_check_says_what_it_checked(tmp_path):
    result = invoke("rules", "check", SAMPLE / "team.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"ok: {SAMPLE / 'team.yaml'} (team Northwind Sample Team: 4 reps, 4 routines, "
        "rules: the shipped rules, calendars: 4 .ics calendars found)\n"
    )
    # calendars it cannot see without reading them: counted, and said so
    for name in ("team-default.yaml", "dana.yaml", "dana.ics"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    (tmp_path / "rules.yaml").write_text(
        "kind: rules\nversion: 1\nrules:\n"
        "  - {name: calls, activity: prospecting, match: {keywords: [call]}}\n"
    )
    (tmp_path / "team.yaml").write_text(
        "kind: team\nversion: 1\nname: Mixed\ntimezone: Europe/London\n"
        "routine: team-default.yaml\nrules: rules.yaml\nreps:\n"
        "  - {email: dana@northwind.example, calendar: {ics: dana.ics}, routine: dana.yaml}\n"
        "  - {email: lee@northwind.example, calendar: {ics: 'https://cal.example/f.ics'}}\n"
        "  - {email: kim@northwind.example, calendar: {google: primary}}\n"
    )
    result = invoke("rules", "check", tmp_path / "team.yaml")
    assert result.exit_code == 0, result.output
    assert "team Mixed: 3 reps, 2 routines, rules: 1 rules file, calendars: " in result.stdout
    assert (
        "1 .ics calendar found, 1 feed and 1 Google calendar (--online reads them)" in result.stdout
    )


BROKEN_TEAM = """\
kind: team
version: 1
name: T
timezone: Europe/Lndon
google: {token: 5, servce_account: x}
mail: {host: h, port: 99999, security: tls, from: a@b.example}
reps: []
"""


def test_every_problem_of_a_file_is_listed_in_our_words(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text(BROKEN_TEAM)
    result = invoke("rules", "check", team)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        # a misspelt field first: it is usually the cause of the others
        f"error: {team}:5: google.servce_account: unknown field 'servce_account'; "
        "check its spelling",
        f"error: {team}:4: timezone: 'Europe/Lndon' is not a known time zone; use an IANA name",
        f"error: {team}:5: google.token: expected text",
        f"error: {team}:6: mail.port: must be 65535 or less",
        f"error: {team}:6: mail.security: expected 'starttls', 'ssl' or 'none'",
        f"error: {team}:7: reps: list at least one rep",
    ]


def test_items_with_problems_are_not_also_too_few(tmp_path):
    # four reps, each wrong in its own way: pydantic adds "at least 1 item" (it counts
    # the valid ones); that is noise beside the reps' own problems
    team = tmp_path / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: Europe/London\nroutine: r.yaml\nreps:\n"
        "  - {email: a@b.example, calendar: {ics: [1, {a: b}]}}\n"
        "  - {email: c@b.example, calendar: {}}\n"
        "  - {email: d@b.example, calendar: {google: x}, share_titles: sometimes}\n"
        "  - 7\n"
    )
    result = invoke("rules", "check", team)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {team}:7: reps[0].calendar.ics: expected text or a list of texts",
        # issue 18: a calendar is {type: NAME, ...}; the short forms are still taken
        f"error: {team}:8: reps[1].calendar: give type: (e.g. {{type: ics, location: "
        "PATH_OR_URL}), or exactly one of ics: or google:",
        f"error: {team}:9: reps[2].share_titles: expected true or false",
        f"error: {team}:10: reps[3]: expected a mapping (key: value lines)",
    ]


def test_routine_and_rules_problems_are_ours_too(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "kind: rules\nversion: 1\nrules:\n"
        "  - {name: a, activity: calls, match: {keywords: x, attendees: {min: z}}}\n"
        "  - {name: b}\n"
    )
    routine = tmp_path / "routine.yaml"
    routine.write_text(
        "kind: routine\nversion: 1\ntimezone: Europe/London\nrep: {email: a@b.example}\n"
        "holidays: [soon]\ncommitments:\n"
        "  - {id: p, activity: prospecting, unit: hour, target: 0, min_block: x}\n"
    )
    result = invoke("rules", "check", rules, routine)
    assert result.exit_code == 2
    text = result.stderr
    for wording in PYDANTIC_WORDING:
        assert wording not in text
    assert f"{rules}:4: rules[0].match.keywords: expected a list, e.g. [a, b]" in text
    assert f"{rules}:4: rules[0].match.attendees.min: expected a whole number" in text
    assert f"{rules}:5: rules[1].activity: required field is missing" in text
    assert f"{rules}:5: rules[1].match: required field is missing" in text
    assert f"{routine}:5: holidays[0]: expected a date, YYYY-MM-DD" in text
    assert f"{routine}:7: commitments[0].target: must be more than 0" in text
    assert f"{routine}:7: commitments[0].min_block: expected a whole number" in text
    assert "commitments[0].unit: expected 'hours', 'blocks' or 'meetings'" in text
    assert len(text.splitlines()) == 8


def test_other_commands_name_the_first_problem_and_how_many_more(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text(BROKEN_TEAM)
    result = invoke("team", "audit", "--config", team)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line == (
        f"routine-audit: error: {team}:5: google.servce_account: unknown field "
        "'servce_account'; check its spelling (and 5 more problems; rules check lists them all)"
    )


def test_the_placeholder_is_the_starters_address():
    from routine_audit.config import check

    assert check.STARTER_ADDRESS == STARTER_ADDRESS
    starter = yaml.safe_load(package_data("starter_routine.yaml").read_text())
    assert starter["rep"]["email"] == STARTER_ADDRESS


def test_the_starters_placeholder_address_gets_a_warning(tmp_path):
    assert invoke("rules", "init", tmp_path).exit_code == 0
    routine = tmp_path / "routine.yaml"
    result = invoke("rules", "check", routine, tmp_path / "rules.yaml")
    assert result.exit_code == 0  # a warning, not an error
    warning = f"warning: {routine}: rep.email is still the starter's placeholder {STARTER_ADDRESS}"
    assert warning in result.stderr
    audited = invoke(
        "audit", "--routine", routine, "--ics", FIXTURES / "overlaps.ics", "--week", "2026-W45"
    )
    assert audited.exit_code in (0, 1), audited.output
    assert f"routine-audit: {warning}" in audited.stderr
    # with the rep's own address, no warning
    routine.write_text(routine.read_text().replace(STARTER_ADDRESS, "dana@northwind.example"))
    again = invoke("rules", "check", routine)
    assert again.exit_code == 0 and "placeholder" not in again.stderr


def test_a_reps_routine_with_several_problems_lists_each(tmp_path):
    # the team file is fine; one rep's routine has two problems: both listed under the rep
    shutil.copy(SAMPLE / "dana.ics", tmp_path / "dana.ics")
    (tmp_path / "lee.yaml").write_text(
        "kind: routine\nversion: 1\ntimezone: Europe/London\nrep: {email: lee@b.example}\n"
        "share_titles: maybe\ncommitments:\n  - {id: p, activity: prospecting, target: 0}\n"
    )
    team = tmp_path / "team.yaml"
    team.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: Europe/London\nreps:\n"
        "  - {email: lee@b.example, calendar: {type: ics, location: dana.ics}, routine: lee.yaml}\n"
    )
    result = invoke("rules", "check", team)
    assert result.exit_code == 2
    routine = tmp_path / "lee.yaml"
    assert result.stderr.splitlines() == [
        f"error: {team}: lee@b.example: {routine}:5: share_titles: expected true or false",
        f"error: {team}: lee@b.example: {routine}:7: commitments[0].target: must be more than 0",
    ]
