"""Issue 16: control characters in calendar text and server text never reach a terminal,
log, Markdown, CSV or HTML page raw. The owner sees them made visible (``\\x1b``, a
trailing space as ``␠``); a manager's view names only what was withheld (the title),
the row giving the date and time; a log keeps no server text that holds one."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from conftest import rep_files
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config import package_data

runner = CliRunner()
WEEK = "2026-W45"  # Mon 02 Nov 2026 - Sun 08 Nov 2026, New York is UTC-5 all week
ESC, BEL, CR = "\x1b", "\x07", "\r"
CLEAR = "Call\x1b[2J\x1b]0;pwned\x07 "  # clears the screen, retitles the window, trailing space
CLEAR_SHOWN = "Call\\x1b[2J\\x1b]0;pwned\\x07␠"
MARKUP = "[bold red]boss[/] | x"  # rich markup and a Markdown table cell break
HEADING = "# Heading?"
BARE_CR = "Bare\rCR"  # a carriage return inside a title: rewrites a terminal line
WITHHELD = "(title withheld: control characters)"


def _meeting(uid: str, day: int, summary: str) -> list[str]:
    """A meeting 23:30-00:30Z: 18:30-19:30 in New York, breaking "no meetings after 18:00",
    so the title is the limit's evidence in the report."""
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:202611{day:02d}T233000Z",
        f"DTEND:202611{day + 1:02d}T003000Z",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@acme.example",
        "ORGANIZER:mailto:rep@northwind.example",
        f"SUMMARY:{summary}",
        "END:VEVENT",
    ]


CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        *_meeting("a@x", 2, CLEAR),
        *_meeting("b@x", 3, MARKUP),
        *_meeting("c@x", 4, HEADING),
        *_meeting("d@x", 5, BARE_CR),
        "END:VCALENDAR",
        "",
    ]
)
RAW = (ESC, BEL, CR)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return rep_files(tmp_path, CALENDAR.encode())  # the bare CR kept as it is


def _invoke(command: str, *args: str, routine: str = "routine.yaml"):
    return runner.invoke(
        app, [command, "--ics", "cal.ics", "--routine", routine, "--week", WEEK, *args]
    )


def _no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} in output"


# -- the rule itself ------------------------------------------------------------------


def test_visible_and_the_manager_policy():
    from routine_audit.visible import all_plain, for_manager, visible

    assert visible("Plain title") == "Plain title"
    assert visible(CLEAR) == CLEAR_SHOWN
    assert visible("a\u202eb  ") == "a\\u202eb␠␠"  # a bidi override; two trailing spaces
    assert visible("no-break\xa0space 👩\u200d💻") == "no-break\xa0space 👩\u200d💻"
    assert for_manager(CLEAR, "title") == WITHHELD
    assert for_manager("Gym ", "title") == "Gym␠"
    assert all_plain(["a", "b c"]) and not all_plain(["a ", "b"]) and not all_plain(["\x1b"])


# -- the owner's views: made visible --------------------------------------------------


def test_owner_terminal_report_shows_control_characters_made_visible(files):
    result = _invoke("audit")
    _no_raw_controls(result.stdout)
    assert CLEAR_SHOWN in result.stdout
    assert "Bare\\x0dCR" in result.stdout
    assert MARKUP in result.stdout  # printed as text: rich markup is off
    assert HEADING in result.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_owner_events_list_shows_control_characters_made_visible(files, fmt):
    result = _invoke("events", "--format", fmt)
    _no_raw_controls(result.stdout)
    if fmt == "json":
        titles = [row["summary"] for row in json.loads(result.stdout)]
        assert titles == [CLEAR_SHOWN, MARKUP, HEADING, "Bare\\x0dCR"]
    else:
        assert CLEAR_SHOWN in result.stdout and "Bare\\x0dCR" in result.stdout


def test_owner_markdown_keeps_tables_and_headings_whole(files):
    result = _invoke("audit", "--format", "markdown")
    _no_raw_controls(result.stdout)
    rows = [line for line in result.stdout.splitlines() if line.startswith("| Agreed limit")]
    assert len(rows) == 4
    for row in rows:  # six cells each: seven pipes that are not escaped
        assert len(re.findall(r"(?<!\\)\|", row)) == 7, row
    assert "Call\\\\x1b\\[2J" in rows[0]  # the backslash escaped: Markdown shows \x1b
    assert "\\# Heading?" in rows[2]
    assert not any(line.startswith("# Heading") for line in result.stdout.splitlines())


def test_owner_html_page_holds_no_control_character(files):
    result = _invoke("audit", "--format", "html")
    _no_raw_controls(result.stdout)
    assert CLEAR_SHOWN in result.stdout


# -- a manager's views: withheld, date and time kept -----------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json"])
def test_manager_sees_no_title_that_holds_control_characters(files, fmt):
    result = _invoke("audit", "--audience", "manager", "--format", fmt, routine="shared.yaml")
    _no_raw_controls(result.stdout)
    assert "pwned" not in result.stdout and "Bare" not in result.stdout
    assert WITHHELD in result.stdout
    if fmt == "table":
        assert f"Mon 02 Nov 18:30–19:30 (1 h)  {WITHHELD}" in result.stdout
        assert MARKUP in result.stdout  # a shared title without control characters


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_manager_events_list_withholds_titles_with_control_characters(files, fmt):
    result = _invoke("events", "--audience", "manager", "--format", fmt, routine="shared.yaml")
    _no_raw_controls(result.stdout)
    assert "pwned" not in result.stdout and "Bare" not in result.stdout
    assert result.stdout.count("withheld") == 2  # the table may wrap the words after it


# -- server text: HTTP reasons --------------------------------------------------------


@contextmanager
def _server(reply: bytes) -> Iterator[str]:
    """A loopback server that answers every request with ``reply``."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def run() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(reply)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/cal.ics"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


HOSTILE_REASON = b"HTTP/1.1 500 Oops\x1b]0;pwned\x07\x1b[2J\r\nContent-Length: 0\r\n\r\n"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _feed_audit(url: str, *args: str):
    return runner.invoke(
        app, ["audit", "--ics", url, "--routine", "routine.yaml", "--week", WEEK, *args]
    )


def test_an_http_reason_reaches_the_owner_made_visible(files):
    with _server(HOSTILE_REASON) as url:
        result = _feed_audit(url)
    assert result.exit_code == 2
    _no_raw_controls(result.stderr)
    assert "the server answered HTTP 500 Internal Server Error" in result.stderr
    assert "Oops\\x1b]0;pwned\\x07\\x1b[2J" in result.stderr


def test_an_http_reason_never_reaches_a_manager(files):
    with _server(HOSTILE_REASON) as url:
        result = _feed_audit(url, "--audience", "manager")
    assert result.exit_code == 2
    _no_raw_controls(result.stderr)
    assert "pwned" not in result.stderr and "Oops" not in result.stderr
    assert "the server answered HTTP 500 Internal Server Error" in result.stderr


@pytest.fixture
def feed_team(tmp_path, monkeypatch):
    """The sample team; Dana's calendar is a feed whose server answers ``HOSTILE_REASON``."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)

    def using(url: str):
        path = folder / "team.yaml"
        text = path.read_text().replace("{type: ics, location: dana.ics}", "{ics: '" + url + "'}")
        path.write_text(text + "output_dir: out\n")
        return path

    return using


def _every_file_text(folder) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_team_run_logs_and_rolls_up_no_server_text(feed_team, tmp_path):
    log = tmp_path / "run.log"
    with _server(HOSTILE_REASON) as url:
        team = feed_team(url)
        result = runner.invoke(
            app,
            ["run", "--no-mail", "--config", str(team), "--week", WEEK,
             "--db", str(tmp_path / "h.sqlite"), "--log", str(log)],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    written = log.read_text(encoding="utf-8") + _every_file_text(team.parent / "out")
    _no_raw_controls(written + result.output)
    assert "pwned" not in written and "Oops" not in written
    assert "dana@northwind.example FAILED: " in log.read_text()
    assert "HTTP 500 Internal Server Error" in log.read_text()


def test_a_team_audit_roll_up_shows_no_server_text(feed_team, tmp_path):
    with _server(HOSTILE_REASON) as url:
        team = feed_team(url)
        result = runner.invoke(app, ["team", "audit", "--config", str(team), "--week", WEEK])
    assert result.exit_code == 1, result.output
    _no_raw_controls(result.stdout)
    assert "pwned" not in result.stdout
    assert "FAILED dana@northwind.example" in result.stdout


def test_a_log_line_with_a_control_character_is_made_visible(tmp_path):
    from routine_audit.cli import _logger

    log = tmp_path / "run.log"
    write: Callable[[str], None] = _logger(log)
    write("mail to a@b.example FAILED: 550 \x1b[2Jno")
    assert log.read_text() == "mail to a@b.example FAILED: 550 \\x1b[2Jno\n"


def test_a_skipped_events_title_with_control_characters_in_the_data_quality_section(files):
    """A manager's line names the event by date and time even when titles are shared;
    the owner's shows the title made visible."""
    skipped = "\r\n".join(  # DTEND before DTSTART: skipped, listed in data quality
        ["BEGIN:VEVENT", "UID:s@x", "DTSTART:20261106T140000Z", "DTEND:20261106T130000Z",
         "SUMMARY:Oops\x1b[2J", "END:VEVENT", "END:VCALENDAR", ""]
    )  # fmt: skip
    (files / "cal.ics").write_bytes(CALENDAR.replace("END:VCALENDAR\r\n", skipped).encode())
    manager = _invoke("audit", "--audience", "manager", "--format", "json", routine="shared.yaml")
    lines = json.loads(manager.stdout)["reps"]["rep@northwind.example"]["data_quality"]
    # 14:00Z is 09:00 in New York (EST)
    assert lines == ["cal.ics (event on Fri 06 Nov 2026 09:00): event skipped, unreadable value"]
    owner = _invoke("audit", "--format", "json")
    lines = json.loads(owner.stdout)["reps"]["rep@northwind.example"]["data_quality"]
    assert lines == [
        'cal.ics ("Oops\\x1b[2J", Fri 06 Nov 2026 09:00): event skipped, unreadable value: '
        "DTEND is before DTSTART"
    ]
