"""fork_map: results in order from worker processes, and the work stays in this process
when forking would be unsafe (another thread running) or pointless (one item)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from routine_audit.parallel import fork_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_results_come_back_in_order_from_other_processes():
    # in a fresh interpreter: servers of other tests run threads in this one
    code = (
        "import os\n"
        "from routine_audit.parallel import fork_map\n"
        "def f(n): return os.getpid(), n * n\n"
        "loaded = []\n"
        "results = list(fork_map(f, list(range(12)), 2, before_fork=lambda: loaded.append(1)))\n"
        "assert loaded == [1], 'what the workers share is loaded once, before forking'\n"
        "assert [s for _, s in results] == [n * n for n in range(12)], results\n"
        "assert {p for p, _ in results} - {os.getpid()}, 'no worker process was used'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


def test_with_another_thread_running_the_work_stays_here():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        results = list(fork_map(_pid_and_square, list(range(4)), 2))
    finally:
        stop.set()
        other.join()
    assert {pid for pid, _ in results} == {os.getpid()}
    assert [square for _, square in results] == [0, 1, 4, 9]


def test_one_item_or_one_process_stays_here():
    loaded = []
    here = {"before_fork": lambda: loaded.append(1)}
    assert {p for p, _ in fork_map(_pid_and_square, [3], 4, **here)} == {os.getpid()}
    assert {p for p, _ in fork_map(_pid_and_square, [1, 2, 3], 1, **here)} == {os.getpid()}
    assert not loaded  # nothing forked: nothing to load ahead
