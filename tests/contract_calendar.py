"""Small hand-made calendars for the issue 15 contract tests: one VEVENT per
(title, start, end), local times in one zone, audited through the library API."""

from __future__ import annotations

from pathlib import Path

from conftest import routine_file

import routine_audit as ra

WORKING = 'working_hours: {weekdays: "09:00-17:00"}\n'


def ics(tmp_path: Path, events: list[tuple[str, str, str]], zone: str = "Europe/London") -> Path:
    """A calendar of timed events: (title, 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM'), or an
    all-day one when the times are dates ('YYYY-MM-DD', end exclusive)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    for number, (title, start, end) in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:e{number}@test", "DTSTAMP:20261001T000000Z"]
        lines += [f"SUMMARY:{title}", _time("DTSTART", start, zone), _time("DTEND", end, zone)]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    path = tmp_path / "cal.ics"
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def _time(name: str, value: str, zone: str) -> str:
    compact = value.replace("-", "").replace(":", "").replace(" ", "T")
    if "T" not in compact:
        return f"{name};VALUE=DATE:{compact}"
    return f"{name};TZID={zone}:{compact}00"


def audit(tmp_path: Path, body: str, events, *, week="2026-W45", start=None, end=None):
    """Audit ``events`` against a routine of ``body`` (timezone Europe/London unless
    ``body`` sets one) for ``week``, or from ``start`` to ``end``."""
    if "timezone:" not in body:
        body = "timezone: Europe/London\n" + body
    routine = ra.load_routine(routine_file(tmp_path, body))
    if start:
        period = ra.period_for(routine, start=start, end=end)
    else:
        period = ra.period_for(routine, week=week)
    return ra.audit_calendar(ics(tmp_path, events), routine, ra.load_rules(), period)


def row(result, cid: str):
    """The commitment's row of the result (target, scheduled, gap, adherence, blocks...)."""
    return result.commitments.set_index("id").loc[cid]


def per_day(result, cid: str) -> dict[str, tuple[float, float]]:
    """Per date: (scheduled, target) of one commitment."""
    days = result.commitment_days[result.commitment_days["commitment"] == cid]
    return {
        str(d): (float(s), float(t))
        for d, s, t in zip(days["date"], days["scheduled"], days["target"], strict=True)
    }


def findings(result, kind: str) -> list:
    return [f for f in result.finding_objects if f.kind == kind]
