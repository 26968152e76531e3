"""Issue 16: a killed run leaves nothing behind. A real `routine-audit run` is started on a
team whose feeds never answer (so its forked workers are mid-read), its parent is killed,
and then no process of it may remain and the next run must take the lock at once."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from routine_audit.config import package_data
from routine_audit.team.lock import run_lock

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


class SilentServer:
    """Accepts connections on loopback and never answers (a feed that hangs)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.accepted:
            connection.close()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _team(tmp_path: Path, port: int) -> Path:
    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    team = folder / "team.yaml"
    text = team.read_text()
    for rep in ("dana", "morgan", "riley", "sam"):
        text = text.replace(
            f"{{type: ics, location: {rep}.ics}}", f'{{ics: "http://127.0.0.1:{port}/{rep}.ics"}}'
        )
    team.write_text(text + "output_dir: out\n")
    return team


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_process_and_frees_the_lock(tmp_path, how):
    server = SilentServer()
    team = _team(tmp_path, server.port)
    env = {
        **os.environ,
        "ROUTINE_AUDIT_WORKERS": "2",
        "ROUTINE_AUDIT_CACHE": "off",
        "ROUTINE_AUDIT_FEED_TIMEOUT": "120",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "routine_audit", "run", "--config", str(team), "--no-mail",
         "--db", str(tmp_path / "h.sqlite")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and (len(server.accepted) < 2 or not workers):
            workers = _descendants(run.pid)
            time.sleep(0.05)
        assert run.poll() is None, run.stderr.read().decode()
        assert workers and len(server.accepted) >= 2, "the run never reached its feeds"
        run.send_signal(how)
        run.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their run"
        with run_lock(tmp_path / "team" / "out"):
            pass  # taken at once: no survivor holds it
    finally:
        if run.poll() is None:
            run.kill()
        for pid in _descendants(run.pid):
            os.kill(pid, signal.SIGKILL)
        server.close()


def test_the_lock_file_is_never_opened_through_a_symlink(tmp_path):
    from routine_audit.errors import UsageError

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / ".routine-audit.lock").symlink_to(victim)
    with pytest.raises(UsageError, match="lock file") as caught, run_lock(tmp_path):
        pass
    assert "symlink" in caught.value.hint
    assert victim.read_text() == "keep me\n"
