"""`routine-audit calendars --source caldav` for an account whose own calendar list is
empty (the manager's on a server that shares by access rights, as Radicale does): it
printed nothing, exit 0; it now says so in one line, with the hint about shared_home."""

from __future__ import annotations

import caldav_server as radicale
import pytest
from caldav_server import PASSWORDS
from typer.testing import CliRunner

from routine_audit.cli import app

caldav_server = radicale.caldav_server  # the fixture: Radicale on loopback (one per module)
PASSWORD_ENV = "RA_TEST_CALDAV_PASSWORD"


@pytest.fixture(autouse=True)
def manager_password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORDS["manager"])


def calendars(server, *pairs: str):
    given = [f"url={server.url}", "username=manager", f"password_env={PASSWORD_ENV}", *pairs]
    options = [part for pair in given for part in ("--source-option", pair)]
    return CliRunner().invoke(app, ["calendars", "--source", "caldav", *options])


def test_an_empty_own_list_is_said_with_the_shared_home_hint(caldav_server):
    caldav_server.calendar("shared-only")  # the rep's, readable through shared_home only
    result = calendars(caldav_server)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "manager's own calendar list is empty: on a server that shares calendars by access "
        "rights (Radicale, some company servers), set shared_home to the owner's "
        "collection, e.g. /dana/ (see docs/caldav.md)"
    ]
    assert PASSWORDS["manager"] not in result.output
    # the hint followed: the rep's calendar is listed, and nothing else is said
    found = calendars(caldav_server, "shared_home=/rep/")
    assert found.exit_code == 0, found.output
    assert [line.split("\t")[0] for line in found.stdout.splitlines()] == ["/rep/shared-only/"]
