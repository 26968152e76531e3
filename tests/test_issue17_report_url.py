"""Issue 17, section 4: the team file's `report_url:` (where output_dir is served) makes
`run`'s mails link the manager to the team page and every rep's page, and each rep to
their own page alone, in the text and the HTML part. Without it the mails are as
before. Through `routine-audit run` against the loopback SMTP server of test_mail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_mail import parse, start_server
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

pytest.importorskip("aiosmtpd.controller")

runner = CliRunner()
WEEK = "2026-W45"
MANAGER = "alex@northwind.example"
BASE = "https://intranet.example/sales/reports"
# the sample team's reps, and the name of each one's page in <output_dir>/<ISO week>/
PAGES = {
    "dana@northwind.example": "dana-at-northwind.example.html",
    "morgan@northwind.example": "morgan-at-northwind.example.html",
    "riley@northwind.example": "riley-at-northwind.example.html",
    "sam@northwind.example": "sam-at-northwind.example.html",
}
URL = re.compile(r"https?://[^\s\"<>)]+")


@pytest.fixture
def smtp():
    controller, handler = start_server()
    yield controller.port, handler.envelopes
    controller.stop()


def _team(folder: Path, port: int, extra: str = "") -> Path:
    shutil.copytree(package_data("sample"), folder)
    path = folder / "team.yaml"
    path.write_text(
        path.read_text()
        + extra
        + "output_dir: out\ndb: history.sqlite\n"
        + f"mail: {{host: 127.0.0.1, port: {port}, security: none, "
        + "from: ra@northwind.example, to_reps: true}\n"
    )
    return path


def _run(team: Path, *more: str):
    result = runner.invoke(app, ["run", "--config", str(team), "--week", WEEK, *more])
    assert result.exit_code == 0, result.output
    return result


def _mails(envelopes) -> dict[str, tuple[str, str]]:
    """recipient -> (text part, HTML part) of what went over the wire."""
    mails = {}
    for envelope in envelopes:
        message = parse(envelope)  # CRLF line ends as plain newlines
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        mails[envelope.rcpt_tos[0]] = (text, html)
    return mails


def _urls(text: str) -> list[str]:
    return URL.findall(text)


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="(https?://[^"]*)"', html)


@pytest.mark.parametrize("written", [BASE, BASE + "/", BASE + "//"])
def test_the_manager_gets_the_team_page_and_every_reps_page(tmp_path, smtp, written):
    port, envelopes = smtp
    team = _team(tmp_path / "team", port, f"report_url: {written}\n")
    _run(team)
    text, html = _mails(envelopes)[MANAGER]
    # one slash between the parts, however many the file's address ends with
    team_page = "https://intranet.example/sales/reports/2026-W45/index.html"
    reps = [f"https://intranet.example/sales/reports/2026-W45/{page}" for page in PAGES.values()]
    assert _urls(text) == [team_page, *reps]
    assert _hrefs(html) == [team_page, *reps]
    assert text.startswith(
        "The reports online:\n"
        f"- Team page: {team_page}\n"
        f"- Dana Exampleton: {reps[0]}\n"
        f"- Morgan Fixture: {reps[1]}\n"
        f"- Riley Sampleford: {reps[2]}\n"
        f"- Sam Demoson: {reps[3]}\n\n"
        f"# Northwind Sample Team: team roll-up {WEEK}\n"
    )
    assert f'<a href="{team_page}">Team page</a>' in html
    # every link is a page the run wrote, where output_dir/<ISO week>/ holds it
    folder = tmp_path / "team" / "out" / WEEK
    for url in [team_page, *reps]:
        assert (folder / url.rpartition("/")[2]).is_file()


def test_each_rep_gets_their_own_page_and_no_other(tmp_path, smtp):
    port, envelopes = smtp
    team = _team(tmp_path / "team", port, f"report_url: {BASE}/\n")
    _run(team)
    mails = _mails(envelopes)
    for email, page in PAGES.items():
        text, html = mails[email]
        own = f"{BASE}/{WEEK}/{page}"
        assert _urls(text) == [own], email
        assert _hrefs(html) == [own], email
        assert text.startswith(f"Online, as your manager sees it:\n- Your page: {own}\n\n# ")


def test_the_pages_linked_are_the_managers_view(tmp_path, smtp):
    """The pages run writes (and the mails link to) are manager-audience: Dana does not
    share titles, so her page never shows her events' titles (her own mail does)."""
    port, envelopes = smtp
    team = _team(tmp_path / "team", port, f"report_url: {BASE}\n")
    _run(team)
    page = (tmp_path / "team" / "out" / WEEK / PAGES["dana@northwind.example"]).read_text()
    _, own_html = _mails(envelopes)["dana@northwind.example"]
    titles = ["Initech QBR", "Hooli account sync", "Globex weekly check-in"]  # in dana.ics
    assert all(title in own_html for title in titles)  # her own mail draws her week
    assert not any(title in page for title in titles)
    assert "manager, event titles hidden" in page


def test_file_names_are_percent_encoded_in_the_links(tmp_path, smtp):
    port, envelopes = smtp
    # a rep whose address has a "+" (the team's default routine, Dana's calendar)
    team = _team(tmp_path / "team", port, f"report_url: {BASE}\n")
    text = team.read_text().replace(
        "reps:\n",
        "reps:\n  - {email: lee+sales@northwind.example, name: 'Lee & <Co>', "
        "calendar: {ics: dana.ics}}\n",
    )
    team.write_text(text)
    _run(team)
    mails = _mails(envelopes)
    own = f"{BASE}/{WEEK}/lee%2Bsales-at-northwind.example.html"  # "+" is %2B
    assert _urls(mails["lee+sales@northwind.example"][0]) == [own]
    assert f"- Lee & <Co>: {own}\n" in mails[MANAGER][0]
    assert f'<li><a href="{own}">Lee &amp; &lt;Co&gt;</a></li>' in mails[MANAGER][1]
    assert (tmp_path / "team" / "out" / WEEK / "lee+sales-at-northwind.example.html").is_file()


def test_without_report_url_the_mails_are_as_before(tmp_path, smtp):
    port, envelopes = smtp
    _run(_team(tmp_path / "plain", port))
    plain = _mails(envelopes)
    envelopes.clear()
    _run(_team(tmp_path / "served", port, f"report_url: {BASE}\n"))
    served = _mails(envelopes)
    assert plain.keys() == served.keys() == {MANAGER, *PAGES}
    for recipient, (text, html) in plain.items():
        assert "intranet.example" not in text + html
        assert "report-links" not in html
        # the same mail, less the links block before the report (and the routine's path
        # the reports name)
        served_text, served_html = (
            part.replace(str(tmp_path / "served"), str(tmp_path / "plain"))
            for part in served[recipient]
        )
        assert served_text.endswith(text) and served_text != text
        block = re.search(r'\n<nav class="report-links">.*?</nav>', served_html, re.DOTALL)
        assert served_html.replace(block.group(0), "") == html
    assert plain[MANAGER][0].startswith(f"# Northwind Sample Team: team roll-up {WEEK}\n")


def test_a_run_written_elsewhere_warns_that_the_links_may_not_match(tmp_path, smtp):
    port, envelopes = smtp
    team = _team(tmp_path / "team", port, f"report_url: {BASE}\n")
    log = tmp_path / "run.log"
    _run(team, "--out", str(tmp_path / "elsewhere"), "--log", str(log))
    warning = next(line for line in log.read_text().splitlines() if "report_url" in line)
    assert warning == (
        f"warning: report_url: the reports were written to {tmp_path / 'elsewhere'}, not "
        f"{tmp_path / 'team' / 'out' / WEEK}; the mail links to {BASE}/{WEEK}/index.html, "
        "which may not be them"
    )
    assert f"{BASE}/{WEEK}/index.html" in _mails(envelopes)[MANAGER][0]
    # the default folder: no warning
    log.unlink()
    _run(team, "--log", str(log), "--resend")
    assert "report_url" not in log.read_text()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://x", "expected an http:// or https:// address, e.g. "),
        ("not a url", "expected an http:// or https:// address, e.g. "),
        ("https://", "expected an http:// or https:// address, e.g. "),
        ("https://alex:pw@intranet.example/r/", "must not hold a user name or password"),
        ("https://intranet.example/r/?week=1", "must not have a query (?) or fragment (#)"),
        ("https://intranet.example:99999/r/", "the port is not a number from 1 to 65535"),
    ],
)
def test_rules_check_refuses_an_address_that_is_not_http(tmp_path, value, message):
    team = _team(tmp_path / "team", 25, f"report_url: {value}\n")
    result = runner.invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 2, result.output
    line = next(line for line in team.read_text().splitlines() if line.startswith("report_url"))
    number = team.read_text().splitlines().index(line) + 1
    assert result.stderr.startswith(f"error: {team}:{number}: report_url: {message}")
    assert len(result.stderr.splitlines()) == 1


def test_rules_check_accepts_an_http_address(tmp_path):
    team = _team(tmp_path / "team", 25, "report_url: http://intranet.example/sales/reports/\n")
    result = runner.invoke(app, ["rules", "check", str(team)])
    assert result.exit_code == 0, result.output
