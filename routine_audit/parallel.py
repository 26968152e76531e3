"""Map a function over items in forked worker processes, in order.

Forked workers start with everything the parent has loaded (modules, the team,
the rules), so nothing but each item's index and each result crosses between
processes. Where fork is not available, or there is one item or one process,
or other threads are running (forking then is unsafe: a notebook kernel, say),
the work runs here; a worker that dies (killed, out of memory) hands the rest
back to this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: tuple[Callable, Sequence] | None = None  # set in each worker by the fork
MAX_PROCESSES = 4
WORKERS_ENV = "ROUTINE_AUDIT_WORKERS"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def fork_map(
    function: Callable[[T], R],
    items: Sequence[T],
    processes: int,
    *,
    before_fork: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``map(function, items)``, spread over up to ``processes`` forked workers.

    ``before_fork`` runs here first, only when workers are forked (to load once what
    every worker would otherwise load again)."""
    count = min(processes, len(items))
    if count < 2 or not can_fork():
        yield from map(function, items)
        return
    if before_fork is not None:
        before_fork()
    done = 0
    try:
        with ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_adopt,
            initargs=(function, items, os.getpid()),
        ) as pool:
            for result in pool.map(_run_nth, range(len(items))):
                done += 1
                yield result
    except BrokenProcessPool:
        yield from map(function, items[done:])


def can_fork() -> bool:
    """Whether worker processes may be forked here and now (no other thread runs)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _adopt(function: Callable, items: Sequence, parent: int) -> None:
    global _WORK
    _end_with_parent(parent)
    _WORK = (function, items)


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the process that forked it dies (Linux), so
    a killed run leaves no worker behind; a parent already gone ends the worker now."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died between the fork and the prctl
        os._exit(1)


def _run_nth(index: int):
    assert _WORK is not None
    function, items = _WORK
    return function(items[index])


def process_count() -> int:
    """Worker processes: ``ROUTINE_AUDIT_WORKERS``, else the usable CPUs (up to 4)."""
    chosen = os.environ.get(WORKERS_ENV, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            from .errors import UsageError

            raise UsageError(
                f"{WORKERS_ENV}={chosen!r} is not a number of processes",
                hint=f"set {WORKERS_ENV} to 1 or more, or unset it",
            )
        return int(chosen)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(usable or 1, MAX_PROCESSES))
