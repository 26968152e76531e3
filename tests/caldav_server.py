"""A real CalDAV server on loopback for the tests: Radicale (from PyPI), as a subprocess.

Two users sign in with passwords from an htpasswd file: ``rep`` owns calendars, and
``manager`` may read the rep's calendars whose names start with ``shared`` (the
rights file), not the others (403). ``seed`` uploads an .ics text as the CalDAV
objects a client would store: one per UID, each with the file's VTIMEZONEs.

The ``caldav_server`` fixture starts one server per test module, waits until it
answers (a generous readiness poll: a loaded 2-CPU machine may take seconds) and
stops it at the end; the test modules' own teardown checks it is gone. A module that
takes ``manager_password`` too (``manager_password = radicale.manager_password``) has
the manager's password in ``PASSWORD_ENV`` for every test; ``manager`` gives the
settings with which the manager reads the rep's shared calendars, ``opened`` the source
they open and ``source_options`` the command-line options that say them.
"""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from routine_audit.sources import source_class
from routine_audit.sources.base import Source, SourceContext

PASSWORDS = {"rep": "rep-app-password-1", "manager": "manager-app-password-2"}
PASSWORD_ENV = "RA_TEST_CALDAV_PASSWORD"  # the variable the tests' settings name
READY_WITHIN = 60.0  # seconds the server may take to answer, on a loaded machine

RIGHTS = """\
[manager-lists-rep]
user: manager
collection: rep
permissions: R

[manager-reads-shared]
user: manager
collection: rep/shared[^/]*
permissions: r

[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw
"""


@dataclass
class CalDavServer:
    """A running Radicale: its address, and a way to put calendars in it."""

    url: str
    process: subprocess.Popen

    def calendar(self, name: str | None = None, *, owner: str = "rep") -> str:
        """A new, empty calendar of ``owner`` (a fresh name each time by default):
        its path on the server."""
        name = name or f"cal-{uuid.uuid4().hex[:8]}"
        path = f"/{owner}/{name}/"
        self.request("MKCALENDAR", path, owner=owner, expect=(201,))
        return path

    def shared(self, text: str, name: str | None = None) -> str:
        """A new calendar of the rep that the manager may read (its name starts with
        ``shared``; a fresh one by default), holding the .ics ``text``: its name."""
        path = self.calendar(name or f"shared-{uuid.uuid4().hex[:8]}")
        self.seed(path, text)
        return path.strip("/").rpartition("/")[2]

    def seed(self, path: str, text: str, *, owner: str = "rep") -> None:
        """Store the events of the .ics ``text`` in the calendar ``path``, one object per
        UID, as a CalDAV client would."""
        for uid, body in split_objects(text):
            name = re.sub(r"[^A-Za-z0-9._-]", "_", uid) + ".ics"
            self.request("PUT", path + name, owner=owner, body=body.encode(), expect=(201, 204))

    def request(
        self,
        method: str,
        path: str,
        *,
        owner: str,
        body: bytes | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> int:
        token = base64.b64encode(f"{owner}:{PASSWORDS[owner]}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        if body is not None:
            headers["Content-Type"] = "text/calendar; charset=utf-8"
        request = Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urlopen(request, timeout=30) as response:
                status = response.status
        except HTTPError as exc:
            status = exc.code
        assert status in expect, f"{method} {path}: HTTP {status}"
        return status


def split_objects(text: str) -> list[tuple[str, str]]:
    """(UID, object text) per UID of an .ics text: its header, every VTIMEZONE, and the
    UID's VEVENTs (the master and its overrides), as one VCALENDAR."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    lines = unfolded.replace("\r\n", "\n").split("\n")
    header: list[str] = []
    zones: list[str] = []
    events: dict[str, list[str]] = {}
    block: list[str] = []
    depth = 0
    for line in lines:
        if not line.strip() or line.upper() in ("BEGIN:VCALENDAR", "END:VCALENDAR"):
            continue
        if line.upper().startswith("BEGIN:"):
            depth += 1
        if depth == 0:
            header.append(line)
            continue
        block.append(line)
        if line.upper().startswith("END:"):
            depth -= 1
            if depth == 0:
                if block[0].upper() == "BEGIN:VTIMEZONE":
                    zones += block
                else:
                    uid = next(b[4:] for b in block if b.upper().startswith("UID:"))
                    events.setdefault(uid, []).extend(block)
                block = []
    return [
        (uid, "\r\n".join(["BEGIN:VCALENDAR", *header, *zones, *body, "END:VCALENDAR"]) + "\r\n")
        for uid, body in events.items()
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(folder: Path) -> CalDavServer:
    """Radicale on a free loopback port, users and rights in ``folder``; waits until it
    answers (restarting on another port if the chosen one was taken meanwhile)."""
    (folder / "users").write_text("".join(f"{u}:{p}\n" for u, p in PASSWORDS.items()))
    (folder / "rights").write_text(RIGHTS)
    for _attempt in range(3):
        port = free_port()
        config = folder / "config"
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
            # no pause after a 401: each new client's first request gets one
            "htpasswd_encryption = plain\ndelay = 0\n"
            f"[rights]\ntype = from_file\nfile = {folder / 'rights'}\n"
            f"[storage]\nfilesystem_folder = {folder / 'store'}\n"
            "[web]\ntype = none\n[logging]\nlevel = error\n"
        )
        log = (folder / "radicale.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        server = CalDavServer(f"http://127.0.0.1:{port}", process)
        if _ready(server):
            return server
        stop(server)
    raise RuntimeError(f"Radicale did not start: {(folder / 'radicale.log').read_text()[-2000:]}")


def _ready(server: CalDavServer) -> bool:
    """Poll until the server answers HTTP (any status), it exits, or READY_WITHIN passes."""
    until = time.monotonic() + READY_WITHIN
    while time.monotonic() < until:
        if server.process.poll() is not None:
            return False
        try:
            with urlopen(server.url + "/", timeout=5):
                return True
        except HTTPError:
            return True  # 401: it answers
        except (URLError, OSError):
            time.sleep(0.2)
    return False


def stop(server: CalDavServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=20)


@pytest.fixture(scope="module")
def caldav_server(tmp_path_factory):
    """A Radicale for the test module; stopped, and checked gone, at its end."""
    server = start(tmp_path_factory.mktemp("radicale"))
    yield server
    stop(server)
    assert server.process.poll() is not None, "the CalDAV server is still running"


@pytest.fixture(autouse=True)
def manager_password(monkeypatch):
    """The manager's app password, in the variable the settings name."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORDS["manager"])


def manager(url: str, calendar: str | None = None, **more: str) -> dict[str, str]:
    """The settings of the manager reading the rep's ``calendar`` on the server at
    ``url`` (a name in the rep's shared home, or a path)."""
    values = {"url": url, "username": "manager", "password_env": PASSWORD_ENV,
              "shared_home": "/rep/"}  # fmt: skip
    return values | ({"calendar": calendar} if calendar else {}) | more


def opened(values: dict[str, str], folder: Path | None = None) -> Source:
    """The CalDAV source opened with the settings ``values``."""
    kind = source_class("caldav")
    return kind.open(kind.Settings.model_validate(values), SourceContext(folder=folder))


def source_options(values: dict[str, str]) -> list[str]:
    """The settings ``values`` as ``--source-option KEY=VALUE`` arguments."""
    return [part for key, value in values.items() for part in ("--source-option", f"{key}={value}")]
