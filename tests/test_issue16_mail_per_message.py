"""Issue 16: mail is recorded as sent per message, right after the server accepts it, so a
run killed mid-batch does not resend what was delivered; a re-run that skips
already-sent mail logs that it did. Against the loopback SMTP server of test_mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from conftest import mailing_team
from test_mail import Collector, free_port
from typer.testing import CliRunner

from routine_audit.cli import app

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

WEEK = "2026-W45"
# the order `run` sends in: the manager's roll-up, then each rep in team-file order
ORDER = [
    "alex@northwind.example",
    "dana@northwind.example",
    "morgan@northwind.example",
    "riley@northwind.example",
    "sam@northwind.example",
]


class Faulty(Collector):
    """Keeps what it accepts; ``fault(n)`` decides, at the n-th recipient (1-based),
    whether to answer it with an error reply instead (None: accept)."""

    def __init__(self) -> None:
        super().__init__()
        self.recipients = 0
        self.fault = lambda n: None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.recipients += 1
        reply = self.fault(self.recipients)
        if reply is not None:
            return reply
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def server():
    handler = Faulty()
    controller = aiosmtpd_controller.Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    yield controller, handler
    controller.stop()


def _delivered(handler: Faulty) -> list[str]:
    return [envelope.rcpt_tos[0] for envelope in handler.envelopes]


def test_a_run_killed_mid_batch_does_not_resend_what_was_delivered(tmp_path, server):
    controller, handler = server
    team = mailing_team(tmp_path, controller.port)
    log = tmp_path / "run.log"
    command = [sys.executable, "-m", "routine_audit", "run", "--config", str(team)]
    command += ["--week", WEEK, "--log", str(log)]
    process = subprocess.Popen(command, env=os.environ.copy())

    def kill_at_the_second(n: int) -> str | None:
        if n != 2:
            return None
        process.send_signal(signal.SIGKILL)  # the run dies between two messages
        process.wait(10)
        return "451 4.3.0 try again later"

    handler.fault = kill_at_the_second
    assert process.wait(60) == -signal.SIGKILL
    assert _delivered(handler) == ORDER[:1]  # the roll-up went; the run died at Dana's
    handler.fault = lambda n: None
    again = CliRunner().invoke(app, ["run", "--config", str(team), "--week", WEEK])
    assert again.exit_code == 0, again.output
    # today the roll-up, accepted before the kill, was never recorded and went twice
    assert _delivered(handler) == ORDER
    assert (
        f"mail to alex@northwind.example (rollup, {WEEK}) was sent before; not sent again"
        in again.stderr
    )


def test_a_server_that_drops_the_connection_gets_only_the_undelivered_on_the_rerun(
    tmp_path, server
):
    controller, handler = server
    team = mailing_team(tmp_path, controller.port)
    log = tmp_path / "run.log"
    args = ["run", "--config", str(team), "--week", WEEK, "--log", str(log)]
    # accepts two messages, then closes the connection on the third
    handler.fault = lambda n: "421 4.3.2 shutting down" if n == 3 else None
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 1, first.output
    assert _delivered(handler) == ORDER[:2]
    handler.fault = lambda n: None
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _delivered(handler) == ORDER  # morgan, riley and sam once each; nobody twice
    text = log.read_text()
    for skipped in ORDER[:2]:
        assert f"mail to {skipped} (" in text and "was sent before; not sent again" in text
    assert text.count("was sent before") == 2
