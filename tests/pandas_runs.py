"""A command run twice in child processes, each saying on its last stderr line whether
pandas was loaded: warm runs (over unchanged files) must not load it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from routine_audit.parallel import WORKERS_ENV

SAYS_IF_PANDAS_LOADED = (
    "import sys\n"
    "from routine_audit.cli import main\n"
    "sys.argv = ['routine-audit', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('pandas loaded:', 'pandas' in sys.modules, file=sys.stderr)\n"
)


def run_twice(tmp_path: Path, *args: str) -> list[subprocess.CompletedProcess[str]]:
    """``routine-audit ARGS --out tmp_path/out --db tmp_path/history.sqlite`` run twice,
    with a cache under ``tmp_path`` and one worker (audits in the child process itself,
    so a run that audits does load pandas)."""
    command = [sys.executable, "-c", SAYS_IF_PANDAS_LOADED, *args]
    command += ["--out", str(tmp_path / "out")]
    command += ["--db", str(tmp_path / "history.sqlite")]
    env = {**os.environ, "ROUTINE_AUDIT_CACHE": str(tmp_path / "cache")}
    env[WORKERS_ENV] = "1"
    return [subprocess.run(command, env=env, capture_output=True, text=True) for _ in range(2)]
