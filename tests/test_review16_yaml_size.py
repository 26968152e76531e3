"""Review of issue 16: a rule or team file is read no further than 2 MB. ``/dev/zero``
given as a team file, or a 30 MB YAML file, grew the process until a MemoryError
traceback (PyYAML's node tree takes some 60 times the file's size)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config.yaml_source import MAX_BYTES

HEADER = "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\ntimezone: UTC\n"


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_huge_rule_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "routine.yaml"
    line = "  - {k: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv}\n"
    path.write_text(HEADER + "junk:\n" + line * (MAX_BYTES // len(line) + 1))
    started = time.monotonic()
    code, output = check("rules", "check", str(path))
    assert time.monotonic() - started < 2
    assert code == 2
    assert f"larger than {MAX_BYTES:,} bytes" in output
    assert "Traceback" not in output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", [["rules", "check"], ["team", "audit", "--config"]])
def test_dev_zero_as_a_rule_or_team_file_is_one_line(command):
    started = time.monotonic()
    code, output = check(*command, os.devnull.replace("null", "zero"))
    assert time.monotonic() - started < 2
    assert code == 2
    assert "larger than" in output
    assert len(output.strip().splitlines()) == 1
