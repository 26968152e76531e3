"""Run every performance target of routine-audit beside the reference pipelines.

usage: python benchmarks/run.py [--size full|smoke] [--json FILE] [--work DIR] [--only CASES]

Prints a table (case, size, ours, reference, ratio, target, met?) and writes it
as JSON. Ratios are measured side by side in one run (this kind of machine is
shared and noisy: absolute seconds vary, ratios much less). Cases of a few
seconds (warm re-runs, Google, start-up) report the median of several runs; the
long ones run once. Nothing here is asserted by the test suite; CI runs the
smoke size so the benchmark cannot rot.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import audit_week, generate_team  # noqa: E402  (a sibling script)

SHARED_BENCH = HERE.parent.parent / "shared" / "bench"
FIRST_MONDAY = date(2025, 11, 24)
SIZES = {
    "full": {
        "reps": 200,
        "weeks": 52,
        "long_reps": 50,
        "repeat": 1,  # the long cases (minutes each)
        "quick_repeat": 3,  # the cases of seconds: their median, on a shared machine
        "startup_repeat": 5,
        "engine_rows": (10_000, 100_000, 1_000_000),
    },
    "smoke": {
        "reps": 6,
        "weeks": 8,
        "long_reps": 3,
        "repeat": 1,
        "quick_repeat": 1,
        "startup_repeat": 3,
        "engine_rows": (5_000, 10_000),
    },
}


@dataclass
class Row:
    case: str
    size: str
    ours: float  # seconds, or MB for memory
    reference: float | None
    ratio: float | None
    target: str
    met: bool
    unit: str = "s"


@dataclass
class Measured:
    seconds: float
    peak_mb: float


def run(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Run a command to completion: wall time, and the peak RSS of it and its workers.

    Memory is the larger of the process's own peak and the highest sum of RSS
    over it and its descendants seen while it ran (sampled; shared pages of
    forked workers count once per process, so the sum errs high).
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # rusage covers its waited-for children
        seconds = time.perf_counter() - started
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"benchmark: {' '.join(command[:5])} failed:\n{tail}")
    return Measured(seconds, max(usage.ru_maxrss / 1024, sampler.peak_mb))


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and all its descendants, from /proc."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.wait(self.interval):
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(self.pid))

    def stop(self) -> None:
        self._finished.set()
        self.join()


def _tree_rss_mb(root: int) -> float:
    """RSS of ``root`` and its descendants now (0 where /proc cannot tell)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        kb = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
        rss[int(entry.name)] = int(kb[0]) if kb else 0
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree) / 1024


def median_run(command: list[str], repeat: int, **kwargs) -> Measured:
    return summary([run(command, **kwargs) for _ in range(repeat)])


def summary(runs: list[Measured]) -> Measured:
    """The median time and the highest peak memory of several runs."""
    return Measured(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs))


def compared(
    case: str, label: str, ours: Measured, reference: Measured, limit: float, target: str
) -> Row:
    """A row timed against a reference pipeline run on the same files (ratio ≤ ``limit``)."""
    ratio = ours.seconds / reference.seconds
    return Row(case, label, ours.seconds, reference.seconds, ratio, target, ratio <= limit)


def warm_row(case: str, label: str, warm: Measured, limit: float = 2.0) -> Row:
    """A re-run over unchanged files, against its time limit."""
    return Row(case, label, warm.seconds, None, None, f"≤ {limit:g} s", warm.seconds <= limit)


def ours(*args: str) -> list[str]:
    return [sys.executable, "-m", "routine_audit", *args]


# the reference pipeline's time for the year-long team's audited week (cases 1 and 8)
_NAIVE: dict[Path, Measured] = {}


def year_team(work: Path, settings: dict) -> tuple[Path, str, Measured]:
    """The year-long team (generated once), its audited ISO week, and the reference
    pipeline's time for that week (measured once per run of this script)."""
    reps, weeks = settings["reps"], settings["weeks"]
    team = work / "team" / "team.yaml"
    if not team.is_file():
        team = generate_team(work / "team", reps=reps, weeks=weeks, first_monday=FIRST_MONDAY)
    monday = audit_week(FIRST_MONDAY, weeks)
    week = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    if team not in _NAIVE:
        files = sorted(str(p) for p in (team.parent / "calendars").glob("*.ics"))
        _NAIVE[team] = median_run(
            [
                sys.executable,
                str(SHARED_BENCH / "naive_peer.py"),
                "--start",
                str(monday),
                "--end",
                str(monday + timedelta(days=6)),
                *files,
            ],
            settings["repeat"],
        )
    return team, week, _NAIVE[team]


def cold_then_warm(
    command: list[str], work: Path, caches: str, settings: dict
) -> tuple[Measured, Measured]:
    """``command`` cold (each of ``repeat`` runs with a new, empty cache folder named
    ``caches-N``), then warm (``quick_repeat`` runs on the last of those caches)."""
    cold_runs = []
    for attempt in range(settings["repeat"]):
        cache = work / f"{caches}-{attempt}"
        cold_runs.append(run(command, env={"ROUTINE_AUDIT_CACHE": str(cache)}))
    warm = median_run(command, settings["quick_repeat"], env={"ROUTINE_AUDIT_CACHE": str(cache)})
    return summary(cold_runs), warm


def ics_team_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Targets 1, 2 and 7: one week of a year-long team, cold and warm, and its memory."""
    reps, weeks = settings["reps"], settings["weeks"]
    team, week, naive = year_team(work, settings)
    label = f"{reps} reps × {weeks} weeks, 1 week audited"
    command = ours(
        "team",
        "audit",
        "--config",
        str(team),
        "--week",
        week,
        "--out",
        str(work / "out"),
        "--db",
        str(work / "history.sqlite"),
    )
    cold, warm = cold_then_warm(command, work, "cache-cold", settings)
    return [
        compared("1 ics team, cold", label, cold, naive, 0.10, "≤ 0.10 × naive_peer"),
        warm_row("2 ics team, warm", label, warm),
        Row(
            "7 memory, cold run",
            label,
            cold.peak_mb,
            None,
            None,
            "≤ 1024 MB",
            cold.peak_mb <= 1024,
            unit="MB",
        ),
    ]


def weekly_run_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Target 8: the weekly ``run`` (no mail) of the year-long team: the audited week, the
    week ahead and every page, cold and warm, against the reference pipeline's time for
    the audited week alone."""
    reps, weeks = settings["reps"], settings["weeks"]
    team, week, naive = year_team(work, settings)
    label = f"{reps} reps × {weeks} weeks, 1 week audited + the week ahead"
    command = ours(
        "run",
        "--no-mail",
        "--config",
        str(team),
        "--week",
        week,
        "--out",
        str(work / "run-out"),
        "--db",
        str(work / "run.sqlite"),
    )
    cold, warm = cold_then_warm(command, work, "cache-run", settings)
    return [
        compared("8 run, cold", label, cold, naive, 0.125, "≤ 1/8 × naive_peer"),
        warm_row("8 run, warm", label, warm),
    ]


def long_period_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Target 4: a year of history for a smaller team, against a bare icalendar parse."""
    reps, weeks = settings["long_reps"], settings["weeks"]
    team = generate_team(work / "long", reps=reps, weeks=weeks, first_monday=FIRST_MONDAY)
    files = sorted(str(p) for p in (team.parent / "calendars").glob("*.ics"))
    last = FIRST_MONDAY + timedelta(weeks=weeks, days=-1)
    label = f"{reps} reps × {weeks} weeks, all audited"
    bare = median_run(
        [sys.executable, str(SHARED_BENCH / "bare_parse.py"), *files], settings["repeat"]
    )
    command = ours(
        "team",
        "audit",
        "--config",
        str(team),
        "--start",
        str(FIRST_MONDAY),
        "--end",
        str(last),
        "--out",
        str(work / "long-out"),
        "--db",
        str(work / "long.sqlite"),
    )
    cache = work / "cache-long"
    cold = median_run(command, 1, env={"ROUTINE_AUDIT_CACHE": str(cache)})
    warm = median_run(command, settings["quick_repeat"], env={"ROUTINE_AUDIT_CACHE": str(cache)})
    return [
        compared("4 long period, cold", label, cold, bare, 1.3, "≤ 1.3 × bare_parse"),
        warm_row("4 long period, warm", label, warm),
    ]


def engine_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Target 3: classification and audit of a synthetic table, at growing sizes.

    The time counts the audit and reading every finding it made as objects (the
    audit decides them as columns; reports and notebooks read them). The ratio is
    the cost per occurrence against the smallest size: 1.0 is linear.
    """
    rows = []
    first_cost = None
    for count in settings["engine_rows"]:
        result = work / f"engine-{count}.json"
        measured = run(
            [sys.executable, str(HERE / "engine_case.py"), str(count), str(result)], cwd=work
        )
        timings = json.loads(result.read_text())
        seconds = timings["seconds"] + timings["findings_seconds"]
        cost = seconds / count
        first_cost = first_cost or cost
        ratio = cost / first_cost
        label = (
            f"{count:,} occurrences, 30 extra rules, peak {measured.peak_mb:.0f} MB: "
            f"audit {timings['seconds']:.2f} s, then reading its "
            f"{timings['findings']:,} findings as objects {timings['findings_seconds']:.2f} s"
        )
        if count >= 1_000_000:
            met = seconds <= 10.0 and measured.peak_mb <= 2048 and ratio <= 1.5
            target = "≤ 10 s and ≤ 2 GB; linear"
        else:
            met, target = ratio <= 1.5, "linear (ratio ≤ 1.5)"
        rows.append(Row("3 engine on a table", label, seconds, None, ratio, target, met))
    return rows


def startup_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Target 6: start-up of --help and rules check (on the benchmark's team file)."""
    team = work / "team" / "team.yaml"
    if not team.is_file():  # run on its own (--only startup): the ics cases' team
        generate_team(
            work / "team", reps=settings["reps"], weeks=settings["weeks"], first_monday=FIRST_MONDAY
        )
    rows = []
    for name, command in (
        ("6 start-up: --help", ours("--help")),
        ("6 start-up: rules check", ours("rules", "check", str(team))),
    ):
        measured = median_run(command, settings["startup_repeat"])
        rows.append(
            Row(
                name,
                "team file" if "rules" in name else "",
                measured.seconds,
                None,
                None,
                "≤ 0.5 s",
                measured.seconds <= 0.5,
            )
        )
    return rows


def google_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Target 5: a team read through the Calendar API with 100 ms latency per request."""
    from google_server import FakeCalendarApi, week_items, write_token

    reps = settings["reps"]
    write_token(_served_folder(work, "google") / "token.json")
    items = week_items(HERE.parent / "tests" / "fixtures" / "google")
    page_size = 250
    return _served_team_case(
        work,
        settings,
        key="google",
        header=["name: Google Team", "google: {token: token.json}"],
        rep="{{email: g{i:03d}@company.example, "
        "calendar: {{type: google, id: g{i:03d}@company.example}}}}",
        fake=FakeCalendarApi(items, latency=0.1, page_size=page_size),
        env=lambda url: {"ROUTINE_AUDIT_GOOGLE_ENDPOINT": url + "calendar/v3/"},
        minimum=reps * max(1, -(-len(items) // page_size)),
        case="5 Google team",
        reps_noun="reps",
    )


def microsoft_cases(work: Path, size: str, settings: dict) -> list[Row]:
    """Issue 23: a team of Microsoft 365 mailboxes read through Graph, 100 ms per request."""
    from graph_server import FakeGraph, week_items

    return _served_team_case(
        work,
        settings,
        key="microsoft",
        header=["name: Microsoft Team"],
        rep="{{email: m{i:03d}@company.example, calendar: {{type: microsoft}}}}",
        fake=FakeGraph(week_items(date(2026, 11, 2)), latency=0.1),
        env=lambda url: {
            "ROUTINE_AUDIT_GRAPH_ENDPOINT": url,
            "ROUTINE_AUDIT_GRAPH_TOKEN": "benchmark-token",
        },
        # one calendarView page each: the series' iCalUId is read off the occurrences' own
        minimum=settings["reps"],
        case="5b Microsoft team",
        reps_noun="mailboxes",
    )


def _served_folder(work: Path, key: str) -> Path:
    folder = work / key
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _served_team_case(
    work: Path,
    settings: dict,
    *,
    key: str,
    header: list[str],
    rep: str,
    fake: Any,
    env: Callable[[str], dict[str, str]],
    minimum: int,
    case: str,
    reps_noun: str,
) -> list[Row]:
    """A team of ``settings["reps"]`` (``rep`` formatted with ``i``) audited against the
    loopback API ``fake`` (its endpoint given by ``env``), each run with an empty cache:
    the median time, and the most requests any run made against their ``minimum``."""
    from generate import ROUTINE

    reps = settings["reps"]
    folder = _served_folder(work, key)
    (folder / "routine.yaml").write_text(ROUTINE.replace("{zone}", "Europe/London"))
    lines = ["kind: team", "version: 1", header[0], "timezone: Europe/London"]
    lines += ["routine: routine.yaml", *header[1:], "reps:"]
    lines += ["  - " + rep.format(i=i) for i in range(reps)]
    team = folder / "team.yaml"
    team.write_text("\n".join(lines) + "\n")
    runs, counts = [], []
    with fake:
        for attempt in range(settings["quick_repeat"]):  # each with an empty cache
            before = fake.requests
            runs.append(_served_run(team, work, key, attempt, env(fake.url)))
            counts.append(fake.requests - before)
    measured = summary(runs)
    requests = max(counts)  # per run: every run must make only the minimum
    label = f"{reps} {reps_noun}, 100 ms per request, {requests} requests (minimum {minimum})"
    met = measured.seconds <= 5.0 and requests == minimum
    return [Row(case, label, measured.seconds, None, None, "≤ 5 s, minimum requests", met)]


def _served_run(team: Path, work: Path, key: str, attempt: int, env: dict[str, str]) -> Measured:
    return run(
        ours(
            "team",
            "audit",
            "--config",
            str(team),
            "--week",
            "2026-W45",
            "--out",
            str(work / f"{key}-out"),
            "--db",
            str(work / f"{key}-{attempt}.sqlite"),
        ),
        env={
            **env,
            "NO_PROXY": "127.0.0.1,localhost",
            "ROUTINE_AUDIT_CACHE": str(work / f"cache-{key}-{attempt}"),
        },
    )


CASES = {
    "ics": ics_team_cases,
    "run": weekly_run_cases,
    "long": long_period_cases,
    "google": google_cases,
    "microsoft": microsoft_cases,
    "engine": engine_cases,
    "startup": startup_cases,
}


def table(rows: list[Row]) -> str:
    lines = [
        "| case | size | ours | reference | ratio | target | met? |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        ours_text = f"{r.ours:.0f} MB" if r.unit == "MB" else f"{r.ours:.2f} s"
        reference = "" if r.reference is None else f"{r.reference:.2f} s"
        ratio = "" if r.ratio is None else f"{r.ratio:.3f}"
        lines.append(
            f"| {r.case} | {r.size} | {ours_text} | {reference} | {ratio} | {r.target} "
            f"| {'yes' if r.met else '**no**'} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "date": date.today().isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument(
        "--json", type=Path, default=None, help="default: benchmarks/results-SIZE.json"
    )
    parser.add_argument("--work", type=Path, default=None, help="keep generated files here")
    parser.add_argument(
        "--only", default=",".join(CASES), help="comma-separated: " + ",".join(CASES)
    )
    args = parser.parse_args(argv)
    settings = SIZES[args.size]
    work = args.work or Path(tempfile.mkdtemp(prefix="routine-audit-bench-"))
    rows: list[Row] = []
    try:
        for name in args.only.split(","):
            rows += CASES[name](work, args.size, settings)
            print(table(rows).splitlines()[-1], file=sys.stderr, flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    result = {"size": args.size, "machine": machine(), "rows": [asdict(r) for r in rows]}
    target = args.json or HERE / f"results-{args.size}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
