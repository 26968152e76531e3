"""Shared test helpers: fixture paths, one-call audits through the public API and the
CLI, the demo's reports (made once), and the app's registered commands."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import typer.main

import routine_audit as ra
from routine_audit.config import package_data

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLE = package_data("sample")  # the sample team, shipped in the package
SAMPLE_WEEK = "2026-W45"  # the sample team's week


def at_once(read: Callable[[], object], threads: int) -> list[object]:
    """What ``read`` returned in each of ``threads`` threads, all started at one moment."""
    start = threading.Barrier(threads)
    seen: list[object] = []

    def each() -> None:
        start.wait()
        seen.append(read())

    running = [threading.Thread(target=each) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return seen


def routine_file(tmp_path: Path, body: str, name: str = "routine.yaml") -> Path:
    """A routine file for rep@northwind.example: the schema's header, then ``body``."""
    path = tmp_path / name
    path.write_text(
        "kind: routine\nversion: 1\nrep: {email: rep@northwind.example}\n"
        "internal_domains: [northwind.example]\n" + body
    )
    return path


def ics(*events: str) -> str:
    """A calendar of ``events`` (each a VEVENT's own lines, CRLF-joined), as .ics text."""
    body = "".join(
        f"BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


def event(uid: str, start: str, end: str, title: str, *extra: str) -> str:
    """One VEVENT's lines for ``ics``: UID, DTSTART, DTEND, SUMMARY, then ``extra``."""
    lines = [f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{title}", *extra]
    return "\r\n".join(lines)


def audit_texts(tmp_path: Path, calendar: str | list[str], routine: Path, **period):
    """Audit .ics text(s), each written to a file of its own, against a routine file."""
    paths = []
    for index, text in enumerate([calendar] if isinstance(calendar, str) else calendar):
        path = tmp_path / f"cal{index}.ics"
        path.write_text(text, newline="")
        paths.append(path)
    model = ra.load_routine(routine)
    return ra.audit_calendar(paths, model, ra.load_rules(), ra.period_for(model, **period))


def run_audit(calendar: str | list[str], routine: str, *, week=None, start=None, end=None, tz=None):
    """Audit fixture calendar(s) against a fixture routine, like the CLI does."""
    routine_model = ra.load_routine(FIXTURES / routine)
    period = ra.period_for(routine_model, week=week, start=start, end=end, tz=tz)
    paths = [FIXTURES / c for c in ([calendar] if isinstance(calendar, str) else calendar)]
    return ra.audit_calendar(paths, routine_model, ra.load_rules(), period)


def registered_commands() -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command and subcommand the app registers, with its path from the top
    (``()`` for ``routine-audit`` itself), so checks over commands need no hand list."""

    from routine_audit.cli import app  # imported when used: conftest stays light

    def walk(command: click.Command, path: tuple[str, ...]):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():  # a group's commands
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


def cli_stdout(*args: str) -> str:
    """What a command prints, through Typer's runner; it must exit 0."""
    from typer.testing import CliRunner

    from routine_audit.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def help_text(*command: str) -> tuple[int, str]:
    """``command --help`` 200 columns wide: its exit code and its output, white space folded
    (so a phrase reads whole wherever the help wraps)."""
    from typer.testing import CliRunner

    from routine_audit.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


def sample_audit(rep: str, *args: str) -> str:
    """``audit`` of one sample rep (dana, morgan, riley, sam) for the sample week."""
    calendar, routine = (str(SAMPLE / f"{rep}.{suffix}") for suffix in ("ics", "yaml"))
    return cli_stdout(
        "audit", "--ics", calendar, "--routine", routine, "--week", SAMPLE_WEEK, *args
    )


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """``routine-audit demo``, run once: what it printed and the folder of its reports."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROUTINE_AUDIT_CACHE", "off")
        out = tmp_path_factory.mktemp("demo")
        return cli_stdout("demo", "--out", str(out)), out


@pytest.fixture(autouse=True)
def _no_shared_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read or fill the user's cache (the cache's own tests turn one on), nor
    the user's history: the default history database is the test's own."""
    monkeypatch.setenv("ROUTINE_AUDIT_CACHE", "off")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared calendar corpus is not at {CORPUS} (CI always has it)")
    return CORPUS


def mailing_team(tmp_path: Path, port: int) -> Path:
    """The sample team in ``tmp_path``, writing to out/ and history.sqlite beside it and
    mailing the manager and every rep through a plain SMTP server on loopback ``port``."""
    import shutil

    from routine_audit.config import package_data

    folder = tmp_path / "team"
    shutil.copytree(package_data("sample"), folder)
    path = folder / "team.yaml"
    path.write_text(
        path.read_text()
        + "output_dir: out\ndb: history.sqlite\n"
        + f"mail: {{host: 127.0.0.1, port: {port}, security: none, "
        + "from: ra@northwind.example, to_reps: true}\n"
    )
    return path


def rep_files(folder: Path, calendar: bytes) -> Path:
    """``folder`` holding cal.ics (``calendar`` as given), routine.yaml (the New York rep)
    and shared.yaml (the same routine with ``share_titles: true``)."""
    (folder / "cal.ics").write_bytes(calendar)
    routine = (FIXTURES / "rep_ny.yaml").read_text()
    (folder / "routine.yaml").write_text(routine)
    (folder / "shared.yaml").write_text(
        routine.replace("internal_domains", "share_titles: true\ninternal_domains")
    )
    return folder
