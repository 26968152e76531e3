"""Target 3: the engine alone on a synthetic table of occurrences.

A team's year as one DataFrame (a ``rep`` column; 5,000 occurrences per rep,
about a busy year each), classified with the default rules plus 30 extra
keyword and regex rules, and audited per rep for the 52 weeks with
``routine_audit.audit_frames`` (the team-table API: one audit per rep). Sizes
scale the number of reps, so the cost per occurrence shows whether the engine
is linear.

usage: python benchmarks/engine_case.py ROWS RESULT.json [--seed 7]
Writes {"rows", "reps", "seconds", "findings", "findings_seconds"} to RESULT.json:
the audit's time (not counting the table's generation), then the count of findings
and the time to read them all as objects (displaced blocks and broken limits are
decided as columns and made into objects when first read, after the audit); the
benchmark measures the process's memory, findings read included.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import ROUTINE  # noqa: E402  (a sibling script)

PER_REP = 5_000
FIRST_MONDAY = date(2025, 11, 24)
WEEKS = 52
ZONE = "Europe/London"
COMPANIES = [
    f"{a}{b}" for a in ("Acme", "Globex", "Initech", "Umbrella", "Hooli") for b in "ABCDEFGHIJ"
]
TITLES = (
    "Prospecting block",
    "Cold calls",
    "Follow-up emails",
    "Follow-up: {c} next steps",
    "Call with {c}",
    "Demo for {c}",
    "{c} quarterly review",
    "CRM hygiene",
    "Expenses",
    "Team stand-up",
    "1:1 with manager",
    "Gym",
    "Lunch",
    "Dentist",
    "Pipeline review",
    "Webinar: selling in {c}'s market",
)


def extra_rules() -> list[dict]:
    """Thirty more rules a real team adds: keywords, regexes, calendars, attendee counts."""
    rules = []
    for i in range(15):
        rules.append(
            {
                "name": f"extra-keywords-{i}",
                "activity": "admin" if i % 2 else "follow-up",
                "match": {"keywords": [f"zz-tag-{i}", f"project-{i}x", f"ticket {i}00"]},
            }
        )
    for i in range(15):
        rules.append(
            {
                "name": f"extra-regex-{i}",
                "activity": "prospecting" if i % 2 else "client-meeting",
                "match": {"regex": rf"\b(?:deal|opp)[- ]?#?{i}\d{{3}}\b", "fields": ["title"]},
            }
        )
    return rules


def synthetic_team(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(occurrences with a ``rep`` column, attendees with ``occ`` row numbers)."""
    rng = np.random.default_rng(seed)
    titles = [t.format(c=random.Random(i).choice(COMPANIES)) for i, t in enumerate(TITLES * 40)]
    day = rng.integers(0, WEEKS * 7, rows)
    minute = rng.integers(7 * 4, 19 * 4, rows) * 15
    length = rng.choice([15, 30, 45, 60, 90, 120], rows)
    base = pd.Timestamp(FIRST_MONDAY).tz_localize(ZONE)
    start = base + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="m")
    occurrences = pd.DataFrame(
        {
            "rep": np.arange(rows) // PER_REP,
            "start": start,
            "end": start + pd.to_timedelta(length, unit="m"),
            "summary": np.array(titles, dtype=object)[rng.integers(0, len(titles), rows)],
            "calendar": "Work",
            "status": rng.choice(["confirmed", "confirmed", "confirmed", "tentative"], rows),
            "transparent": rng.random(rows) < 0.03,
            "all_day": False,
        }
    )
    guests = rng.integers(0, 3, rows)
    occ = np.repeat(np.arange(rows), guests)
    attendees = pd.DataFrame(
        {
            "occ": occ,
            "email": np.where(
                rng.random(len(occ)) < 0.5, "buyer@acme.example", "colleague@northwind.example"
            ),
            "response": "accepted",
        }
    )
    return occurrences, attendees


def run(rows: int, seed: int) -> dict[str, float]:
    import yaml

    import routine_audit as ra
    from routine_audit.config.schema import Routine, RuleSet

    routine = Routine.model_validate(
        {
            **yaml.safe_load(ROUTINE.replace("{zone}", ZONE)),
            "rep": {"email": "rep@northwind.example"},
        }
    )
    defaults = ra.load_rules()
    rules = RuleSet.model_validate(
        {"rules": [*extra_rules(), *(r.model_dump() for r in defaults.rules)]}
    )
    period = ra.Period(FIRST_MONDAY, FIRST_MONDAY + timedelta(weeks=WEEKS, days=-1), routine.zone)
    occurrences, attendees = synthetic_team(rows, seed)
    started = time.perf_counter()
    results = ra.audit_frames(occurrences, routine, rules, period, attendees=attendees, by="rep")
    seconds = time.perf_counter() - started
    # the audit decides every finding; displaced blocks and broken limits are kept as
    # columns and become Finding objects when first read (counting them makes none):
    # reading every one is timed apart
    started = time.perf_counter()
    findings = sum(len(list(result.finding_objects)) for result in results.values())
    return {
        "rows": rows,
        "reps": len(results),
        "seconds": seconds,
        "findings": findings,
        "findings_seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("result", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.result.write_text(json.dumps(run(args.rows, args.seed)))


if __name__ == "__main__":
    main()
