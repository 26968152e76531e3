"""docs/rules.md's table of calendar sources names every built-in source and each
setting it takes (a refused one, typed None like caldav's ``password``, aside), so a
new user reading only that page finds the caldav and microsoft settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from routine_audit.sources import source_class

DOC = (Path(__file__).parents[1] / "docs" / "rules.md").read_text()


@pytest.mark.parametrize("name", ["ics", "google", "microsoft", "caldav"])
def test_each_setting_of_the_source_is_in_the_table(name):
    rows = [r for r in DOC.splitlines() if r.startswith(f"| `{name}` |")]
    assert rows, f"no row for {name}"
    named = set(re.findall(r"`(\w+)`", " ".join(r.split("|")[2] for r in rows)))
    fields = source_class(name).Settings.model_fields
    taken = {k for k, f in fields.items() if f.annotation is not type(None)}
    assert taken <= named, taken - named


def test_the_caldav_example_entry_is_a_valid_calendar_entry():
    (line,) = [x for x in DOC.splitlines() if x.startswith("calendar: {type: caldav")]
    assert "password_env:" in line and "password:" not in line.replace("password_env:", "")
