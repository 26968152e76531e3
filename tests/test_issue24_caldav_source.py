"""Issue 24: the CalDAV source, against a real CalDAV server on loopback (Radicale).

The manager signs in with their own account and reads the calendars the rep shared
with them (the rights file of tests/caldav_server.py): the source keeps the shared
contract, and a calendar read through CalDAV audits exactly as the same calendar
read as an .ics file (our own expansion, not the server's).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import caldav_server as radicale
import pytest
from caldav_server import PASSWORD_ENV, PASSWORDS, manager, opened
from source_contract import NY, ROUTINE, WEEK, IcsWriter, SourceContract, Spec

import routine_audit as ra
from routine_audit.errors import CredentialError, SourceError, UsageError
from routine_audit.sources import REGISTRY, source_class

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
manager_password = radicale.manager_password  # autouse: the manager's password in the env
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def server(caldav_server):
    return caldav_server


# --- the shared contract --------------------------------------------------------------


class TestCalDavSource(SourceContract):
    name = "caldav"

    @pytest.fixture(autouse=True)
    def _server(self, caldav_server, manager_password):
        self.server = caldav_server

    def settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        return manager(self.server.url, self.server.shared(IcsWriter.text(specs)))

    def partial_settings(self, folder: Path, specs: tuple[Spec, ...]) -> dict[str, Any]:
        # a server stores what we cannot read: here an event that ends before it starts
        broken = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
            "UID:broken@t\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Broken\r\n"
            "DTSTART:20261103T150000Z\r\nDTEND:20261103T140000Z\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n"
        )
        name = self.server.shared(IcsWriter.text(specs))
        self.server.seed(f"/rep/{name}/", broken)
        return manager(self.server.url, name)

    def unreadable_settings(self, folder: Path) -> dict[str, Any]:
        self.server.calendar("private-contract")  # the rep's, not shared: 403
        return manager(self.server.url, "/rep/private-contract/")


def test_caldav_is_a_built_in_source_that_runs_the_contract():
    assert REGISTRY["caldav"] == "routine_audit.sources.caldav:CalDavSource"
    assert source_class("caldav").networked is True
    assert "caldav" in {c.name for c in SourceContract.__subclasses__()}


# --- the same calendar as a file and through CalDAV -----------------------------------


def audit_both(server, fixture: Path, routine: Path, **period: str):
    """The audit of ``fixture`` read as a file and through CalDAV (the manager's)."""
    model = ra.load_routine(routine)
    rules = ra.load_rules()
    when = ra.period_for(model, **period)
    from_file = ra.audit_calendar(fixture, model, rules, when)
    source = opened(manager(server.url, server.shared(fixture.read_text())))
    through = ra.audit_calendar(source, model, rules, when)
    return from_file, through


def seconds(result) -> dict[str, tuple[int, int]]:
    """Each commitment's (scheduled seconds, outside-window seconds)."""
    table = result.commitments.set_index("id")
    return {
        cid: (round(row["scheduled"] * 3600), round(row["outside_window_hours"] * 3600))
        for cid, row in table.iterrows()
    }


def test_a_series_with_excluded_moved_and_cancelled_instances_audits_alike(server):
    from_file, through = audit_both(
        server, FIXTURES / "series_exceptions.ics", FIXTURES / "rep_ny.yaml", week="2026-W45"
    )
    # prospecting: Mon 09-11 (7200) + Wed moved to 13-15 (7200) + Fri 09-11 (7200) = 21600;
    # Tue is an EXDATE, Thu cancelled; the moved Wed block lies outside 09-12: 7200 outside
    assert seconds(through)["prospecting"] == (21600, 7200)
    assert seconds(through) == seconds(from_file)
    assert through.commitment_days.equals(from_file.commitment_days)
    assert len(through.occurrences) == len(from_file.occurrences)
    cancelled = through.occurrences[through.occurrences["reason"] == "cancelled"]
    assert [s.day for s in cancelled["start"]] == [5]  # Thu 5 November, as in the file


def test_a_dst_week_audits_alike(server):
    from_file, through = audit_both(
        server,
        FIXTURES / "dst_berlin.ics",
        FIXTURES / "rep_berlin.yaml",
        start="2026-10-24",
        end="2026-10-25",
    )
    # a daily 09:00-10:00 Berlin series: Sat 24 (CEST) and Sun 25 (CET), 3600 s each = 7200
    assert seconds(through)["prospecting"] == (7200, 0)
    assert seconds(through) == seconds(from_file)
    daily = through.daily
    other = daily[daily["activity"] == "other"].set_index("date")["hours"]
    # Sat 22:00 -> Sun 06:00 across the fall-back hour: 2 h Saturday + 7 h Sunday (real time)
    assert [round(h * 3600) for h in other.sort_index()] == [7200, 25200]


def test_private_and_all_day_events_read_as_from_the_file(server):
    text = IcsWriter.text(WEEK)
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    source = opened(manager(server.url, server.shared(text)))
    data = source.read(period, zone=NY)
    private = next(e for e in data.events if e.uid == "private@t")
    assert private.is_private  # CLASS:PRIVATE, as in the file
    conference = next(e for e in data.events if e.uid == "conference@t")
    # all day Fri 6 to Mon 9 inclusive: 4 days = 345600 s (no DST change that week in NY)
    assert conference.all_day
    assert (conference.end - conference.start).total_seconds() == 345600


def test_the_rule_calendars_match_the_calendars_name(server):
    """The events carry the calendar's name (as an exported file's X-WR-CALNAME)."""
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    name = server.shared(IcsWriter.text(WEEK))
    data = opened(manager(server.url, name)).read(period, zone=NY)
    assert {e.calendar for e in data.events} == {f"rep/{name}"}  # Radicale's display name


# --- the query: a time range, no expansion by the server, re-filtered -----------------


def test_one_time_range_report_without_server_expansion(server, monkeypatch):
    import caldav

    sent: list[tuple[str, str]] = []
    original = caldav.DAVClient.request

    def spy(self, url, method="GET", body="", headers=None, **kwargs):
        sent.append((method, body.decode() if isinstance(body, bytes) else str(body or "")))
        return original(self, url, method, body, headers, **kwargs)

    monkeypatch.setattr(caldav.DAVClient, "request", spy)
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    opened(manager(server.url, "/rep/" + server.shared(IcsWriter.text(WEEK)) + "/")).read(
        period, zone=NY
    )
    reports = [body for method, body in sent if method == "REPORT"]
    assert len(reports) == 1
    assert "time-range" in reports[0]
    assert "expand" not in reports[0].lower()


def test_what_a_server_sends_beyond_the_period_is_not_read(server, monkeypatch):
    """A server may answer a time-range query with more: the period decides."""
    from routine_audit.sources import caldav as source_module

    name = server.shared(IcsWriter.text(WEEK))
    honest = opened(manager(server.url, name))
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    expected = sorted(e.key for e in honest.read(period, zone=NY).events)
    real_fetch = source_module.fetch

    def everything(account, calendar, start, end, also=None):  # the whole calendar, any range
        from datetime import datetime

        return real_fetch(account, calendar, datetime(1990, 1, 1, tzinfo=NY),
                          datetime(2090, 1, 1, tzinfo=NY), also)  # fmt: skip

    monkeypatch.setattr(source_module, "fetch", everything)
    data = opened(manager(server.url, name)).read(period, zone=NY)
    assert "old@t" not in {e.uid for e in data.events}  # 20 October: two weeks before
    assert sorted(e.key for e in data.events) == expected


def test_a_quiet_week_says_what_came_before_it(server):
    """No occurrence in the period: the 14 days before it are asked for (coverage)."""
    model = ra.load_routine(ROUTINE)
    later = ra.period_for(model, week="2026-W47")  # 16-22 November: WEEK has nothing there
    data = opened(manager(server.url, server.shared(IcsWriter.text(WEEK)))).read(later, zone=NY)
    assert data.events == ()
    # the conference ended on 10 November, after the stale line (16 - 14 = 2 November)
    assert data.extent is not None and data.extent.recent is True
    assert "14 days" in data.extent.searched


# --- settings, passwords and secrets --------------------------------------------------


def test_a_password_in_the_settings_is_refused_in_one_line():
    from routine_audit.sources.options import settings_from_options

    with pytest.raises(UsageError) as caught:
        settings_from_options("caldav", {"url": "https://caldav.example", "password": "hunter2"})
    line = caught.value.one_line()
    assert line.startswith("`source_option` password: a password never goes in a team file")
    assert "password_env" in line
    assert "hunter2" not in line


def test_the_password_is_in_no_repr(server):
    source = opened(manager(server.url, "shared-x"))
    settings = source_class("caldav").Settings.model_validate(manager(server.url, "shared-x"))
    for text in (repr(source), repr(source.account), repr(settings), str(source.account)):
        assert PASSWORDS["manager"] not in text


def test_a_missing_password_variable_is_a_credential_error(monkeypatch, server):
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(CredentialError) as caught:
        opened(manager(server.url, "shared-x"))
    assert caught.value.exit_code == 2
    assert f"{PASSWORD_ENV} (password_env) is not set" in caught.value.one_line()


def test_the_keyring_holds_the_password_when_no_variable_does(monkeypatch, server):
    """Without password_env's variable, the OS keyring (when installed) is asked for
    service "routine-audit:HOST", user the username."""
    import types

    asked = []
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: asked.append((service, user)) or PASSWORDS[user]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    values = manager(server.url, "shared-x")
    values.pop("password_env")
    source = opened(values)
    assert asked == [("routine-audit:127.0.0.1", "manager")]
    assert source.account.password.reveal() == PASSWORDS["manager"]


def test_a_wrong_password_is_a_credential_error_without_the_password(server, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "wrong-secret-123")
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    with pytest.raises(CredentialError) as caught:
        opened(manager(server.url, "shared-x")).read(period, zone=NY)
    line = caught.value.one_line()
    assert "(HTTP 401)" in line and "app password" in line
    assert "wrong-secret-123" not in line


def test_an_unshared_calendar_is_named_and_nothing_of_it_shown(server):
    path = server.calendar("private-diary")
    server.seed(path, (FIXTURES / "series_exceptions.ics").read_text())
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    with pytest.raises(SourceError) as caught:
        opened(manager(server.url, path)).read(period, zone=NY)
    line = caught.value.one_line()
    assert "'/rep/private-diary/'" in line and "HTTP 403" in line
    assert "Prospecting" not in line


def test_an_unknown_calendar_name_lists_none(server):
    server.shared(IcsWriter.text(WEEK))  # one the manager may read
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    with pytest.raises(SourceError) as caught:
        opened(manager(server.url, "no-such-calendar")).read(period, zone=NY)
    line = caught.value.one_line()
    assert "no calendar named 'no-such-calendar'" in line
    assert "shared-" not in line  # the other calendars are counted, not named


# --- the extra: imported only when used -----------------------------------------------


def test_start_up_help_and_the_demo_never_import_caldav():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from routine_audit.cli import app\n"
        "runner = CliRunner()\n"
        "assert runner.invoke(app, ['--help']).exit_code == 0\n"
        "assert runner.invoke(app, ['audit', '--help']).exit_code == 0\n"
        "assert runner.invoke(app, ['calendars', '--help']).exit_code == 0\n"
        "assert runner.invoke(app, ['demo']).exit_code in (0, 1)\n"
        "print([m for m in sys.modules if m == 'caldav' or m.startswith(('caldav.', "
        "'radicale', 'niquests', 'routine_audit.sources.caldav'))])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_without_the_extra_one_line_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "caldav", None)  # as if not installed: import fails
    with pytest.raises(UsageError) as caught:
        opened({"url": "https://caldav.example", "calendar": "Work"})
    assert caught.value.exit_code == 2
    assert caught.value.one_line() == (
        "reading a CalDAV calendar needs the caldav package "
        "(install it: pip install 'routine-audit[caldav]')"
    )
    from typer.testing import CliRunner

    from routine_audit.cli import app

    result = CliRunner().invoke(app, ["audit", "--source", "caldav", "--source-option",
                                      "url=https://caldav.example", "--routine", str(ROUTINE),
                                      "--week", "2026-W45"])  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "routine-audit: error: reading a CalDAV calendar needs the caldav package "
        "(install it: pip install 'routine-audit[caldav]')\n"
    )


def test_plain_http_beyond_this_machine_is_refused():
    """Basic sign-in over http:// would send the password in the clear; loopback (the
    tests' server) is the only exception."""
    with pytest.raises(SourceError) as caught:
        opened({"url": "http://caldav.example/dav/", "calendar": "Work", "username": "m",
                "password_env": PASSWORD_ENV})  # fmt: skip
    assert caught.value.one_line() == (
        "CalDAV server caldav.example: the url setting is http://: the password would cross "
        "the network unencrypted (use the server's https:// address)"
    )


def test_credentials_in_the_url_are_refused_and_not_shown():
    with pytest.raises(SourceError) as caught:
        opened({"url": "https://manager:hunter2@caldav.example/dav/", "calendar": "Work"})
    line = caught.value.one_line()
    assert line.startswith("CalDAV server caldav.example: the url setting is not an http(s)")
    assert "hunter2" not in line and "manager" not in line


def test_an_empty_calendar_reads_as_no_events_without_problems(server):
    path = server.calendar("shared-empty")
    model = ra.load_routine(ROUTINE)
    period = ra.period_for(model, week="2026-W45")
    data = opened(manager(server.url, path)).read(period, zone=NY)
    assert (data.events, data.problems) == ((), ())
    assert data.extent is not None  # nothing near: the coverage note says what was searched
