"""Issue 19, point 3: units as one table (routine_audit/unit_kinds.py).

One entry per unit holds how it is measured, its tolerance, whether its activity's
events are routine blocks, which ``per`` it allows, whether its targets are whole
numbers and how its amounts are written. The config's ``Unit`` enum, ``PER_BY_UNIT``
and the JSON Schema's unit enum come from it; no module branches on a unit by name; an
unknown unit fails loudly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routine_audit.cli import app
from routine_audit.config.schema import PER_BY_UNIT, Unit
from routine_audit.engine import measure
from routine_audit.report.json_schema import report_schema, schema_problems, shipped_schema
from routine_audit.report.view import CommitmentView
from routine_audit.unit_kinds import PERS, UNITS, Measure, UnknownUnitError, unit_kind
from routine_audit.wording import amount_text

PACKAGE = Path(__file__).parent.parent / "routine_audit"


def test_every_entry_is_complete():
    assert set(UNITS) == {"hours", "blocks", "meetings"}
    for name, unit in UNITS.items():
        assert unit.name == name
        assert unit.measure in measure.SCHEDULED, name  # the engine counts it
        assert unit.per and set(unit.per) <= set(PERS)
        assert unit.tolerance > 0
        assert unit.missing_text("prospecting", 60).startswith("no prospecting")
        assert isinstance(unit.routine_blocks, bool) and isinstance(unit.whole, bool)
        assert amount_text(1, name) and amount_text(2.5, name)
    assert set(measure.SCHEDULED) == set(Measure)


def test_the_enums_come_from_the_table():
    assert [u.value for u in Unit] == list(UNITS)
    assert (Unit.HOURS, Unit.BLOCKS, Unit.MEETINGS) == ("hours", "blocks", "meetings")
    assert {Unit(name): unit.per for name, unit in UNITS.items()} == PER_BY_UNIT
    assert schema_problems() == []
    for schema in (shipped_schema(), report_schema()):
        assert schema["$defs"]["commitment"]["properties"]["unit"]["enum"] == list(UNITS)


def test_what_each_unit_says():
    # the figures each entry stands for, as the code had them before the table
    hours, blocks, meetings = UNITS["hours"], UNITS["blocks"], UNITS["meetings"]
    assert hours.tolerance == 1 / 60  # a minute
    assert blocks.tolerance == meetings.tolerance == 1e-6
    assert (hours.routine_blocks, blocks.routine_blocks, meetings.routine_blocks) == (
        True,
        True,
        False,
    )
    assert (hours.whole, blocks.whole, meetings.whole) == (False, True, True)
    assert (hours.is_time, blocks.is_time, meetings.is_time) == (True, False, False)
    assert [u.name for u in UNITS.values() if u.reactive] == ["meetings"]
    assert amount_text(2.5, "hours") == "2 h 30 min"
    assert amount_text(1, "blocks") == "1 block"
    assert amount_text(6.4, "meetings") == "6.4 meetings"
    assert blocks.missing_text("gym", 60) == "no gym block of at least 60 min starts this day"
    assert blocks.missing_text("gym", 0) == "no gym block starts this day"
    assert hours.missing_text("admin", 30) == "no admin time on the calendar"
    assert meetings.missing_text("client-meeting", 0) == "no client-meeting on the calendar"


def test_an_unknown_unit_fails_loudly():
    with pytest.raises(UnknownUnitError, match="unknown unit 'days'"):
        unit_kind("days")
    with pytest.raises(UnknownUnitError):
        amount_text(3, "days")  # once "3 days", as if it were a unit
    view = CommitmentView(
        id="x", activity="x", description="", unit="days", per="week", direction="min",
        protected=False, target=1.0, scheduled=0.0, gap=1.0, adherence=0.0, blocks=0,
        short_blocks=0, outside_window_hours=0.0, committed_days=5, judged=True,
    )  # fmt: skip
    with pytest.raises(UnknownUnitError):
        view.status  # noqa: B018  (once judged against the count tolerance)


def test_a_routine_in_an_unknown_unit_is_refused_with_the_units_it_may_use(tmp_path):
    from conftest import routine_file

    path = routine_file(
        tmp_path,
        "timezone: Europe/London\ncommitments:\n"
        "  - {id: calls, activity: prospecting, unit: days, target: 2}\n",
    )
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert result.exit_code != 0
    assert "unit" in result.output and "'hours', 'blocks' or 'meetings'" in result.output
    assert "Traceback" not in result.output


# units are told apart by their entries, never by name outside the tables
_BY_NAME = re.compile(
    r"(\bis|\bis not|==|!=|\bin \(?)\s*Unit\.\w+"  # c.unit is Unit.HOURS, in (Unit.HOURS, ...)
    r"|unit\.value\s*(==|!=|\bin\b)|\bunit\s*(==|!=)\s*[\"']"  # c.unit == "hours"
)


def test_no_module_branches_on_a_unit_by_name():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in ("unit_kinds.py",)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _BY_NAME.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
