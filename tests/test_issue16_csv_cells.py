"""Issue 16: CSV quoting covers a bare CR or LF inside a cell, and the formula guard
applies to every line start within a cell."""

from __future__ import annotations

import csv
import io

import pytest

from routine_audit.report.csv_safe import write_csv


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("cell", ["a\rb", "a\nb", "a\r\nb", "\r", "end\r"])
def test_a_line_break_inside_a_cell_never_splits_the_row(cell):
    text = write_csv(["title", "n"], [[cell, 1]])
    rows = _read(text)
    assert len(rows) == 2
    assert rows[1][1] == "1"
    assert text.endswith("\n") and not text.endswith("\r\n")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('Lunch\n=HYPERLINK("http://x")', 'Lunch\n\'=HYPERLINK("http://x")'),
        ("a\r+1", "a\r'+1"),
        ("a\r\n@SUM(A1)", "a\r\n'@SUM(A1)"),
        ("=1\n-2", "'=1\n'-2"),
        ("fine\ntext", "fine\ntext"),
    ],
)
def test_every_line_start_in_a_cell_is_guarded(cell, written):
    assert _read(write_csv(["title"], [[cell]]))[1] == [written]


def test_plain_rows_are_written_as_before():
    assert write_csv(["a", "b", "c"], [["x,y", -2, None], ['say "hi"', 1.5, True]]) == (
        'a,b,c\n"x,y",-2,\n"say ""hi""",1.5,True\n'
    )
