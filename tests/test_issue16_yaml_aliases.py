"""Issue 16: YAML alias bombs and self-referencing aliases in any rule or team file end
with a one-line error (exit 2) in bounded time, never a traceback or a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config.yaml_source import MAX_BYTES, MAX_VALUES, read_yaml

HEADER = "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\ntimezone: UTC\n"


def laughs(levels: int) -> str:
    """Each level repeats the one before nine times: 9**levels values in all."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    return "\n".join(lines) + "\n"


BOMB = "".join(f"  {line}\n" for line in laughs(9).splitlines())
CASES = {
    "billion laughs": HEADER + "x-bomb:\n" + BOMB,
    "alias of itself": HEADER + "commitments: &loop [*loop]\n",
    "alias in its own map": HEADER + "health: &h {nested: *h}\n",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_rules_check_refuses_it_in_bounded_time(tmp_path, name):
    path = tmp_path / "routine.yaml"
    path.write_text(CASES[name])
    started = time.monotonic()
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert time.monotonic() - started < 2
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "alias" in line]
    assert lines and str(path) in lines[0], result.output


def test_the_same_in_a_team_file(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(
        "kind: team\nversion: 1\nname: T\ntimezone: UTC\n"
        + "".join(f"x{line}\n" for line in laughs(8).splitlines())
    )
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 2, result.output
    assert "aliases expand to more than" in result.output


def test_ordinary_aliases_still_work_and_lines_point_at_the_first_place(tmp_path):
    path = tmp_path / "routine.yaml"
    path.write_text(
        HEADER
        + "working_hours:\n  mon: &day '09:00-17:00'\n  tue: *day\n"
        + "commitments:\n  - &c {id: a, activity: admin, target: 1}\n"
    )
    document = read_yaml(path)
    assert document.data["working_hours"] == {"mon": "09:00-17:00", "tue": "09:00-17:00"}
    assert document.line_of(("working_hours", "tue")) == 7
    assert document.line_of(("commitments", 0, "target")) == 9
    assert MAX_VALUES >= 10_000  # a big real team file (1,000 reps) fits


# Review of issue 16: a rule or team file is read no further than 2 MB. ``/dev/zero``
# given as a team file, or a 30 MB YAML file, grew the process until a MemoryError
# traceback (PyYAML's node tree takes some 60 times the file's size).
# (Was tests/test_review16_yaml_size.py.)


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
